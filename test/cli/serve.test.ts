import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `nashra serve --demo`, as `npm start` runs it, on an empty data dir and a free port. */
describe('nashra serve --demo', () => {
  it('migrates, loads the demo once, prints its URL and serves pages until SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nashra-serve-'));
    const start = () =>
      spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--demo'], {
        cwd: root,
        env: { ...process.env, PORT: '0', NASHRA_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const urlOf = (child: ReturnType<typeof start>) =>
      new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d;
          const m = /Nashra serves (http:\/\/\S+?)\/?\n/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.stderr.on('data', (d: Buffer) => (err += d));
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
    const stop = (child: ReturnType<typeof start>) =>
      new Promise<number | null>((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });

    const first = start();
    const url = await urlOf(first);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const home = await (await fetch(`${url}/`)).text();
    const articles = home.match(/href="\/news\/\d+\//g) ?? [];
    expect(new Set(articles).size).toBeGreaterThanOrEqual(6);
    const article = await fetch(new URL(articles[0]!.slice(6, -1), url));
    expect(article.status).toBe(200);
    expect(await stop(first)).toBe(0);

    // A second start on the same data dir finds the demo already there and adds nothing.
    const second = start();
    const again = await (await fetch(`${await urlOf(second)}/`)).text();
    expect(again.match(/href="\/news\/\d+\//g)?.length).toBe(articles.length);
    expect(await stop(second)).toBe(0);
  }, 60_000);
});
