import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFieldAnalyzer } from '../../src/search/analysisPool.js';
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

describe('analysis worker', () => {
  it('gives the same fields as analysing in this thread, batch after batch', async () => {
    const analyzer = openFieldAnalyzer();
    try {
      const batches = [
        [text('وللميليشيات حكومتها ٢٠٢٤م'), text('Café ﻻ إيران')],
        [text(''), text('الطائرتان مدرباً')],
      ];
      const results = await Promise.all(batches.map((b) => analyzer.analyze(b)));
      expect(results).toEqual(batches.map((b) => b.map(analyzeFields)));
    } finally {
      await analyzer.close();
    }
  });
});
