import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePath, type Article, type ArticleInput } from '../../src/domain/article.js';
import type { Media } from '../../src/domain/article.js';
import { markRevisedIn } from '../../src/services/articles.js';
import { prepareImage, saveImageIn } from '../../src/services/media.js';
import { SitemapService } from '../../src/services/sitemaps.js';
import type { Store } from '../../src/store/db.js';
import { getArticle } from '../../src/store/articles.js';
import { bumpContentVersion } from '../../src/store/siteState.js';
import { nextMonth } from '../../src/store/sitemaps.js';
import { ensureNamed } from '../../src/store/taxonomy.js';
import { slugify } from '../../src/text/slug.js';
import { buildApp } from '../../src/web/app.js';
import { buildNewsSitemap, buildUrlset, imagePath, w3cDate } from '../../src/web/reader/sitemapFormats.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { checkNewsSitemap, checkSitemap, isW3cDate, type NewsArticle } from '../helpers/sitemapRules.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

const BASE = 'https://nashra.example';
const HOUR = 3600 * 1000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

const input: ArticleInput = {
  headline: 'خبر',
  body: [{ type: 'paragraph', spans: [{ text: 'فقرة.' }] }],
  section: 'سياسة',
  tags: ['سوريا'],
  status: 'published',
  publishedAt: '2021-06-01T10:00:00Z',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
};

describe('sitemap builders', () => {
  const site = { name: 'نشرة', baseUrl: BASE };
  const media = (over: Partial<Media> = {}): Media => ({
    id: 1,
    originalName: 'a.png',
    storageKey: 'ab/abc.png',
    mime: 'image/png',
    width: 1200,
    height: 675,
    alt: null,
    caption: null,
    credit: null,
    variants: [
      { w: 960, h: 540, format: 'jpeg', key: 'ab/abc-960.jpg' },
      { w: 1200, h: 675, format: 'webp', key: 'ab/abc-1200.webp' },
      { w: 640, h: 360, format: 'jpeg', key: 'ab/abc-640.jpg' },
    ],
    ...over,
  });

  it('picks the widest JPEG variant, else the original, percent-encoded', () => {
    expect(imagePath(media())).toBe('/media/ab/abc-960.jpg');
    expect(imagePath(media({ variants: null }))).toBe('/media/ab/abc.png');
    expect(imagePath(media({ variants: null, storageKey: 'old/صورة 1.jpg' }))).toBe(`/media/old/${encodeURIComponent('صورة 1.jpg')}`);
    expect(imagePath(media({ storageKey: null }))).toBeNull();
  });

  it('writes W3C datetimes in UTC to the second', () => {
    expect(w3cDate('2021-06-28T14:39:00.123Z')).toBe('2021-06-28T14:39:00Z');
    expect(isW3cDate('2021-06-28T14:39:00Z')).toBe(true);
    expect(isW3cDate('2021-06-28T14:39+03:00')).toBe(true);
    expect(isW3cDate('2021-06-28')).toBe(true);
    expect(isW3cDate('2021-06-28 14:39:00')).toBe(false);
    expect(isW3cDate('Mon, 28 Jun 2021 14:39:00 +0000')).toBe(false);
  });

  it('drops pictures, never URLs, when a file would pass the byte limit', () => {
    const entries = [1, 2, 3].map((id) => ({ path: `/news/${id}/x`, lastmod: '2021-06-01T10:00:00.000Z', images: [media()] }));
    const full = buildUrlset(site, entries);
    expect(full).toContain('<image:image><image:loc>https://nashra.example/media/ab/abc-960.jpg</image:loc></image:image>');
    const small = buildUrlset(site, entries, Buffer.byteLength(full) - 1);
    expect(small).not.toContain('image:');
    expect(checkSitemap(small, BASE).sitemap.locs).toHaveLength(3);
    expect(checkSitemap(small, BASE).problems).toEqual([]);
  });

  it('rolls months over the year', () => {
    expect(nextMonth('2021-06')).toBe('2021-07');
    expect(nextMonth('2021-12')).toBe('2022-01');
  });

  it('escapes headlines and keeps them exact', () => {
    const headline = 'عنوان <فيه> & "علامات" \'خاصة\'';
    const now = new Date();
    const xml = buildNewsSitemap(site, [{ path: '/news/1/x', lastmod: null, images: [], headline, publishedAt: ago(HOUR) }]);
    expect(xml).toContain('<news:title>عنوان &lt;فيه&gt; &amp; &quot;علامات&quot; &apos;خاصة&apos;</news:title>');
    const articles = new Map<string, NewsArticle>([[`${BASE}/news/1/x`, { headline, publishedAt: ago(HOUR) }]]);
    // Published "an hour ago" twice, a few milliseconds apart: the validator compares exactly, so use the same instant.
    const at = ago(HOUR);
    const exact = buildNewsSitemap(site, [{ path: '/news/1/x', lastmod: null, images: [], headline, publishedAt: at }]);
    articles.set(`${BASE}/news/1/x`, { headline, publishedAt: at });
    expect(checkNewsSitemap(exact, { origin: BASE, now, siteName: 'نشرة', articles }).problems).toEqual([]);
  });

  it('the validator catches what the rules forbid', () => {
    const bad = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.8">',
      '<url><loc>/news/1/x</loc><lastmod>yesterday</lastmod></url>',
      '</urlset>',
    ].join('\n');
    const { problems } = checkSitemap(bad, BASE);
    expect(problems.join('\n')).toMatch(/namespace/);
    expect(() => checkSitemap('<urlset><url></urlset>', BASE)).toThrow();
    const ok = (loc: string, date: string, title = 'خبر') =>
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">',
        `<url><loc>${loc}</loc><news:news><news:publication><news:name>نشرة</news:name><news:language>ar</news:language></news:publication><news:publication_date>${date}</news:publication_date><news:title>${title}</news:title></news:news></url>`,
        '</urlset>',
      ].join('\n');
    const at = ago(49 * HOUR);
    const articles = new Map([[`${BASE}/news/1/x`, { headline: 'خبر', publishedAt: at }]]);
    const rules = { origin: BASE, now: new Date(), siteName: 'نشرة', articles };
    expect(checkNewsSitemap(ok(`${BASE}/news/1/x`, w3cDate(at)), rules).problems.join('\n')).toMatch(/outside the 48 hours/);
    expect(checkNewsSitemap(ok('https://other.example/news/1/x', w3cDate(at)), rules).problems.join('\n')).toMatch(/another origin/);
    articles.set(`${BASE}/news/1/x`, { headline: 'خبر آخر', publishedAt: ago(HOUR) });
    expect(checkNewsSitemap(ok(`${BASE}/news/1/x`, w3cDate(ago(2 * HOUR))), rules).problems.join('\n')).toMatch(/not the first publication[\s\S]*not the headline/);
  });
});

/** Published articles straight into the table, many per statement: the 1,000 cap needs over a thousand. */
async function bulkPublish(store: Store, headlines: string[], publishedAt: (i: number) => string): Promise<void> {
  const section = await ensureNamed(store.db, 'sections', slugify('سياسة'), 'سياسة');
  const now = new Date().toISOString();
  const body = JSON.stringify(input.body);
  for (let start = 0; start < headlines.length; start += 200) {
    const rows = headlines.slice(start, start + 200).map((headline, k) => ({
      slug: slugify(headline),
      headline,
      summary: null,
      body,
      lead_media_id: null,
      lead_caption: null,
      lead_credit: null,
      dateline_place: null,
      source_label: null,
      section_id: section.id,
      status: 'published',
      published_at: publishedAt(start + k),
      created_at: now,
      updated_at: now,
      time_zone: 'Asia/Damascus',
      city: 'دمشق',
    }));
    await store.db.insertInto('articles').values(rows).execute();
  }
  await bumpContentVersion(store.db);
}

describe.each(storeTargets())('sitemaps ($name)', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  const published: Article[] = [];
  let withImages: Article;
  let recent: Article;
  let inWindow: Article;
  let outOfWindow: Article;
  let revisedOld: Article;
  let draft: Article;
  let scheduled: Article;
  let unpublished: Article;
  let leadKey: string;
  let bodyKey: string;
  let coverageSlug: string;

  beforeAll(async () => {
    site = await openTestSite(target, { NASHRA_BASE_URL: BASE });
    const { services, config } = site;
    // Three URLs a file, so splitting shows without 50,000 rows.
    services.sitemaps = new SitemapService(services.store, 3);
    app = await buildApp({ services });
    const editor = actorFor(await insertTestUser(services.store, 'editor'));

    const image = async (color: string) => {
      const jpeg = await sharp({ create: { width: 1200, height: 675, channels: 3, background: color } }).jpeg().toBuffer();
      const img = await prepareImage(config.mediaDir, jpeg, 'pic.jpg');
      return services.store.db.transaction().execute((trx) => saveImageIn(trx, img));
    };
    const lead = await image('#336');
    const inBody = await image('#633');
    leadKey = lead.variants!.filter((v) => v.format === 'jpeg').sort((a, b) => b.w - a.w)[0]!.key;
    bodyKey = inBody.variants!.filter((v) => v.format === 'jpeg').sort((a, b) => b.w - a.w)[0]!.key;

    const create = async (over: Partial<ArticleInput>) => services.articles.create({ ...input, ...over });
    // June 2021: four published, so two parts of three and one.
    // Four tags in all (three files a part), so tags split too.
    for (let i = 1; i <= 4; i++) {
      const tags = i === 2 ? ['سوريا', 'العراق', 'الأردن'] : ['سوريا'];
      published.push(await create({ headline: `خبر يونيو ${i}`, publishedAt: `2021-06-0${i}T10:00:00Z`, tags }));
    }
    withImages = published[0]!;
    withImages = await services.articles.replace(withImages.id, {
      ...input,
      headline: withImages.headline,
      publishedAt: withImages.publishedAt!,
      lead: { mediaId: lead.id },
      body: [...input.body, { type: 'image', mediaId: inBody.id }],
    });
    // July 2021: one published; the rest never reach readers.
    published.push(await create({ headline: 'خبر يوليو', publishedAt: '2021-07-15T08:00:00Z', tags: ['لبنان'] }));
    draft = await create({ headline: 'مسودة', status: 'draft', publishedAt: undefined, section: 'رياضة', tags: ['سري'] });
    scheduled = await create({ headline: 'مجدول', status: 'draft', publishedAt: undefined });
    scheduled = await services.workflow.schedule(editor, scheduled.id, new Date(Date.now() + 24 * HOUR).toISOString());
    unpublished = await create({ headline: 'سحب من النشر', publishedAt: '2021-07-20T08:00:00Z', tags: ['سحب'] });
    unpublished = await services.workflow.unpublish(editor, unpublished.id);

    // Inside the news window but not on the site: a draft with a set time, a story taken down.
    await create({ headline: 'مسودة بموعد', status: 'draft', publishedAt: ago(HOUR) });
    await services.workflow.unpublish(editor, (await create({ headline: 'سحب اليوم', publishedAt: ago(3 * HOUR) })).id);
    recent = await create({ headline: 'عاجل: "اتفاق" <جديد> & تفاصيل', publishedAt: ago(2 * HOUR) });
    inWindow = await create({ headline: 'قبل ٤٧ ساعة', publishedAt: ago(47 * HOUR) });
    outOfWindow = await create({ headline: 'قبل ٤٩ ساعة', publishedAt: ago(49 * HOUR) });
    revisedOld = await create({ headline: 'قديم عُدّل اليوم', publishedAt: ago(50 * HOUR) });
    // Revised within the window: the update time is not a first publication.
    await markRevisedIn(services.store.db, revisedOld.id, ago(HOUR));
    await markRevisedIn(services.store.db, recent.id, ago(HOUR));
    await bumpContentVersion(services.store.db);
    published.push(recent, inWindow, outOfWindow, revisedOld);

    coverageSlug = (await services.live.createCoverage(editor, { title: 'تغطية مباشرة' })).slug;
  });

  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
  const fromBase = (url: string) => url.slice(BASE.length);
  const byUrl = () => new Map(published.map((a) => [BASE + articlePath(a), a]));

  async function index() {
    const res = await get('/sitemap.xml');
    expect(res.statusCode).toBe(200);
    const { sitemap, problems } = checkSitemap(res.body, BASE);
    expect(problems).toEqual([]);
    expect(sitemap.kind).toBe('sitemapindex');
    return sitemap;
  }

  it('the index names the months, split past the cap, then sections, tags, live and news', async () => {
    const res = await get('/sitemap.xml');
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.headers['surrogate-key']).toContain('sitemaps');
    expect(res.headers['last-modified']).toBeTruthy();
    const sitemap = await index();
    const months = new Set([ago(2 * HOUR), ago(47 * HOUR), ago(49 * HOUR), ago(50 * HOUR)].map((d) => d.slice(0, 7)));
    expect(sitemap.locs).toEqual([
      `${BASE}/sitemaps/articles-2021-06.xml`,
      `${BASE}/sitemaps/articles-2021-06-2.xml`,
      `${BASE}/sitemaps/articles-2021-07.xml`,
      // Four recent articles: two files if they share a month, more if the window spans two.
      ...[...months].sort().flatMap((m) => {
        const n = [2, 47, 49, 50].filter((h) => ago(h * HOUR).slice(0, 7) === m).length;
        return Array.from({ length: Math.ceil(n / 3) }, (_, i) => `${BASE}/sitemaps/articles-${m}${i ? `-${i + 1}` : ''}.xml`);
      }),
      `${BASE}/sitemaps/sections.xml`,
      `${BASE}/sitemaps/tags.xml`,
      `${BASE}/sitemaps/tags-2.xml`,
      `${BASE}/sitemaps/live.xml`,
      `${BASE}/news-sitemap.xml`,
    ]);
    // A month's lastmod is its latest change: the unpublished July article's withdrawal counts.
    const july = sitemap.lastmods[2]!;
    expect(Date.parse(july)).toBeGreaterThanOrEqual(Date.parse(w3cDate(ago(HOUR))));
    expect(sitemap.lastmods.every((d) => d && isW3cDate(d))).toBe(true);
  });

  it('every sitemap it names passes the rules; article sitemaps hold exactly the published articles', async () => {
    const sitemap = await index();
    const seen: string[] = [];
    for (const [i, loc] of sitemap.locs.entries()) {
      const res = await get(fromBase(loc));
      expect(res.statusCode, loc).toBe(200);
      // The file says it changed when the index says it did.
      expect(res.headers['last-modified'], loc).toBe(new Date(sitemap.lastmods[i]!).toUTCString());
      expect(res.headers['surrogate-key'], loc).toBe('sitemaps');
      expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
      const { sitemap: file, problems } = checkSitemap(res.body, BASE);
      expect(problems, loc).toEqual([]);
      expect(file.kind).toBe('urlset');
      expect(file.locs.length, loc).toBeLessThanOrEqual(3);
      if (loc.includes('/sitemaps/articles-')) seen.push(...file.locs);
    }
    expect(seen.sort()).toEqual(published.map((a) => BASE + articlePath(a)).sort());
    for (const a of [draft, scheduled, unpublished]) expect(seen).not.toContain(BASE + articlePath(a));
  });

  it('article entries: lastmod is the later of publication and revision; images are the lead and body pictures', async () => {
    const june = checkSitemap((await get('/sitemaps/articles-2021-06.xml')).body, BASE).sitemap;
    expect(june.locs).toEqual(published.slice(0, 3).map((a) => BASE + articlePath(a)));
    expect(june.lastmods[0]).toBe('2021-06-01T10:00:00Z');
    expect(june.images[0]).toEqual([`${BASE}/media/${leadKey}`, `${BASE}/media/${bodyKey}`]);
    expect(june.images[1]).toEqual([]);
    const part2 = checkSitemap((await get('/sitemaps/articles-2021-06-2.xml')).body, BASE).sitemap;
    expect(part2.locs).toEqual([BASE + articlePath(published[3]!)]);
    const month = ago(50 * HOUR).slice(0, 7);
    const files = (await index()).locs.filter((l) => l.includes(`articles-${month}`));
    const locs: string[] = [];
    const lastmods: (string | undefined)[] = [];
    for (const f of files) {
      const s = checkSitemap((await get(fromBase(f))).body, BASE).sitemap;
      locs.push(...s.locs);
      lastmods.push(...s.lastmods);
    }
    const i = locs.indexOf(BASE + articlePath(revisedOld));
    expect(lastmods[i]).toBe(w3cDate((await getArticle(site.services.store.db, revisedOld.id))!.revisedAt!));
  });

  it('answers 404 for files it does not name', async () => {
    for (const path of [
      '/sitemaps/articles-2021-06-3.xml',
      '/sitemaps/articles-2021-06-1.xml',
      '/sitemaps/articles-2021-05.xml',
      '/sitemaps/articles-2021-13.xml',
      '/sitemaps/articles-2021-06-02.xml',
      '/sitemaps/tags-3.xml',
      '/sitemaps/sections-2.xml',
      '/sitemaps/other.xml',
      '/sitemaps/%00.xml',
    ]) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(404);
      expect(res.headers['content-type'], path).toBe('text/html; charset=utf-8');
    }
  });

  it('sections and tags: only those with a published article, the home page first', async () => {
    const sections = checkSitemap((await get('/sitemaps/sections.xml')).body, BASE).sitemap;
    expect(sections.locs).toEqual([`${BASE}/`, `${BASE}/section/${encodeURIComponent(slugify('سياسة'))}`]);
    const tags = checkSitemap((await get('/sitemaps/tags.xml')).body, BASE).sitemap;
    const tags2 = checkSitemap((await get('/sitemaps/tags-2.xml')).body, BASE).sitemap;
    expect(tags.locs).toHaveLength(3);
    expect([...tags.locs, ...tags2.locs].sort()).toEqual(['سوريا', 'العراق', 'الأردن', 'لبنان'].map((t) => `${BASE}/tag/${encodeURIComponent(t)}`).sort());
    const live = checkSitemap((await get('/sitemaps/live.xml')).body, BASE).sitemap;
    expect(live.locs).toEqual([`${BASE}/live`, `${BASE}/live/${encodeURIComponent(coverageSlug)}`]);
  });

  it('the news sitemap: the last 48 hours by first publication, newest first, exact headlines', async () => {
    const before = Date.now();
    const res = await get('/news-sitemap.xml');
    const now = new Date();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.body).toContain('xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"');
    const articles = new Map([...byUrl()].map(([url, a]) => [url, { headline: a.headline, publishedAt: a.publishedAt! }]));
    const { sitemap, problems } = checkNewsSitemap(res.body, { origin: BASE, now, siteName: site.config.siteName, articles, slackMs: now.getTime() - before + 60_000 });
    expect(problems).toEqual([]);
    // 47 hours ago is in, 49 out; the article revised an hour ago was first published 50 hours ago.
    expect(sitemap.locs).toEqual([BASE + articlePath(recent), BASE + articlePath(inWindow)]);
    expect(sitemap.news[0]!.title).toBe('عاجل: "اتفاق" <جديد> & تفاصيل');
    // The title a reader sees: the page's <h1>, its entities decoded.
    const page = (await get(articlePath(recent))).body;
    const h1 = /<h1[^>]*>([^<]*)<\/h1>/.exec(page)![1]!;
    const decoded = h1.replace(/&(#x?[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (_m, e: string) =>
      e[0] === '#' ? String.fromCodePoint(parseInt(e.slice(e[1] === 'x' ? 2 : 1), e[1] === 'x' ? 16 : 10)) : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]!,
    );
    expect(sitemap.news[0]!.title).toBe(decoded);
    expect(sitemap.news[0]!.publicationDate).toBe(w3cDate(recent.publishedAt!));
    expect(sitemap.news[0]!.name).toBe('نشرة');
    expect(sitemap.news[0]!.language).toBe('ar');
    expect(sitemap.locs).not.toContain(BASE + articlePath(outOfWindow));
    expect(sitemap.locs).not.toContain(BASE + articlePath(revisedOld));
  });

  it('robots.txt allows all but the newsroom, the API and search, and names both sitemaps', async () => {
    const res = await get('/robots.txt');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toBe(
      ['User-agent: *', 'Allow: /', 'Disallow: /newsroom/', 'Disallow: /api/', 'Disallow: /search', '', `Sitemap: ${BASE}/sitemap.xml`, `Sitemap: ${BASE}/news-sitemap.xml`, ''].join('\n'),
    );
  });

  it('answers 304 to If-None-Match and changes when an article is published', async () => {
    const first = await get('/sitemaps/articles-2021-07.xml');
    const again = await get('/sitemaps/articles-2021-07.xml', { 'if-none-match': first.headers.etag as string });
    expect(again.statusCode).toBe(304);
    const added = await site.services.articles.create({ ...input, headline: 'خبر يوليو الثاني', publishedAt: '2021-07-16T08:00:00Z' });
    published.push(added);
    const after = await get('/sitemaps/articles-2021-07.xml', { 'if-none-match': first.headers.etag as string });
    expect(after.statusCode).toBe(200);
    expect(checkSitemap(after.body, BASE).sitemap.locs).toContain(BASE + articlePath(added));
  });
});

describe.each(storeTargets())('the news sitemap cap ($name)', (target) => {
  let site: TestSite;
  let app: FastifyInstance;

  beforeAll(async () => {
    site = await openTestSite(target, { NASHRA_BASE_URL: BASE });
    app = await buildApp({ services: site.services });
    // 1,005 articles a minute apart, the newest a minute old: all inside the window.
    const headlines = Array.from({ length: 1005 }, (_, i) => `خبر رقم ${i + 1}`);
    await bulkPublish(site.services.store, headlines, (i) => ago((i + 1) * 60_000));
  });

  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  it('holds the newest 1,000, newest first, and the month sitemaps hold all 1,005', async () => {
    const now = new Date();
    const res = await app.inject({ url: '/news-sitemap.xml' });
    const rows = await site.services.store.db.selectFrom('articles').select(['id', 'slug', 'headline', 'published_at']).execute();
    const articles = new Map(rows.map((r) => [BASE + articlePath(r), { headline: r.headline, publishedAt: r.published_at! }]));
    const { sitemap, problems } = checkNewsSitemap(res.body, { origin: BASE, now: new Date(), siteName: site.config.siteName, articles, slackMs: Date.now() - now.getTime() + 60_000 });
    expect(problems).toEqual([]);
    expect(sitemap.locs).toHaveLength(1000);
    expect(sitemap.news[0]!.title).toBe('خبر رقم 1');
    expect(sitemap.news[999]!.title).toBe('خبر رقم 1000');

    const index = checkSitemap((await app.inject({ url: '/sitemap.xml' })).body, BASE).sitemap;
    let total = 0;
    for (const loc of index.locs.filter((l) => l.includes('/sitemaps/articles-'))) {
      const { sitemap: file, problems: p } = checkSitemap((await app.inject({ url: fromBase(loc) })).body, BASE);
      expect(p).toEqual([]);
      total += file.locs.length;
    }
    expect(total).toBe(1005);
  });

  const fromBase = (url: string) => url.slice(BASE.length);
});
