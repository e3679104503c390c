import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePath, type Article, type ArticleInput, type Named } from '../../src/domain/article.js';
import { articleKey, authorKey } from '../../src/domain/surrogateKeys.js';
import { buildApp } from '../../src/web/app.js';
import { authorPath } from '../../src/web/reader/views/layout.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

const BASE = 'https://nashra.example';
const TRICKY = 'كاتبة <b>& "ضيفة"</b>';

const input = (over: Partial<ArticleInput>): ArticleInput => ({
  headline: 'خبر',
  body: [{ type: 'paragraph', spans: [{ text: 'فقرة' }] }],
  section: 'سياسة',
  status: 'published',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
  ...over,
});

describe.each(storeTargets())('author pages ($name)', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  let samer: Named;
  let guest: Named;
  let hidden: Named;
  let shared: Article;
  let samersOwn: Article[];

  beforeAll(async () => {
    site = await openTestSite(target, { NASHRA_BASE_URL: BASE });
    const { services } = site;
    app = await buildApp({ services });
    samersOwn = [];
    // 21 of Samer's own, one a day, so his list has a second page of one.
    for (let i = 0; i < 21; i++) {
      samersOwn.push(
        await services.articles.create(
          input({ headline: `خبر سامر ${i}`, authors: ['سامر الأحمد'], publishedAt: `2021-05-${String(i + 1).padStart(2, '0')}T10:00:00Z` }),
        ),
      );
    }
    shared = await services.articles.create(
      input({ headline: 'خبر مشترك', authors: [TRICKY, 'سامر الأحمد'], publishedAt: '2021-06-28T14:39:00Z' }),
    );
    await services.articles.create(input({ headline: 'خبر لغيرهما', authors: ['فريق التحرير'], publishedAt: '2021-06-29T08:00:00Z' }));
    await services.articles.create(input({ headline: 'مسودة سامر', authors: ['سامر الأحمد'], status: 'draft' }));
    const draft = await services.articles.create(input({ headline: 'مسودة', authors: ['كاتب لم ينشر'], status: 'draft' }));
    [guest, samer] = shared.authors as [Named, Named];
    hidden = draft.authors[0]!;
  });

  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  const get = (url: string) => app.inject({ method: 'GET', url });

  it('lists an author’s published articles, newest first, under an Arabic title', async () => {
    const res = await get(authorPath(samer.slug));
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain('<h1 class="section-title">الكاتب: سامر الأحمد</h1>');
    expect(html).toContain('<title>الكاتب: سامر الأحمد | ');
    expect(html).toContain(`<link rel="canonical" href="${BASE}${authorPath(samer.slug)}"/>`);
    expect(html).toContain(`href="${articlePath(shared)}"`);
    expect(html).toContain(`href="${articlePath(samersOwn[20]!)}"`);
    // Twenty a page: the oldest of his 22 is on page 2.
    expect(html).not.toContain(`href="${articlePath(samersOwn[0]!)}"`);
    expect(html).not.toContain('خبر لغيرهما');
    expect(html).not.toContain('مسودة سامر');
    expect(html.indexOf(articlePath(shared))).toBeLessThan(html.indexOf(articlePath(samersOwn[20]!)));
    expect(html).toContain(`<a class="older" href="${authorPath(samer.slug)}?page=2" rel="next">`);
  });

  it('pages like section and tag pages', async () => {
    const res = await get(`${authorPath(samer.slug)}?page=2`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`href="${articlePath(samersOwn[0]!)}"`);
    expect(res.body).toContain(`<link rel="canonical" href="${BASE}${authorPath(samer.slug)}?page=2"/>`);
    expect(res.body).toContain(`<a href="${authorPath(samer.slug)}" rel="prev">`);
    expect(res.body).toContain('الكاتب: سامر الأحمد - صفحة 2');
    for (const q of ['?page=3', '?page=0', '?page=x', '?page=1&page=2']) {
      expect((await get(authorPath(samer.slug) + q)).statusCode, q).toBe(404);
    }
  });

  it('a co-authored article is on each author’s page, and names are escaped', async () => {
    const res = await get(authorPath(guest.slug));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('الكاتب: كاتبة &lt;b>&amp; &quot;ضيفة&quot;&lt;/b>');
    expect(res.body).not.toContain('<b>&');
    expect(res.body).toContain(`href="${articlePath(shared)}"`);
    expect(res.body).not.toContain('خبر سامر');
  });

  it('is a 404 for unknown authors, authors with nothing published (the name not leaked) and bad slugs', async () => {
    for (const url of ['/author/لا-يوجد', authorPath(hidden.slug), '/author/%00', `/author/${'x'.repeat(301)}`]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).toContain('الصفحة غير موجودة');
      expect(res.body).not.toContain(hidden.name);
    }
  });

  it('names the author and each listed article for CDN purges, and links the author’s feeds', async () => {
    const res = await get(authorPath(guest.slug));
    expect(res.headers['surrogate-key']).toBe(`${authorKey(guest.id)} ${articleKey(shared.id)}`);
    for (const file of ['feed.xml', 'feed.atom', 'feed.json']) {
      expect(res.body).toContain(`href="${BASE}${authorPath(guest.slug)}/${file}"`);
    }
  });

  it('answers 304 to If-None-Match', async () => {
    const first = await get(authorPath(samer.slug));
    const again = await app.inject({ method: 'GET', url: authorPath(samer.slug), headers: { 'if-none-match': first.headers.etag as string } });
    expect(again.statusCode).toBe(304);
  });
});
