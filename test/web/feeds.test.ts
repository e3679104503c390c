import { parseFeed } from '@rowanmanning/feed-parser';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePath, type Article, type ArticleInput } from '../../src/domain/article.js';
import { prepareImage, saveImageIn } from '../../src/services/media.js';
import { buildApp } from '../../src/web/app.js';
import { absolutizeHtml, rfc3339, rfc822, xmlEscape } from '../../src/web/reader/feedFormats.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

const BASE = 'https://nashra.example';
const TRICKY = 'عنوان <فيه> & "علامات" \'خاصة\'';

const input: ArticleInput = {
  headline: 'بلينكن من مؤتمر روما: وجهنا رسائل قوية لميليشيات إيران',
  summary: 'ملخص الخبر & تفاصيله',
  body: [
    { type: 'paragraph', spans: [{ text: 'فقرة أولى <b>ليست وسماً</b>' }, { text: 'رابط', href: 'https://example.org/x' }] },
    { type: 'subheading', text: 'عنوان فرعي' },
  ],
  section: 'سياسة',
  tags: ['سوريا'],
  authors: ['فريق التحرير'],
  status: 'published',
  publishedAt: '2021-06-28T14:39:00Z',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
};

describe('feed helpers', () => {
  it('escapes the five XML specials and strips characters XML 1.0 forbids', () => {
    expect(xmlEscape(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
    expect(xmlEscape('x\u0000y\u0008z\u000Bw\uFFFE\uD800v\tn\n')).toBe('xyzwv\tn\n');
    expect(xmlEscape('نص عربي 😀')).toBe('نص عربي 😀');
    expect(xmlEscape('&amp;')).toBe('&amp;amp;');
  });
  it('formats RFC 822 and RFC 3339 dates in UTC', () => {
    expect(rfc822('2021-06-28T14:39:00.000Z')).toBe('Mon, 28 Jun 2021 14:39:00 +0000');
    expect(rfc3339('2021-06-28T14:39:00.000Z')).toBe('2021-06-28T14:39:00Z');
  });
  it('makes root-relative URLs absolute, srcset included', () => {
    expect(absolutizeHtml('<img src="/media/a.jpg" srcset="/media/a-480.webp 480w, /media/a-960.webp 960w"><a href="https://x.org/">', BASE)).toBe(
      `<img src="${BASE}/media/a.jpg" srcset="${BASE}/media/a-480.webp 480w, ${BASE}/media/a-960.webp 960w"><a href="https://x.org/">`,
    );
  });
});

describe.each(storeTargets())('site feeds ($name)', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  let main: Article;
  let tricky: Article;
  let storageKey: string;

  beforeAll(async () => {
    site = await openTestSite(target, { NASHRA_BASE_URL: BASE });
    const { services, config } = site;
    app = await buildApp({ services });
    const jpeg = await sharp({ create: { width: 1200, height: 675, channels: 3, background: '#336' } }).jpeg().toBuffer();
    const img = await prepareImage(config.mediaDir, jpeg, 'lead.jpg');
    const media = await services.store.db.transaction().execute((trx) => saveImageIn(trx, img));
    storageKey = media.storageKey!;
    main = await services.articles.create({ ...input, lead: { mediaId: media.id, caption: 'تعليق', credit: 'رويترز' } });
    tricky = await services.articles.create({ ...input, headline: TRICKY, publishedAt: '2021-06-27T09:05:00Z' });
    for (let i = 0; i < 22; i++) {
      await services.articles.create({ ...input, headline: `خبر قديم ${i}`, publishedAt: `2020-01-${String(i + 1).padStart(2, '0')}T10:00:00Z` });
    }
    await services.articles.create({ ...input, headline: 'مسودة لم تنشر', status: 'draft', publishedAt: undefined });
  });

  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  for (const [path, type] of [
    ['/feed.xml', 'application/rss+xml; charset=utf-8'],
    ['/feed.atom', 'application/atom+xml; charset=utf-8'],
  ] as const) {
    it(`${path} parses, with Arabic items, links, dates, the lead image and the language`, async () => {
      const res = await get(path);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['cache-control']).toBe('public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400');
      const feed = parseFeed(res.body);
      expect(feed.language).toBe('ar');
      expect(feed.self).toBe(BASE + path);
      expect(feed.items).toHaveLength(20);
      const titles = feed.items.map((i) => i.title);
      expect(titles).not.toContain('مسودة لم تنشر');
      const [first, second] = feed.items;
      expect(first!.title).toBe(main.headline);
      expect(first!.url).toBe(BASE + articlePath(main));
      expect(first!.published?.toISOString()).toBe('2021-06-28T14:39:00.000Z');
      expect(first!.media.map((m) => m.url)).toContain(`${BASE}/media/${storageKey}`);
      expect(first!.description).toBe(input.summary);
      // The parser decodes entities once more than XML does, so the escaped tag text is checked on the raw body below.
      expect(first!.content).toContain('<h2>عنوان فرعي</h2>');
      expect(res.body).toContain('فقرة أولى &amp;lt;b&gt;ليست وسماً&amp;lt;/b&gt;');
      expect(first!.content).toContain(`src="${BASE}/media/`);
      expect(second!.title).toBe(TRICKY);
      expect(second!.url).toBe(BASE + articlePath(tricky));
      expect(second!.published?.toISOString()).toBe('2021-06-27T09:05:00.000Z');
      expect(second!.media).toHaveLength(0);
    });
  }

  it('RSS carries RFC 822 dates, media:content and the namespaces', async () => {
    const body = (await get('/feed.xml')).body;
    expect(body).toContain('xmlns:media="http://search.yahoo.com/mrss/"');
    expect(body).toContain('xmlns:atom="http://www.w3.org/2005/Atom"');
    expect(body).toContain('<language>ar</language>');
    expect(body).toContain('<pubDate>Mon, 28 Jun 2021 14:39:00 +0000</pubDate>');
    expect(body).toMatch(new RegExp(`<media:content url="${BASE}/media/${storageKey}" type="image/jpeg" medium="image" width="1200" height="675"/>`));
    expect(body).toContain('<title>عنوان &lt;فيه&gt; &amp; &quot;علامات&quot; &apos;خاصة&apos;</title>');
  });

  it('Atom declares xml:lang and RFC 3339 dates', async () => {
    const body = (await get('/feed.atom')).body;
    expect(body).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">');
    expect(body).toContain('<published>2021-06-28T14:39:00Z</published>');
  });

  it('/feed.json is JSON Feed 1.1', async () => {
    const res = await get('/feed.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/feed+json; charset=utf-8');
    const feed = JSON.parse(res.body);
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.language).toBe('ar');
    expect(feed.home_page_url).toBe(`${BASE}/`);
    expect(feed.feed_url).toBe(`${BASE}/feed.json`);
    expect(feed.items).toHaveLength(20);
    const [first, second] = feed.items;
    expect(first).toMatchObject({
      id: `${BASE}/news/${main.id}`,
      url: BASE + articlePath(main),
      title: main.headline,
      summary: input.summary,
      image: `${BASE}/media/${storageKey}`,
      date_published: '2021-06-28T14:39:00Z',
      authors: [{ name: 'فريق التحرير' }],
    });
    expect(first.content_html).toContain('<h2>عنوان فرعي</h2>');
    expect(second.title).toBe(TRICKY);
    expect(second.image).toBeUndefined();
    for (const item of feed.items) {
      expect(typeof item.id).toBe('string');
      expect(new Date(item.date_published).toISOString()).toBeTruthy();
    }
  });

  it('answers 304 to If-None-Match with the ETag, and changes it when content changes', async () => {
    for (const path of ['/feed.xml', '/feed.atom', '/feed.json']) {
      const first = await get(path, { 'accept-encoding': 'br' });
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[^W]/);
      const again = await get(path, { 'if-none-match': etag });
      expect(again.statusCode, path).toBe(304);
      expect(again.body).toBe('');
    }
    const before = (await get('/feed.xml')).headers.etag as string;
    await site.services.articles.create({ ...input, headline: 'خبر أحدث', publishedAt: '2021-06-29T08:00:00Z' });
    const after = await get('/feed.xml', { 'if-none-match': before });
    expect(after.statusCode).toBe(200);
    expect(parseFeed(after.body).items[0]!.title).toBe('خبر أحدث');
  });

  it('the home page links to the three feeds', async () => {
    const html = (await get('/')).body;
    expect(html).toContain(`<link rel="alternate" type="application/rss+xml" title="`);
    for (const [type, path] of [
      ['application/rss+xml', '/feed.xml'],
      ['application/atom+xml', '/feed.atom'],
      ['application/feed+json', '/feed.json'],
    ] as const) {
      expect(html).toMatch(new RegExp(`<link rel="alternate" type="${type.replace('+', '\\+')}" title="[^"]*" href="${BASE}${path.replace('.', '\\.')}"/>`));
    }
  });
});
