import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createServices } from '../../src/services/index.js';
import { searchBackend } from '../../src/search/backends.js';
import { INDEX_VERSION_KEY } from '../../src/search/reindex.js';
import { migrateToLatest, openStore } from '../../src/store/db.js';
import { setSiteState } from '../../src/store/siteState.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

async function nashra(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'silent', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('nashra search reindex', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nashra-reindex-'));
  const env = { NASHRA_DATA_DIR: dataDir };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('rebuilds an emptied, stale index, reports progress on stderr and JSON on stdout, and is idempotent', async () => {
    const store = openStore({ dataDir });
    await migrateToLatest(store.db);
    const services = createServices(store, loadConfig({ NASHRA_DATA_DIR: dataDir }));
    const a = await services.articles.create({
      headline: 'انتخابات بلدية في حلب',
      body: [{ type: 'paragraph', spans: [{ text: 'بدأ التصويت صباح اليوم.' }] }],
      section: 'محليات',
      status: 'published',
      timeZone: 'Asia/Damascus',
      city: 'دمشق',
    });
    // As after an analyzer upgrade: an index of another version, here emptied as well.
    await store.db.transaction().execute(async (trx) => {
      await searchBackend(trx).clear(trx);
      await setSiteState(trx, INDEX_VERSION_KEY, '0');
    });
    expect((await services.search.status()).stale).toBe(true);
    await store.close();

    const r = await nashra(['search', 'reindex', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ articles: 1, liveEntries: 0, removed: 0, previousAnalyzerVersion: 0, engine: 'sqlite' });
    expect(r.stderr).toContain('indexed 1/1');
    const again = await nashra(['search', 'reindex'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^indexed 1 articles and 0 live entries/);

    const reopened = openStore({ dataDir });
    const s2 = createServices(reopened, loadConfig({ NASHRA_DATA_DIR: dataDir }));
    expect((await s2.search.status()).stale).toBe(false);
    expect((await s2.search.search({ q: 'الانتخابات' })).results.map((h) => h.id)).toEqual([a.id]);
    await reopened.close();
  }, 60_000);
});
