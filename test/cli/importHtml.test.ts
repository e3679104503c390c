import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/html/${name}`, import.meta.url));

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

describe('nashra import html', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nashra-cli-html-'));
  const env = { NASHRA_DATA_DIR: dataDir };
  const article = fixture('article.html');
  const listing = fixture('listing.html');

  it('prints one JSON result per draft on stdout, and warnings on stderr', async () => {
    const r = await nashra(['import', 'html', article, fixture('text-date.html'), '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(out).toEqual([
      {
        file: article,
        status: 'draft',
        id: expect.any(Number),
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:3000\/newsroom\/articles\/\d+\/edit$/),
        source: 'https://www.example-news.net/news/2021/06/28/blinken-rome-isis',
        images: [
          { src: 'https://cdn.example-news.net/uploads/2021/06/blinken-rome.jpg', stored: false },
          { src: './article_files/rome-meeting.jpg', stored: false },
        ],
        warnings: [expect.stringContaining('blinken-rome.jpg not stored'), expect.stringContaining('rome-meeting.jpg not stored')],
      },
      { file: fixture('text-date.html'), status: 'draft', id: expect.any(Number), url: expect.stringContaining('/edit'), images: [], warnings: [] },
    ]);
    expect(r.stderr).toContain(`${article}: warning: image https://cdn.example-news.net/uploads/2021/06/blinken-rome.jpg not stored`);
    expect(r.stderr).toContain(`[2/2] ${fixture('text-date.html')}`);
  });

  it('exits non-zero naming the file, and goes on only with --keep-going', async () => {
    const stop = await nashra(['import', 'html', listing, article, '--json'], env);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain(`${listing}: no article found`);
    expect(JSON.parse(stop.stdout)).toEqual([{ file: listing, status: 'failed', error: expect.stringMatching(/^no article found/) }]);

    const text = join(dataDir, 'page.txt');
    writeFileSync(text, 'عنوان خبر\n\n2021.06.28 | 17:39 دمشق\n\nفقرة من المتن.\n');
    const go = await nashra(['import', 'html', listing, text, article, '--json', '--keep-going'], env);
    expect(go.code).toBe(1);
    const results = JSON.parse(go.stdout) as { status: string; line?: number }[];
    expect(results.map((x) => x.status)).toEqual(['failed', 'failed', 'draft']);
    expect(results[1]).toMatchObject({ file: text, error: expect.stringMatching(/^not an HTML document/), line: 1 });
    expect(go.stderr).toContain(`${text}:1: not an HTML document`);
  });

  it('without --json prints the edit page of each draft', async () => {
    const r = await nashra(['import', 'html', fixture('text-date.html')], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/text-date\.html: draft http:\/\/127\.0\.0\.1:3000\/newsroom\/articles\/\d+\/edit\n$/);
  });
});
