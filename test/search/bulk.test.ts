import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexedDocument } from '../../src/search/backend.js';
import { searchBackend } from '../../src/search/backends.js';
import { analyzeFields, type SourceText } from '../../src/search/documents.js';
import { parseQuery } from '../../src/search/query.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

const text = (body: string): SourceText => ({ headline: '', summary: '', body, tags: '', captions: '' });
const doc = (refId: number, body: string): IndexedDocument => ({
  type: 'article',
  refId,
  coverageId: null,
  sectionId: null,
  publishedAt: '2026-01-01T00:00:00.000Z',
  fields: analyzeFields(text(body)),
});
const PAGE = { limit: 50, offset: 0, now: '2026-01-02T00:00:00.000Z' };

// The bulk paths of reindex and bench:search: many documents per statement, analysis in a worker.
describe.each(storeTargets())('bulk indexing on $name', (target) => {
  let site: TestSite;
  beforeAll(async () => {
    site = await openTestSite(target);
  });
  afterAll(() => site.dispose());

  it('indexDocuments writes several chunks, and a document given twice keeps its last version', async () => {
    const db = site.services.store.db;
    const backend = searchBackend(db);
    const docs = Array.from({ length: 450 }, (_, i) => doc(9000 + i, i % 2 ? 'مفاوضات الطاقة في جنيف' : 'الحكومة تناقش الميزانية'));
    docs.push(doc(9000, 'اجتماع في فيينا'));
    await db.transaction().execute((trx) => backend.indexDocuments(trx, docs));
    // Again, as a reindex would: rows are replaced, not added.
    await db.transaction().execute((trx) => backend.indexDocuments(trx, docs));
    const find = async (q: string) => (await backend.search(db, parseQuery(q), {}, { ...PAGE, limit: 1000 })).map((h) => h.refId);
    expect((await find('جنيف')).length).toBe(225);
    expect((await find('الحكومه')).length).toBe(224);
    expect(await find('فيينا')).toEqual([9000]);
    await db.transaction().execute(async (trx) => {
      for (const d of docs) await backend.removeDocument(trx, d.type, d.refId);
    });
    expect(await backend.count(db)).toBe(0);
  });
});

// Under vitest no worker can start (its modules are not on disk as Node loads them), so the
// worker is exercised in a child process run the way `nashra search reindex` runs from source.
describe('analysis worker', () => {
  it('runs in a worker thread and gives the same fields as analysing in this thread', async () => {
    const script = `
      import { openFieldAnalyzer } from './src/search/analysisPool.ts';
      import { analyzeFields } from './src/search/documents.ts';
      const a = openFieldAnalyzer();
      const batches = ${JSON.stringify([
        [text('وللميليشيات حكومتها ٢٠٢٤م'), text('Café ﻻ إيران')],
        [text(''), text('الطائرتان مدرباً')],
      ])};
      const got = await Promise.all(batches.map((b) => a.analyze(b)));
      console.log(JSON.stringify({ threaded: a.threaded, same: JSON.stringify(got) === JSON.stringify(batches.map((b) => b.map(analyzeFields))) }));
      await a.close();`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd() });
    expect(JSON.parse(stdout)).toEqual({ threaded: true, same: true });
  });
});
