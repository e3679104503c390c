import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { WP_UPLOADS, WP_XML, wpFixturePresent } from '../ingest/wordpress/importFixture.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The real command, from source (tsx), in its own data dir: exit code, stdout and stderr. */
async function nashra(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Local ids and their URLs differ between runs and engines: numbered by first appearance instead. */
function normalised(report: Record<string, unknown>): unknown {
  const ids = new Map<string, number>();
  const idOf = (kind: string, id: number) => {
    const k = `${kind}:${id}`;
    if (!ids.has(k)) ids.set(k, ids.size + 1);
    return `<${kind} ${ids.get(k)}>`;
  };
  const items = (report.items as Record<string, unknown>[]).map((i) => ({
    ...i,
    ...(i.localId !== undefined ? { localId: idOf(String(i.kind), Number(i.localId)) } : {}),
    ...(i.url ? { url: String(i.url).replace(/\/news\/\d+\//, '/news/<id>/') } : {}),
  }));
  return { ...report, file: '<file>', items };
}

describe.runIf(wpFixturePresent())('nashra import wordpress', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nashra-wp-cli-'));
  const env = { NASHRA_DATA_DIR: dataDir, NASHRA_TIMEZONE: 'Asia/Damascus' };

  it('refuses a bad --timezone with one line and a non-zero exit, writing nothing', async () => {
    const r = await nashra(['import', 'wordpress', WP_XML, '--timezone', 'Mars/Olympus'], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['nashra: --timezone: unknown time zone "Mars/Olympus" (an IANA name such as Asia/Damascus)']);
    expect(r.stdout).toBe('');
  });

  it('names the file and line of malformed XML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-bad-'));
    const file = join(dir, 'bad.xml');
    const lines = readFileSync(WP_XML, 'utf8').split('\n');
    lines[99] = `${lines[99]}<unclosed>`;
    writeFileSync(file, lines.join('\n'));
    const r = await nashra(['import', 'wordpress', file, '--json'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: `, 'm'));
    expect(r.stdout).toBe('');
  });

  it('dry run: the report, nothing written', async () => {
    const r = await nashra(['import', 'wordpress', WP_XML, '--uploads', WP_UPLOADS, '--dry-run', '--json'], env);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { dryRun: boolean; counts: Record<string, Record<string, number>> };
    expect(report.dryRun).toBe(true);
    expect(report.counts.article!.imported).toBe(10);
    expect(r.stderr).toContain('dry run: nothing was written');
    // A second dry run still finds everything new.
    const again = JSON.parse((await nashra(['import', 'wordpress', WP_XML, '--uploads', WP_UPLOADS, '--dry-run', '--json'], env)).stdout) as typeof report;
    expect(again.counts.article!.imported).toBe(10);
  });

  it('imports, prints a summary table on stderr and a stable JSON report on stdout; a second run changes nothing', async () => {
    const r = await nashra(['import', 'wordpress', WP_XML, '--uploads', WP_UPLOADS, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(normalised(report)).toMatchSnapshot();
    // stderr: progress lines (not a terminal), then the table.
    expect(r.stderr).toMatch(/^progress: \d+\/34 \(100%\)$/m);
    expect(r.stderr).toMatch(/^article\s+10\s+0\s+0\s+0\s+0$/m);
    expect(r.stderr).toMatch(/^total\s+34\s+0\s+0\s+0\s+0$/m);
    expect(r.stderr).toContain('statuses: publish → published, private → unpublished, draft → draft, future → scheduled');
    expect(r.stderr).toContain('comments: 4 counted (3 approved, 1 pending, 0 spam/trash, 1 replies), not imported');

    const second = await nashra(['import', 'wordpress', WP_XML, '--uploads', WP_UPLOADS, '--json'], env);
    expect(second.code).toBe(0);
    const again = JSON.parse(second.stdout) as { items: { localId?: number; outcome: string }[] };
    expect(again.items.map((i) => i.outcome)).toEqual((report.items as unknown[]).map(() => 'unchanged'));
    expect(again.items.map((i) => i.localId)).toEqual((report.items as { localId?: number }[]).map((i) => i.localId));
    expect(second.stderr).toMatch(/^total\s+0\s+0\s+34\s+0\s+0$/m);

    // Without --json: one line per article or page that changed, nothing for unchanged ones.
    const plain = await nashra(['import', 'wordpress', WP_XML, '--uploads', WP_UPLOADS], env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('');
  }, 120_000);
});
