import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePath, type Article, type ArticleInput } from '../../src/domain/article.js';
import { prepareImage, saveImageIn } from '../../src/services/media.js';
import { buildApp } from '../../src/web/app.js';
import { oembedHref } from '../../src/web/reader/oembed.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

const BASE = 'https://nashra.example';

const input: ArticleInput = {
  headline: 'بلينكن من مؤتمر روما: وجهنا رسائل <قوية> & "واضحة"',
  summary: 'ملخص الخبر & تفاصيله',
  body: [{ type: 'paragraph', spans: [{ text: 'فقرة أولى.' }] }],
  section: 'سياسة',
  tags: ['سوريا'],
  authors: ['ريم الحلبي', 'فريق التحرير'],
  status: 'published',
  publishedAt: '2021-06-28T14:39:00Z',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
};

type Oembed = Record<string, unknown> & { html: string; width: number; height: number };

describe.each(storeTargets())('oEmbed for articles ($name)', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  let pictured: Article;
  let plain: Article;
  let draft: Article;

  beforeAll(async () => {
    site = await openTestSite(target, { NASHRA_BASE_URL: BASE });
    const { services, config } = site;
    app = await buildApp({ services });
    const jpeg = await sharp({ create: { width: 1600, height: 900, channels: 3, background: '#336' } }).jpeg().toBuffer();
    const img = await prepareImage(config.mediaDir, jpeg, 'lead.jpg');
    const media = await services.store.db.transaction().execute((trx) => saveImageIn(trx, img));
    pictured = await services.articles.create({ ...input, lead: { mediaId: media.id, caption: 'تعليق', credit: 'رويترز' } });
    plain = await services.articles.create({ ...input, headline: 'خبر بلا صورة', summary: undefined, authors: [] });
    draft = await services.articles.create({ ...input, headline: 'مسودة لم تنشر', status: 'draft', publishedAt: undefined });
  });

  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  const get = (url: string) => app.inject({ method: 'GET', url });
  const oembed = (params: Record<string, string>) => get(`/oembed?${new URLSearchParams(params)}`);

  it('describes a pictured article: rich html with no third-party request, first author, thumbnail of its real size', async () => {
    const url = BASE + articlePath(pictured);
    const res = await oembed({ url, format: 'json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toMatch(/^public\b/);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    // Purged with the article: its key (and its first author's) like the page's.
    expect(String(res.headers['surrogate-key']).split(' ')).toEqual([`article-${pictured.id}`, `author-${pictured.authors[0]!.id}`]);
    const o = res.json<Oembed>();
    expect(o).toMatchObject({
      version: '1.0',
      type: 'rich',
      title: input.headline,
      author_name: 'ريم الحلبي',
      author_url: `${BASE}/author/${encodeURIComponent(pictured.authors[0]!.slug)}`,
      provider_name: 'نشرة',
      provider_url: `${BASE}/`,
      width: 600,
      height: 200,
    });
    expect(o.cache_age).toBeGreaterThan(0);
    // The snippet: escaped text, links to us only, nothing loaded (no script, image or frame).
    expect(o.html).toContain(`<a href="${url}">`);
    expect(o.html).toContain('&#60;قوية&#62; &#38; &#34;واضحة&#34;');
    expect(o.html).toContain('dir="rtl"');
    expect(o.html).not.toMatch(/<(script|img|iframe|link|style)\b/i);
    for (const href of o.html.match(/(?:href|cite)="[^"]*"/g)!) expect(href).toMatch(new RegExp(`^(href|cite)="${BASE}/`));
    // The widest JPEG of the lead picture, as it really is.
    const thumb = String(o.thumbnail_url);
    expect(thumb).toMatch(new RegExp(`^${BASE}/media/.+\\.jpg$`));
    const file = await get(thumb.slice(BASE.length));
    expect(file.statusCode).toBe(200);
    const meta = await sharp(file.rawPayload).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', o.thumbnail_width, o.thumbnail_height]);
    expect(o.thumbnail_width).toBe(1600);
  });

  it('keeps the embed and its thumbnail within maxwidth and maxheight', async () => {
    const o = (await oembed({ url: BASE + articlePath(pictured), maxwidth: '700', maxheight: '400' })).json<Oembed>();
    expect(o.width).toBeLessThanOrEqual(700);
    expect(o.height).toBeLessThanOrEqual(400);
    expect(o.html).toContain('max-width:600px');
    expect(Number(o.thumbnail_width)).toBeLessThanOrEqual(700);
    expect(Number(o.thumbnail_height)).toBeLessThanOrEqual(400);
    expect(Number(o.thumbnail_width)).toBeGreaterThan(0);
    const small = (await oembed({ url: BASE + articlePath(pictured), maxwidth: '100', maxheight: '50' })).json<Oembed>();
    expect([small.width, small.height]).toEqual([100, 50]);
    expect(small.html).toContain('max-width:100px');
    // No variant is that small: no thumbnail rather than one too big.
    expect(small.thumbnail_url).toBeUndefined();
    expect(small.thumbnail_width).toBeUndefined();
  });

  it('describes an article without picture or author: no thumbnail, no author fields', async () => {
    const o = (await oembed({ url: BASE + articlePath(plain) })).json<Oembed>();
    expect(o.title).toBe('خبر بلا صورة');
    for (const k of ['thumbnail_url', 'thumbnail_width', 'thumbnail_height', 'author_name', 'author_url']) expect(o[k]).toBeUndefined();
  });

  it('accepts the URL without slug, with an old or raw Arabic slug, over http, with a query or fragment', async () => {
    const host = BASE.replace('https://', '');
    for (const url of [
      `${BASE}/news/${pictured.id}`,
      `${BASE}/news/${pictured.id}/`,
      `${BASE}/news/${pictured.id}/${encodeURIComponent(pictured.slug)}`,
      `${BASE}/news/${pictured.id}/${pictured.slug}`,
      `${BASE}/news/${pictured.id}/${encodeURIComponent('عنوان-قديم')}`,
      `http://${host}/news/${pictured.id}?utm_source=x#top`,
      `${BASE}/news/${pictured.id}/%E0%A4%A`,
    ]) {
      const res = await oembed({ url });
      expect(res.statusCode, url).toBe(200);
      // Whatever was asked, the snippet links to the canonical URL.
      expect(res.json<Oembed>().html, url).toContain(`<a href="${BASE}${articlePath(pictured)}">`);
    }
  });

  it('answers 404 for URLs that are not a published article of ours', async () => {
    for (const url of [
      `${BASE}/news/${draft.id}`,
      `${BASE}/news/999999`,
      `${BASE}/news/0`,
      `${BASE}/news/99999999999`,
      `${BASE}/`,
      `${BASE}/section/${encodeURIComponent('سياسة')}`,
      `${BASE}/news/${pictured.id}/a/b`,
      `https://other.example/news/${pictured.id}`,
      `https://nashra.example.evil.org/news/${pictured.id}`,
      `${BASE}:8443/news/${pictured.id}`,
    ]) {
      const res = await oembed({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.json<{ error: string }>().error).toMatch(/[\u0600-\u06FF]/);
    }
  });

  it('answers 400 for a missing or invalid url or size, 501 for a format other than json', async () => {
    const url = BASE + articlePath(pictured);
    for (const q of ['', 'url=', 'url=not%20a%20url', 'url=ftp%3A%2F%2Fnashra.example%2Fnews%2F1', `url=${encodeURIComponent(url)}&url=${encodeURIComponent(url)}`, `url=${encodeURIComponent(url)}&maxwidth=abc`, `url=${encodeURIComponent(url)}&maxheight=0`, `url=${encodeURIComponent(url)}&maxwidth=-5`]) {
      const res = await get(`/oembed?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json<{ error: string }>().error).toMatch(/[\u0600-\u06FF]/);
    }
    for (const format of ['xml', 'XML', 'html', '']) {
      const res = await oembed({ url, format });
      expect(res.statusCode, format).toBe(501);
      expect(res.json<{ error: string }>().error).toMatch(/[\u0600-\u06FF]/);
    }
  });

  it('never answers 500, whatever the url', async () => {
    const odd = [
      'javascript:alert(1)',
      'data:text/html,<b>x</b>',
      '//nashra.example/news/1',
      '/news/1',
      'news/1',
      'https://',
      'https://nashra.example',
      'https://nashra.example/news/',
      'https://nashra.example/news/1e3',
      'https://nashra.example/news/-1',
      'https://nashra.example/news/01',
      'https://nashra.example/news/1.5',
      'https://nashra.example/news/%31',
      'https://nashra.example/news/1/%',
      'https://nashra.example/news/1/%ZZ',
      'https://nashra.example/news/1/../../etc/passwd',
      'https://nashra.example/NEWS/1',
      'https://user:pass@nashra.example/news/1',
      'https://[::1]/news/1',
      'https://nashra.example/news/1\u0000',
      'https://nashra.example/news/1\n/x',
      'https://نشرة.example/news/1',
      `https://nashra.example/news/${'9'.repeat(400)}`,
      `https://nashra.example/news/1/${'ا'.repeat(3000)}`,
      'https://nashra.example/news/١',
      'https://nashra.example/news/1?url=https://evil.example',
      '\uFEFF',
      '%',
      '%%%',
      ' https://nashra.example/news/1 ',
      'HTTPS://NASHRA.EXAMPLE/news/1',
      'https://nashra.example./news/1',
      'https://nashra.example/news/1;x',
      'https://nashra.example/news/4294967296',
      'https://nashra.example/news/2147483649',
    ];
    for (const url of odd) {
      const res = await oembed({ url });
      expect(res.statusCode, JSON.stringify(url)).toBeLessThan(500);
      expect(res.headers['content-type'], url).toBe('application/json; charset=utf-8');
      expect([200, 400, 404], url).toContain(res.statusCode);
    }
    // Raw bytes the query parser sees as they are.
    for (const raw of ['url=%', 'url=%E0%A4%A', 'url[]=x', 'url[a]=b', 'maxwidth=99999999999999999999&url=x', `url=${'a'.repeat(5000)}`]) {
      const res = await get(`/oembed?${raw}`);
      expect(res.statusCode, raw).toBeLessThan(500);
    }
  });

  it('offers a discovery URL that answers', async () => {
    const href = oembedHref(BASE, BASE + articlePath(pictured));
    const res = await get(href.slice(BASE.length));
    expect(res.statusCode).toBe(200);
    expect(res.json<Oembed>().title).toBe(input.headline);
  });
});
