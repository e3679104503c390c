import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleInput } from '../../src/domain/article.js';
import type { Actor } from '../../src/domain/user.js';
import type { Services } from '../../src/services/index.js';
import { loadDemoContentOnce } from '../../src/demo/load.js';
import { publishDue } from '../../src/services/scheduler.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

const article = (headline: string, text: string, extra: Partial<ArticleInput> = {}): ArticleInput => ({
  headline,
  body: [{ type: 'paragraph', spans: [{ text }] }],
  section: 'سياسة',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
  ...extra,
});

describe.each(storeTargets())('search index sync on $name', (target) => {
  let site: TestSite;
  let s: Services;
  let editor: Actor;
  const ids = async (q: string, more: Record<string, string> = {}) =>
    (await s.search.search({ q, ...more })).results.map((r) => `${r.type}:${r.id}`);
  const count = () => s.search.status().then((x) => x.documents);

  beforeAll(async () => {
    site = await openTestSite(target);
    s = site.services;
    editor = actorFor(await insertTestUser(s.store, 'editor'));
  });
  afterAll(() => site.dispose());

  it('records a new, empty site as indexed by this analyzer', async () => {
    expect(await s.search.status()).toMatchObject({ stale: false, documents: 0 });
  });

  it('indexes on publish, follows a staged update, and drops on unpublish and delete', async () => {
    const a = await s.workflow.create(editor, article('مفاوضات الطاقة في جنيف', 'اجتمع الوفدان لبحث ملف الطاقة النووية.'));
    expect(await ids('جنيف')).toEqual([]);
    await s.workflow.publish(editor, a.id);
    expect(await ids('جنيف')).toEqual([`article:${a.id}`]);

    // A staged edit is not searchable until it goes live.
    await s.workflow.save(editor, a.id, article('مفاوضات الطاقة في فيينا', 'اجتمع الوفدان لبحث ملف الطاقة النووية.'));
    expect(await ids('فيينا')).toEqual([]);
    await s.workflow.update(editor, a.id);
    expect(await ids('فيينا')).toEqual([`article:${a.id}`]);
    expect(await ids('جنيف')).toEqual([]);

    await s.workflow.unpublish(editor, a.id);
    expect(await ids('فيينا')).toEqual([]);
    await s.workflow.publish(editor, a.id);
    expect(await ids('فيينا')).toEqual([`article:${a.id}`]);
    await s.workflow.delete(editor, a.id);
    expect(await ids('فيينا')).toEqual([]);
    expect(await count()).toBe(0);
  });

  it('a failed publish leaves no index row', async () => {
    const a = await s.workflow.create(editor, article('خبر عن الزلزال', 'نص'));
    await expect(
      s.store.db.transaction().execute(async (trx) => {
        const { syncArticle } = await import('../../src/search/sync.js');
        await trx.updateTable('articles').set({ status: 'published', published_at: new Date().toISOString() }).where('id', '=', a.id).execute();
        await syncArticle(trx, a.id);
        throw new Error('boom after indexing');
      }),
    ).rejects.toThrow('boom');
    expect(await ids('الزلزال')).toEqual([]);
    expect(await count()).toBe(0);
    await s.workflow.delete(editor, a.id);
  });

  it('publishes on schedule into the index', async () => {
    const a = await s.workflow.create(editor, article('افتتاح معرض الكتاب', 'يفتتح المعرض أبوابه.'));
    await s.workflow.schedule(editor, a.id, new Date(Date.now() + 60_000).toISOString());
    expect(await ids('معرض')).toEqual([]);
    await publishDue(s, new Date(Date.now() + 120_000));
    expect(await ids('معرض')).toEqual([`article:${a.id}`]);
    await s.workflow.delete(editor, a.id);
  });

  it('indexes live entries as they are posted, edited and deleted', async () => {
    const c = await s.live.createCoverage(editor, { title: 'تغطية العاصفة' });
    const posted = await s.live.postEntry(editor, c.id, { text: 'انقطاع الكهرباء عن بلدات الساحل' });
    const entryId = posted.entryId!;
    expect(await ids('الكهرباء')).toEqual([`live:${entryId}`]);
    const hit = (await s.search.search({ q: 'كهرباء' })).results[0]!;
    expect(hit.headline).toBe('تغطية العاصفة');
    expect(hit.path).toBe(`/live/${encodeURIComponent(c.slug)}#entry-${entryId}`);
    await s.live.editEntry(editor, c.id, entryId, { text: 'عودة المياه إلى بلدات الساحل' });
    expect(await ids('الكهرباء')).toEqual([]);
    expect(await ids('المياه')).toEqual([`live:${entryId}`]);
    expect(await ids('المياه', { type: 'article' })).toEqual([]);
    await s.live.deleteEntry(editor, c.id, entryId);
    expect(await ids('المياه')).toEqual([]);
  });

  // The demo writes its coverage below LiveService: its entries must be indexed all the same.
  it.runIf(target.name === 'sqlite')('indexes the demo articles and the demo coverage on a first start', async () => {
    const demo = await openTestSite(target);
    try {
      const added = await loadDemoContentOnce(demo.services);
      expect((await demo.services.search.status()).documents).toBeGreaterThan(added);
      const hits = (await demo.services.search.search({ q: 'الثلوج' })).results;
      expect(hits.some((h) => h.type === 'live')).toBe(true);
    } finally {
      await demo.dispose();
    }
  }, 60_000);

  it('reindex rebuilds from the content, removes orphans, and is idempotent', async () => {
    const a = await s.workflow.create(editor, article('قمة المناخ', 'تناقش القمة الانبعاثات.'));
    await s.workflow.publish(editor, a.id);
    const c = await s.live.createCoverage(editor, { title: 'تغطية القمة' });
    await s.live.postEntry(editor, c.id, { text: 'وصول الوفود إلى القمة' });
    const { searchBackend } = await import('../../src/search/backends.js');
    await s.store.db.transaction().execute((trx) => searchBackend(trx).clear(trx));
    expect(await ids('القمة')).toEqual([]);
    const progress: number[] = [];
    const first = await s.search.reindex((p) => progress.push(p.done));
    expect(first).toMatchObject({ articles: 1, liveEntries: 1, removed: 0 });
    expect(progress.at(-1)).toBe(2);
    expect((await ids('القمة')).sort()).toHaveLength(2);
    const again = await s.search.reindex();
    expect(again).toMatchObject({ articles: 1, liveEntries: 1, removed: 0 });
    expect(await count()).toBe(2);
    expect((await s.search.status()).stale).toBe(false);
    // A store that had content before search existed has no version recorded: serve warns.
    await s.store.db.deleteFrom('site_state').where('key', '=', 'search_analyzer_version').execute();
    expect((await s.search.status())).toMatchObject({ recorded: undefined, stale: true });
    await s.search.reindex();
    expect((await s.search.status()).stale).toBe(false);
  });
});
