import { parseFeed } from '@rowanmanning/feed-parser';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePath, type Article, type ArticleInput, type Named } from '../../src/domain/article.js';
import { articleKey, authorKey, FEEDS_KEY, sectionKey, tagKey } from '../../src/domain/surrogateKeys.js';
import { markRevisedIn } from '../../src/services/articles.js';
import { prepareImage, saveImageIn } from '../../src/services/media.js';
import { buildApp } from '../../src/web/app.js';
import { authorPath, sectionPath, tagPath } from '../../src/web/reader/views/layout.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

const BASE = 'https://nashra.example';
const SITE_NAME_RE = /^.+ — /;
const FORMATS = [
  ['feed.xml', 'application/rss+xml'],
  ['feed.atom', 'application/atom+xml'],
  ['feed.json', 'application/feed+json'],
] as const;
const RFC822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const base = (over: Partial<ArticleInput>): ArticleInput => ({
  headline: 'خبر',
  body: [{ type: 'paragraph', spans: [{ text: 'فقرة' }] }],
  section: 'سياسة',
  status: 'published',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
  ...over,
});

/** The MUSTs of JSON Feed 1.1 (jsonfeed.org/version/1.1), and RFC 3339 dates. */
function checkJsonFeed(feed: any) {
  expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
  expect(typeof feed.title).toBe('string');
  expect(Array.isArray(feed.items)).toBe(true);
  for (const item of feed.items) {
    expect(typeof item.id).toBe('string');
    expect(typeof item.content_html === 'string' || typeof item.content_text === 'string').toBe(true);
    for (const d of [item.date_published, item.date_modified]) if (d !== undefined) expect(d).toMatch(RFC3339);
  }
}

/** One list's feed in any format, as `{ title, self, page, items: [{ title, url, published, image }] }`. */
function readFeed(format: string, body: string) {
  if (format === 'feed.json') {
    const feed = JSON.parse(body);
    checkJsonFeed(feed);
    return {
      title: feed.title as string,
      self: feed.feed_url as string,
      page: feed.home_page_url as string,
      language: feed.language as string,
      items: (feed.items as any[]).map((i) => ({
        title: i.title as string,
        url: i.url as string,
        published: new Date(i.date_published).toISOString(),
        image: (i.image as string | undefined) ?? null,
        content: (i.content_html as string | undefined) ?? null,
        description: (i.summary as string | undefined) ?? null,
      })),
    };
  }
  const feed = parseFeed(body);
  return {
    title: feed.title!,
    self: feed.self!,
    page: feed.url!,
    language: feed.language!,
    items: feed.items.map((i) => ({
      title: i.title!,
      url: i.url!,
      published: i.published!.toISOString(),
      image: i.media[0]?.url ?? null,
      content: i.content,
      description: i.description,
    })),
  };
}

describe.each(storeTargets())('section, tag and author feeds ($name)', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  let politics: Article;
  let economy: Article;
  let older: Article;
  let storageKey: string;
  let draftNames: { section: string; tag: Named; author: Named };

  beforeAll(async () => {
    site = await openTestSite(target, { NASHRA_BASE_URL: BASE });
    const { services, config } = site;
    app = await buildApp({ services });
    const jpeg = await sharp({ create: { width: 1200, height: 675, channels: 3, background: '#633' } }).jpeg().toBuffer();
    const img = await prepareImage(config.mediaDir, jpeg, 'lead.jpg');
    const media = await services.store.db.transaction().execute((trx) => saveImageIn(trx, img));
    storageKey = media.storageKey!;
    politics = await services.articles.create(
      base({
        headline: 'بلينكن من مؤتمر روما',
        summary: 'ملخص & تفاصيل',
        body: [
          { type: 'paragraph', spans: [{ text: 'فقرة السياسة' }] },
          { type: 'subheading', text: 'عنوان فرعي' },
        ],
        tags: ['سوريا', 'روما'],
        authors: ['فريق التحرير', 'سامر الأحمد'],
        publishedAt: '2021-06-28T14:39:00Z',
        lead: { mediaId: media.id, caption: 'تعليق' },
      }),
    );
    economy = await services.articles.create(
      base({
        headline: 'الليرة تتراجع',
        section: 'اقتصاد',
        tags: ['سوريا'],
        authors: ['سامر الأحمد'],
        publishedAt: '2021-06-27T09:05:00Z',
      }),
    );
    older = await services.articles.create(
      base({ headline: 'خبر سياسي أقدم', authors: ['فريق التحرير'], publishedAt: '2021-06-20T08:00:00Z' }),
    );
    await markRevisedIn(services.store.db, economy.id, '2021-06-29T10:00:00Z');
    const draft = await services.articles.create(
      base({ headline: 'مسودة', section: 'مسودات', tags: ['سري'], authors: ['كاتب مجهول'], status: 'draft' }),
    );
    draftNames = { section: draft.section.slug, tag: draft.tags[0]!, author: draft.authors[0]! };
  });

  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  /** Each list with its path, the surrogate key it names itself by, and what it must list, newest first. */
  const lists = () => {
    const team = politics.authors.find((a) => a.name === 'فريق التحرير')!;
    const samer = politics.authors.find((a) => a.name === 'سامر الأحمد')!;
    const syria = politics.tags.find((t) => t.name === 'سوريا')!;
    return [
      { label: 'section', path: sectionPath(politics.section.slug), key: sectionKey(politics.section.id), title: 'سياسة', items: [politics, older] },
      { label: 'tag', path: tagPath(syria.slug), key: tagKey(syria.id), title: 'وسم: سوريا', items: [politics, economy] },
      { label: 'author', path: authorPath(samer.slug), key: authorKey(samer.id), title: 'الكاتب: سامر الأحمد', items: [politics, economy] },
      { label: 'team', path: authorPath(team.slug), key: authorKey(team.id), title: 'الكاتب: فريق التحرير', items: [politics, older] },
    ];
  };

  it('every list feed parses in all three formats, with its own items, links, dates and lead image', async () => {
    for (const list of lists()) {
      for (const [file, type] of FORMATS) {
        const url = `${list.path}/${file}`;
        const res = await get(url);
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['content-type']).toBe(`${type}; charset=utf-8`);
        const feed = readFeed(file, res.body);
        expect(feed.title, url).toMatch(SITE_NAME_RE);
        expect(feed.title.endsWith(` — ${list.title}`), url).toBe(true);
        expect(feed.self).toBe(`${BASE}${list.path}/${file}`);
        expect(feed.page).toBe(BASE + list.path);
        expect(feed.language).toBe('ar');
        expect(feed.items.map((i) => i.title), url).toEqual(list.items.map((a) => a.headline));
        expect(feed.items.map((i) => i.url)).toEqual(list.items.map((a) => BASE + articlePath(a)));
        expect(feed.items.map((i) => i.published)).toEqual(list.items.map((a) => a.publishedAt));
        const first = feed.items[0]!;
        expect(first.image).toBe(`${BASE}/media/${storageKey}`);
        expect(first.content).toContain('<h2>عنوان فرعي</h2>');
        expect(first.description).toBe('ملخص & تفاصيل');
        expect(feed.items[1]!.image).toBeNull();
      }
    }
  });

  it('dates are RFC 822 in RSS and RFC 3339 in Atom, the newest change dating the feed', async () => {
    const syria = lists()[1]!;
    const rss = (await get(`${syria.path}/feed.xml`)).body;
    const pubDates = [...rss.matchAll(/<pubDate>([^<]+)<\/pubDate>/g)].map((m) => m[1]!);
    expect(pubDates).toEqual(['Mon, 28 Jun 2021 14:39:00 +0000', 'Sun, 27 Jun 2021 09:05:00 +0000']);
    for (const d of pubDates) expect(d).toMatch(RFC822);
    // The economy story was revised after the politics one was published.
    expect(rss).toContain('<lastBuildDate>Tue, 29 Jun 2021 10:00:00 +0000</lastBuildDate>');
    expect(rss).toContain('<language>ar</language>');
    expect(rss).toMatch(new RegExp(`<media:content url="${BASE}/media/${storageKey}" type="image/jpeg" medium="image" width="1200" height="675"/>`));
    const atom = (await get(`${syria.path}/feed.atom`)).body;
    expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">');
    expect(atom).toContain(`<id>${BASE}${syria.path}</id>`);
    expect(atom).toContain('<updated>2021-06-29T10:00:00Z</updated>');
    expect(atom).toContain(`<link rel="enclosure" type="image/jpeg" href="${BASE}/media/${storageKey}"/>`);
    for (const m of atom.matchAll(/<(?:published|updated)>([^<]+)</g)) expect(m[1]).toMatch(RFC3339);
    const json = JSON.parse((await get(`${syria.path}/feed.json`)).body);
    expect(json.items.map((i: any) => i.date_modified)).toEqual(['2021-06-28T14:39:00Z', '2021-06-29T10:00:00Z']);
  });

  it('names the feeds, the list and each item for CDN purges, and dates the response by its newest change', async () => {
    for (const list of lists()) {
      const res = await get(`${list.path}/feed.xml`);
      expect(res.headers['surrogate-key']).toBe([FEEDS_KEY, list.key, ...list.items.map((a) => articleKey(a.id))].join(' '));
      const newest = list.items.map((a) => (a.id === economy.id ? '2021-06-29T10:00:00.000Z' : a.publishedAt!)).sort().at(-1)!;
      expect(res.headers['last-modified'], list.path).toBe(new Date(newest).toUTCString());
    }
    const siteFeed = await get('/feed.json');
    expect(siteFeed.headers['surrogate-key']).toBe([FEEDS_KEY, ...[politics, economy, older].map((a) => articleKey(a.id))].join(' '));
    expect(siteFeed.headers['last-modified']).toBe('Tue, 29 Jun 2021 10:00:00 GMT');
  });

  it('answers 304 to If-None-Match for a list feed', async () => {
    for (const [file] of FORMATS) {
      const url = `${lists()[0]!.path}/${file}`;
      const first = await get(url, { 'accept-encoding': 'gzip' });
      expect(first.statusCode).toBe(200);
      const again = await get(url, { 'if-none-match': first.headers.etag as string });
      expect(again.statusCode, url).toBe(304);
      expect(again.body).toBe('');
    }
  });

  it('is a 404 for unknown slugs, lists with nothing published, bad slugs and unknown formats', async () => {
    const misses = [
      '/section/لا-يوجد/feed.xml',
      '/tag/لا-يوجد/feed.atom',
      '/author/لا-يوجد/feed.json',
      `${sectionPath(draftNames.section)}/feed.xml`,
      `${tagPath(draftNames.tag.slug)}/feed.atom`,
      `${authorPath(draftNames.author.slug)}/feed.json`,
      '/section/%00/feed.xml',
      `${lists()[0]!.path}/feed.rss`,
    ];
    for (const url of misses) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      // A draft's tag or author name must not reach readers through a feed title.
      expect(res.body).not.toContain(draftNames.tag.name);
      expect(res.body).not.toContain(draftNames.author.name);
    }
  });

  it('list pages link their own three feeds beside the site-wide ones', async () => {
    for (const list of lists()) {
      const html = (await get(list.path)).body;
      for (const [file, type] of FORMATS) {
        const re = new RegExp(`<link rel="alternate" type="${type.replace('+', '\\+')}" title="([^"]*)" href="${BASE}${list.path}/${file.replace('.', '\\.')}"/>`);
        const m = html.match(re);
        expect(m, `${list.path} ${file}`).not.toBeNull();
        expect(m![1]!.endsWith(` — ${list.title}`)).toBe(true);
        expect(html).toContain(`href="${BASE}/${file}"`);
      }
    }
  });

  it('the linked feed URL answers: discovery and routes agree', async () => {
    for (const list of lists()) {
      const html = (await get(list.path)).body;
      const hrefs = [...html.matchAll(/<link rel="alternate" type="[^"]+" title="[^"]*" href="([^"]+)"/g)].map((m) => m[1]!);
      const own = hrefs.filter((h) => h.startsWith(BASE + list.path));
      expect(own).toHaveLength(3);
      for (const href of own) expect((await get(href.slice(BASE.length))).statusCode, href).toBe(200);
    }
  });

  it('a new article reaches its lists’ feeds and changes their ETag', async () => {
    const path = `${lists()[0]!.path}/feed.xml`;
    const before = (await get(path)).headers.etag as string;
    await site.services.articles.create(base({ headline: 'خبر سياسي أحدث', publishedAt: '2021-06-30T08:00:00Z' }));
    const after = await get(path, { 'if-none-match': before });
    expect(after.statusCode).toBe(200);
    expect(parseFeed(after.body).items[0]!.title).toBe('خبر سياسي أحدث');
  });
});

describe.each(storeTargets())('feeds in summary mode ($name)', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  let withSummary: Article;
  let without: Article;

  beforeAll(async () => {
    site = await openTestSite(target, { NASHRA_BASE_URL: BASE, NASHRA_FEED_CONTENT: 'summary' });
    app = await buildApp({ services: site.services });
    without = await site.services.articles.create(
      base({
        headline: 'خبر بلا ملخص',
        body: [
          { type: 'subheading', text: 'عنوان فرعي أول' },
          { type: 'paragraph', spans: [{ text: 'الفقرة الأولى ' }, { text: 'برابط', href: 'https://example.org/' }] },
          { type: 'paragraph', spans: [{ text: 'الفقرة الثانية' }] },
        ],
        authors: ['سامر الأحمد'],
        publishedAt: '2021-06-28T14:39:00Z',
      }),
    );
    withSummary = await site.services.articles.create(
      base({ headline: 'خبر بملخص', summary: 'الملخص <هنا>', authors: ['سامر الأحمد'], publishedAt: '2021-06-27T09:05:00Z' }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  const get = (url: string) => app.inject({ method: 'GET', url });

  it('items carry the summary, or the first paragraph, and no full content, site-wide and per list', async () => {
    for (const prefix of ['', sectionPath(without.section.slug), authorPath(without.authors[0]!.slug)]) {
      const rss = (await get(`${prefix}/feed.xml`)).body;
      expect(rss).not.toContain('content:encoded>');
      const rssFeed = parseFeed(rss);
      expect(rssFeed.items.map((i) => i.description)).toEqual(['الفقرة الأولى برابط', 'الملخص <هنا>']);
      expect(rssFeed.items.every((i) => i.content === null || !i.content.includes('الفقرة الثانية'))).toBe(true);

      const atom = (await get(`${prefix}/feed.atom`)).body;
      expect(atom).not.toContain('<content');
      expect(parseFeed(atom).items.map((i) => i.description)).toEqual(['الفقرة الأولى برابط', 'الملخص <هنا>']);

      const json = JSON.parse((await get(`${prefix}/feed.json`)).body);
      checkJsonFeed(json);
      expect(json.items.map((i: any) => i.content_html)).toEqual([undefined, undefined]);
      expect(json.items.map((i: any) => [i.summary, i.content_text])).toEqual([
        ['الفقرة الأولى برابط', 'الفقرة الأولى برابط'],
        ['الملخص <هنا>', 'الملخص <هنا>'],
      ]);
      expect(json.items[1].id).toBe(`${BASE}/news/${withSummary.id}`);
    }
  });
});
