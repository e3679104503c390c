import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SEED_PATH, hasSeed } from '../helpers/services.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The real command, from source (tsx), in its own data dir: exit code, stdout and stderr. */
async function nashra(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('nashra command', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nashra-cli-'));
  const env = { NASHRA_DATA_DIR: dataDir };

  it('migrates', async () => {
    const r = await nashra(['migrate'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/applied: 0001_content|up to date/);
  });

  it.runIf(hasSeed())('imports the seed and prints JSON results on stdout only', async () => {
    const r = await nashra(['import', 'page', SEED_PATH, '--publish', '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(out).toEqual([
      {
        file: SEED_PATH,
        id: expect.any(Number),
        slug: expect.stringMatching(/^بلينكن-من-مؤتمر-روما/),
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:3000\/news\/\d+\/%D8%A8/),
        status: 'published',
        warnings: [expect.stringContaining('blynkn.png')],
      },
    ]);
    expect(r.stderr).toContain('warning: image blynkn.png not found');
  });

  it('exits non-zero naming the file and what was missing, and goes on only with --keep-going', async () => {
    const bad = join(dataDir, 'bad.txt');
    writeFileSync(bad, 'عنوان بلا تاريخ\n\nفقرة.\n');
    const good = join(dataDir, 'good.txt');
    writeFileSync(good, 'عنوان صالح\n\n2024/03/01\nآخر تحديث: 15:42 (بيروت)\n\nفقرة من المتن.\n');

    const stop = await nashra(['import', 'page', bad, good, '--json'], env);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain(`${bad}: no publication date found`);
    expect(JSON.parse(stop.stdout)).toHaveLength(1);

    const go = await nashra(['import', 'page', bad, good, '--json', '--keep-going'], env);
    expect(go.code).toBe(1);
    const results = JSON.parse(go.stdout) as { status: string }[];
    expect(results.map((x) => x.status)).toEqual(['failed', 'draft']);
  });

  it('rejects a bad setting with one line naming it', async () => {
    const r = await nashra(['migrate'], { ...env, NASHRA_TIMEZONE: 'Mars/Base' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('nashra: invalid setting NASHRA_TIMEZONE: not an IANA time zone');
  });
});
