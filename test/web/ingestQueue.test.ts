import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/user.js';
import { buildApp } from '../../src/web/app.js';
import { startFeedServer, send, rss, type FeedServer } from '../ingest/feeds/feedServer.js';
import { addUser, FORM, form, signIn, type Signed } from '../helpers/newsroom.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

const cli: Actor = { user: null, label: 'cli', ip: null };

describe.each(storeTargets())('the newsroom incoming queue ($name)', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  let server: FeedServer;
  let editor: Signed;
  let contributor: Signed;
  let sourceId: number;

  beforeAll(async () => {
    site = await openTestSite(target);
    app = await buildApp({ services: site.services });
    server = await startFeedServer();
    server.route(
      '/wire.xml',
      send(
        rss([
          { id: 'w-1', title: 'وزير الخارجية يصل إلى روما', link: 'https://wire.test/1', html: '<p>وصل الوزير <b>صباح اليوم</b>.</p><p>وسيلتقي نظيره.</p><script>alert(1)</script>', date: '2026-11-29T08:00:00Z' },
          { id: 'w-2', title: 'ارتفاع أسعار الذهب', link: 'https://wire.test/2', html: '<p>سجّل الذهب ارتفاعًا.</p>', date: '2026-11-29T09:00:00Z' },
          { id: 'w-3', title: 'خبر ثالث <للتجاهل>', link: 'https://wire.test/3', html: 'نص', date: '2026-11-29T07:00:00Z' },
        ]),
      ),
    );
    const source = await site.services.ingest.addSource(cli, { name: 'وكالة الاختبار', url: server.url('/wire.xml'), section: 'دولي' });
    sourceId = source.id;
    await site.services.ingest.pollNow(cli, sourceId);
    const e = await addUser(site.services, 'editor@ingest.test', 'editor');
    const c = await addUser(site.services, 'writer@ingest.test', 'contributor');
    editor = await signIn(app, e.email, e.password);
    contributor = await signIn(app, c.email, c.password);
  });
  afterAll(async () => {
    await app.close();
    await server.close();
    await site.dispose();
  });

  const item = (title: string) =>
    site.services.store.db.selectFrom('incoming_items').selectAll().where('title', '=', title).executeTakeFirstOrThrow();
  const post = (who: Signed, url: string, fields: Record<string, string> = {}, csrf = who.csrf) =>
    app.inject({ method: 'POST', url, headers: { ...FORM, cookie: who.cookie }, payload: form({ ...fields, ...(csrf ? { _csrf: csrf } : {}) }) });

  it('shows the queue newest first, with source, link, time and excerpt, and the sources with their health', async () => {
    const res = await app.inject({ method: 'GET', url: '/newsroom/ingest', headers: { cookie: editor.cookie } });
    expect(res.statusCode).toBe(200);
    const html = res.body;
    const order = ['ارتفاع أسعار الذهب', 'وزير الخارجية يصل إلى روما', 'خبر ثالث &lt;للتجاهل'].map((t) => html.indexOf(t));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('href="https://wire.test/1"');
    expect(html).toContain('وصل الوزير صباح اليوم. وسيلتقي نظيره.');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('وكالة الاختبار');
    expect(html).toContain('آخر نجاح');
    expect(html).toMatch(/action="\/newsroom\/ingest\/items\/\d+\/take"/);
    expect(html).toContain('تحرير كمسودة');
    expect(html).toContain('تجاهل');
    expect(html).toContain('href="/newsroom/ingest"');
  });

  it('takes an item into a prefilled draft, once', async () => {
    const it1 = await item('وزير الخارجية يصل إلى روما');
    const res = await post(editor, `/newsroom/ingest/items/${it1.id}/take`);
    expect(res.statusCode).toBe(303);
    const m = /^\/newsroom\/articles\/(\d+)\/edit$/.exec(res.headers.location as string);
    expect(m).not.toBeNull();
    const articleId = Number(m![1]);
    const article = await site.services.articles.get(articleId);
    expect(article).toMatchObject({
      headline: 'وزير الخارجية يصل إلى روما',
      status: 'draft',
      sourceLabel: 'وكالة الاختبار',
      section: { name: 'دولي' },
    });
    expect(article!.body).toEqual([
      { type: 'paragraph', spans: [{ text: 'وصل الوزير ' }, { text: 'صباح اليوم', bold: true }, { text: '.' }] },
      { type: 'paragraph', spans: [{ text: 'وسيلتقي نظيره.' }] },
      { type: 'paragraph', spans: [{ text: 'المصدر: ' }, { text: 'وكالة الاختبار', href: 'https://wire.test/1' }] },
    ]);
    const owner = await site.services.store.db.selectFrom('articles').select('owner_id').where('id', '=', articleId).executeTakeFirstOrThrow();
    expect(owner.owner_id).not.toBeNull();
    expect(await item('وزير الخارجية يصل إلى روما')).toMatchObject({ status: 'taken', article_id: articleId });

    // Again (a double click, a second editor): the same draft, no second article.
    const again = await post(editor, `/newsroom/ingest/items/${it1.id}/take`);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(`/newsroom/articles/${articleId}/edit`);
    const count = await site.services.store.db.selectFrom('articles').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    const edit = await app.inject({ method: 'GET', url: res.headers.location as string, headers: { cookie: editor.cookie } });
    expect(edit.statusCode).toBe(200);
    // Gone from the queue.
    const page = await app.inject({ method: 'GET', url: '/newsroom/ingest', headers: { cookie: editor.cookie } });
    expect(page.body).not.toContain('وزير الخارجية يصل إلى روما');
  });

  it('dismisses an item, idempotently', async () => {
    const it3 = await item('خبر ثالث <للتجاهل>');
    for (let i = 0; i < 2; i++) {
      const res = await post(editor, `/newsroom/ingest/items/${it3.id}/dismiss`);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/newsroom/ingest?ok=dismissed');
    }
    expect(await item('خبر ثالث <للتجاهل>')).toMatchObject({ status: 'dismissed', article_id: null });
    const page = await app.inject({ method: 'GET', url: '/newsroom/ingest?ok=dismissed', headers: { cookie: editor.cookie } });
    expect(page.body).not.toContain('للتجاهل');
    // A dismissed item cannot then be taken.
    const take = await post(editor, `/newsroom/ingest/items/${it3.id}/take`);
    expect(take.statusCode).toBe(409);
    expect(take.body).toContain('متجاهَل');
  });

  it('refuses contributors, anonymous visitors and forms without the CSRF token', async () => {
    const it2 = await item('ارتفاع أسعار الذهب');
    const page = await app.inject({ method: 'GET', url: '/newsroom/ingest', headers: { cookie: contributor.cookie } });
    expect(page.statusCode).toBe(403);
    expect((await post(contributor, `/newsroom/ingest/items/${it2.id}/take`)).statusCode).toBe(403);
    expect((await post(contributor, `/newsroom/ingest/items/${it2.id}/dismiss`)).statusCode).toBe(403);
    expect((await post(contributor, '/newsroom/ingest/sources', { name: 'x', url: 'https://x.test/feed' })).statusCode).toBe(403);
    expect((await post(contributor, `/newsroom/ingest/sources/${sourceId}/remove`)).statusCode).toBe(403);
    const anon = await app.inject({ method: 'GET', url: '/newsroom/ingest' });
    expect([302, 303, 401]).toContain(anon.statusCode);
    expect((await post(editor, `/newsroom/ingest/items/${it2.id}/take`, {}, '')).statusCode).toBe(403);
    // The contributor's nav has no queue link.
    const home = await app.inject({ method: 'GET', url: '/newsroom/articles', headers: { cookie: contributor.cookie } });
    expect(home.body).not.toContain('href="/newsroom/ingest"');
    expect(await item('ارتفاع أسعار الذهب')).toMatchObject({ status: 'new' });
  });

  it('adds and removes sources from the page, refusing bad input with an Arabic message', async () => {
    const bad = await post(editor, '/newsroom/ingest/sources', { name: 'مصدر', url: 'javascript:alert(1)', every: '5m' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('رابط غير صالح');
    expect(bad.body).toContain('value="مصدر"');
    const badEvery = await post(editor, '/newsroom/ingest/sources', { name: 'مصدر', url: 'https://partner.test/feed.json', every: 'often' });
    expect(badEvery.statusCode).toBe(400);
    expect(badEvery.body).toContain('فاصل غير صالح');
    const dup = await post(editor, '/newsroom/ingest/sources', { name: 'نسخة', url: server.url('/wire.xml') });
    expect(dup.statusCode).toBe(409);

    const ok = await post(editor, '/newsroom/ingest/sources', { name: 'شريك', url: 'https://partner.test/feed.json', section: 'اقتصاد', every: '15m' });
    expect(ok.statusCode).toBe(303);
    const added = (await site.services.ingest.sources(cli)).find((s) => s.name === 'شريك')!;
    expect(added).toMatchObject({ url: 'https://partner.test/feed.json', section: 'اقتصاد', everySeconds: 900 });
    const rm = await post(editor, `/newsroom/ingest/sources/${added.id}/remove`);
    expect(rm.statusCode).toBe(303);
    expect((await site.services.ingest.sources(cli)).map((s) => s.name)).toEqual(['وكالة الاختبار']);
    expect((await post(editor, `/newsroom/ingest/sources/${added.id}/remove`)).statusCode).toBe(404);
    expect((await post(editor, '/newsroom/ingest/items/abc/take')).statusCode).toBe(404);
  });
});
