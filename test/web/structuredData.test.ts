import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePath, type Article, type ArticleInput } from '../../src/domain/article.js';
import { importPageFile } from '../../src/ingest/page/importPage.js';
import { CROP_RATIOS, cropPath, cropSize, cropVersion, type CropRatio } from '../../src/services/crops.js';
import { prepareImage, saveImageIn } from '../../src/services/media.js';
import { buildApp } from '../../src/web/app.js';
import { SITE_IMAGES } from '../../src/web/reader/siteImages.js';
import { extractJsonLd } from '../../src/web/reader/structuredData/extract.js';
import { zonedIso } from '../../src/web/reader/structuredData/jsonLd.js';
import { validateStructuredData, type ImageSizer } from '../../src/web/reader/structuredData/validate.js';
import { clip, HEADLINE_MAX } from '../../src/web/reader/views/articleJsonLd.js';
import { authorPath, sectionPath } from '../../src/web/reader/views/layout.js';
import { SEED_PATH, hasSeed, openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

const BASE = 'https://nashra.example';
const FALLBACK = BASE + SITE_IMAGES.ogDefault.path;
/** Closes a script element, quotes of both kinds, and bidi controls (RLO … PDF, an RLM). */
const TRICKY = 'خبر </script><script>alert(1)</script> "مقتبس" \'و\' \u202Eمقلوب\u202C \u200Fنهاية';
const LONG = 'عنوان طويل جدا '.repeat(12).trim();

const input = (over: Partial<ArticleInput> = {}): ArticleInput => ({
  headline: 'بلينكن من مؤتمر روما: وجهنا رسائل قوية لميليشيات إيران',
  summary: 'ملخص الخبر & تفاصيله',
  body: [{ type: 'paragraph', spans: [{ text: 'فقرة أولى من المتن.' }] }],
  section: 'سياسة',
  tags: ['سوريا', 'إيران'],
  authors: ['سامر الأحمد', 'ليلى حسن'],
  status: 'published',
  publishedAt: '2021-06-28T14:39:00Z',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
  ...over,
});

/** Reads an image's size by asking the app for it, as a crawler would fetch it. */
function injectSizer(app: FastifyInstance): ImageSizer {
  return async (url) => {
    if (!url.startsWith(`${BASE}/`)) return null;
    const res = await app.inject({ method: 'GET', url: url.slice(BASE.length) });
    if (res.statusCode !== 200) return null;
    const meta = await sharp(res.rawPayload).metadata();
    return meta.width && meta.height ? { width: meta.width, height: meta.height } : null;
  };
}

describe('structured data helpers', () => {
  it('crops to exact ratios, at most 1200 wide, never under 50,000 pixels', () => {
    expect(cropSize(4000, 3000, '16x9')).toEqual({ width: 1200, height: 675 });
    expect(cropSize(4000, 3000, '4x3')).toEqual({ width: 1200, height: 900 });
    expect(cropSize(4000, 3000, '1x1')).toEqual({ width: 1200, height: 1200 });
    // The largest crop a smaller source allows.
    expect(cropSize(800, 600, '16x9')).toEqual({ width: 800, height: 450 });
    expect(cropSize(800, 600, '1x1')).toEqual({ width: 600, height: 600 });
    // Too small for 50,000 pixels: enlarged to the smallest size that has them.
    for (const ratio of CROP_RATIOS) {
      const { width, height } = cropSize(100, 80, ratio);
      expect(width * height).toBeGreaterThanOrEqual(50_000);
      expect(width * height).toBeLessThan(60_000);
    }
    for (const [w, h] of [[1, 1], [5000, 40], [40, 5000], [1920, 1080], [333, 777]]) {
      for (const ratio of CROP_RATIOS) {
        const s = cropSize(w!, h!, ratio);
        const [a, b] = ratio.split('x').map(Number) as [number, number];
        expect(s.width * b).toBe(s.height * a);
        expect(s.width).toBeLessThanOrEqual(1200);
        expect(s.width * s.height).toBeGreaterThanOrEqual(50_000);
      }
    }
  });

  it('clips headlines to 110 characters at a word, never inside a surrogate pair', () => {
    expect(clip('قصير', HEADLINE_MAX)).toBe('قصير');
    const long = clip(LONG, HEADLINE_MAX);
    expect(long.length).toBeLessThanOrEqual(HEADLINE_MAX);
    expect(long.endsWith('…')).toBe(true);
    expect(LONG.startsWith(long.slice(0, -1))).toBe(true);
    expect(LONG[long.length - 1]).toBe(' '); // cut at a word boundary
    const emoji = clip('😀'.repeat(100), HEADLINE_MAX);
    expect(emoji.length).toBeLessThanOrEqual(HEADLINE_MAX);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('writes times in the article zone with its offset', () => {
    expect(zonedIso('2021-06-28T14:39:00.000Z', 'Asia/Damascus')).toBe('2021-06-28T17:39:00+03:00');
    expect(zonedIso('2021-01-10T08:00:00.000Z', 'America/New_York')).toBe('2021-01-10T03:00:00-05:00');
  });

  it('finds JSON-LD in scripts, arrays and @graph, and reports a script that is not JSON', () => {
    const html =
      '<head><script type="application/ld+json">{"@type":"A"}</script><script type="application/ld+json">[{"@type":"B"}]</script>' +
      '<script type="application/ld+json">{"@graph":[{"@type":"C"}]}</script><script type="application/ld+json">{oops</script></head>';
    const found = extractJsonLd(html);
    expect(found.slice(0, 3)).toEqual([{ '@type': 'A' }, { '@type': 'B' }, { '@type': 'C' }]);
    expect(found[3]).toBeInstanceOf(Error);
  });

  const sizes: Record<string, { width: number; height: number }> = {
    'https://x.example/16x9.jpg': { width: 1200, height: 675 },
    'https://x.example/4x3.jpg': { width: 1200, height: 900 },
    'https://x.example/1x1.jpg': { width: 1200, height: 1200 },
    'https://x.example/tiny.jpg': { width: 200, height: 200 },
    'https://x.example/wide.jpg': { width: 1000, height: 500 },
  };
  const imageSize: ImageSizer = async (u) => sizes[u] ?? null;
  const valid = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    mainEntityOfPage: { '@type': 'WebPage', '@id': 'https://x.example/news/1/a' },
    headline: 'عنوان',
    image: ['https://x.example/16x9.jpg', 'https://x.example/4x3.jpg', 'https://x.example/1x1.jpg'],
    datePublished: '2021-06-28T17:39:00+03:00',
    dateModified: '2021-06-28T18:00:00+03:00',
    author: [{ '@type': 'Person', name: 'سامر', url: 'https://x.example/author/a' }],
    publisher: { '@type': 'Organization', name: 'نشرة', logo: { '@type': 'ImageObject', url: 'https://x.example/logo.png' } },
    articleSection: 'سياسة',
    inLanguage: 'ar',
  };

  it('passes valid markup and names each broken NewsArticle property', async () => {
    expect(await validateStructuredData([valid], { imageSize })).toEqual([]);
    const broken = {
      ...valid,
      headline: 'ع'.repeat(111),
      image: ['https://x.example/16x9.jpg', 'https://x.example/tiny.jpg', 'https://x.example/wide.jpg'],
      datePublished: '2021-06-28T17:39:00',
      dateModified: '2021-06-28T10:00:00+03:00',
      author: [{ '@type': 'Person', name: 'سامر', url: '/author/a' }, { '@type': 'Organization', name: 'نشرة', url: 'https://x.example/' }],
      publisher: { '@type': 'Organization', name: 'نشرة', logo: 'https://x.example/logo.png' },
      articleSection: '',
      inLanguage: 'en',
    };
    const problems = await validateStructuredData([broken], { imageSize });
    for (const prop of ['headline', 'image', 'datePublished', 'author[0].url', 'author[1]', 'publisher.logo', 'articleSection', 'inLanguage']) {
      expect(problems.some((p) => p.startsWith(`NewsArticle.${prop}:`)), prop).toBe(true);
    }
    expect(problems).toContain('NewsArticle.image: https://x.example/tiny.jpg is 200×200, fewer than 50000 pixels');
    expect(problems).toContain('NewsArticle.image: no 4:3 image');
    const earlier = await validateStructuredData([{ ...valid, dateModified: '2021-06-28T14:00:00Z' }], { imageSize });
    expect(earlier).toEqual(['NewsArticle.dateModified: earlier than datePublished']);
    // One image is allowed only when it is the site's fallback card.
    const single = { ...valid, image: ['https://x.example/wide.jpg'] };
    expect(await validateStructuredData([single], { imageSize })).toContain('NewsArticle.image: no 1:1 image');
    expect(await validateStructuredData([single], { imageSize, fallbackImages: ['https://x.example/wide.jpg'] })).toEqual([]);
    expect(await validateStructuredData([{ ...valid, author: [] }], { imageSize })).toEqual(['NewsArticle.author: not a non-empty array']);
  });

  it('checks breadcrumbs, the search action and required types', async () => {
    const crumbs = {
      '@type': 'BreadcrumbList',
      itemListElement: [
        { '@type': 'ListItem', position: 1, name: 'a', item: 'https://x.example/' },
        { '@type': 'ListItem', position: 3, name: '', item: '/section/x' },
      ],
    };
    expect(await validateStructuredData([crumbs], { imageSize })).toEqual([
      'BreadcrumbList.itemListElement[1].position: expected 2, got 3',
      'BreadcrumbList.itemListElement[1].name: missing',
      'BreadcrumbList.itemListElement[1].item: missing or not an absolute URL',
    ]);
    const site = {
      '@type': 'WebSite',
      url: 'https://x.example/',
      name: 'نشرة',
      potentialAction: { '@type': 'SearchAction', target: 'https://x.example/search?q=', 'query-input': 'required name=q' },
    };
    expect(await validateStructuredData([site], { imageSize, require: ['WebSite', 'NewsArticle'] })).toEqual([
      'WebSite.potentialAction.target: no absolute URL template with {search_term_string}',
      'WebSite.potentialAction.query-input: does not name search_term_string',
      'NewsArticle: missing from the page',
    ]);
  });
});

describe.each(storeTargets())('structured data and crops ($name)', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  let imageSize: ImageSizer;
  let withLead: Article;
  let tricky: Article;
  let bodyOnly: Article;
  let bare: Article;
  let smallId: number;
  let leadKey: string;

  const saveImage = async (img: Buffer, name: string) => {
    const prepared = await prepareImage(site.config.mediaDir, img, name);
    return site.services.store.db.transaction().execute((trx) => saveImageIn(trx, prepared));
  };

  beforeAll(async () => {
    site = await openTestSite(target, { NASHRA_BASE_URL: BASE });
    const { services } = site;
    app = await buildApp({ services });
    imageSize = injectSizer(app);
    // A face-less but uneven picture: a bright block off centre for the attention strategy.
    const big = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#336' } })
      .composite([{ input: await sharp({ create: { width: 300, height: 300, channels: 3, background: '#fc0' } }).png().toBuffer(), left: 1500, top: 100 }])
      .jpeg()
      .toBuffer();
    const lead = await saveImage(big, 'lead.jpg');
    leadKey = lead.storageKey!;
    // Small, with transparency: enlarged to 50,000 pixels, and flattened for JPEG.
    const small = await saveImage(await sharp({ create: { width: 160, height: 120, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer(), 'small.png');
    smallId = small.id;
    withLead = await services.articles.create(input({ lead: { mediaId: lead.id, caption: 'وزير الخارجية' } }));
    tricky = await services.articles.create(input({ headline: `${TRICKY} ${LONG}`, summary: TRICKY, authors: ['كاتب "غريب" </script>'], tags: [TRICKY] }));
    bodyOnly = await services.articles.create(
      input({ headline: 'خبر بصورة في المتن', body: [{ type: 'paragraph', spans: [{ text: 'قبل الصورة' }] }, { type: 'image', mediaId: small.id }] }),
    );
    bare = await services.articles.create(input({ headline: 'خبر بلا صورة ولا كاتب', authors: [], tags: [], summary: undefined }));
  });

  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  const get = (url: string) => app.inject({ method: 'GET', url });
  const jsonLdOf = async (path: string) => {
    const res = await get(path);
    expect(res.statusCode).toBe(200);
    return extractJsonLd(res.body);
  };
  const articleChecks = { require: ['NewsArticle', 'BreadcrumbList'], fallbackImages: [FALLBACK] } as const;

  it('gives an article with a lead picture and two authors valid NewsArticle and BreadcrumbList markup', async () => {
    const objects = await jsonLdOf(articlePath(withLead));
    expect(await validateStructuredData(objects, { imageSize, ...articleChecks, fallbackImages: [] })).toEqual([]);
    const [news, crumbs] = objects as [Record<string, any>, Record<string, any>];
    const url = BASE + articlePath(withLead);
    expect(news).toMatchObject({
      '@type': 'NewsArticle',
      url,
      mainEntityOfPage: { '@id': url },
      headline: withLead.headline,
      description: 'ملخص الخبر & تفاصيله',
      datePublished: '2021-06-28T17:39:00+03:00',
      dateModified: '2021-06-28T17:39:00+03:00',
      articleSection: 'سياسة',
      inLanguage: 'ar',
      keywords: ['سوريا', 'إيران'],
      publisher: { '@type': 'Organization', name: site.config.siteName, logo: { '@type': 'ImageObject', url: BASE + SITE_IMAGES.logo.path } },
    });
    expect(news.image).toEqual(CROP_RATIOS.map((r) => BASE + cropPath({ id: withLead.lead!.media.id, storageKey: leadKey }, r)));
    expect(news.author).toEqual(
      withLead.authors.map((a) => ({ '@type': 'Person', name: a.name, url: BASE + authorPath(a.slug) })),
    );
    expect(crumbs.itemListElement.map((i: { item: string }) => i.item)).toEqual([`${BASE}/`, BASE + sectionPath(withLead.section.slug), url]);
  });

  it('keeps tricky text inside the script and within 110 characters', async () => {
    const res = await get(articlePath(tricky));
    // The only script closers are the page's own: the JSON-LD escaped every `<`.
    const scripts = res.body.match(/<script\b[^>]*>[\s\S]*?<\/script>/g)!;
    expect(res.body.match(/<\/script>/g)!.length).toBe(scripts.length);
    expect(res.body).not.toContain('<script>alert(1)');
    const objects = extractJsonLd(res.body);
    expect(await validateStructuredData(objects, { imageSize, ...articleChecks })).toEqual([]);
    const news = objects[0] as Record<string, any>;
    expect(news.headline.length).toBeLessThanOrEqual(110);
    expect(news.headline.startsWith(TRICKY)).toBe(true);
    expect(news.headline.endsWith('…')).toBe(true);
    expect(news.description).toBe(TRICKY);
    expect(news.author[0].name).toBe('كاتب "غريب" </script>');
    expect(news.keywords).toEqual([TRICKY]);
  });

  it('takes the first body picture when there is no lead, enlarging a small one', async () => {
    const news = (await jsonLdOf(articlePath(bodyOnly)))[0] as { image: string[] };
    expect(news.image).toHaveLength(3);
    expect(news.image[0]).toContain(`/media/crop/${smallId}/`);
    for (const url of news.image) {
      const size = (await imageSize(url))!;
      expect(size.width * size.height).toBeGreaterThanOrEqual(50_000);
    }
    expect(await validateStructuredData([news], { imageSize })).toEqual([]);
  });

  it('falls back to the site card and the newsroom as author for an article with neither picture nor byline', async () => {
    const objects = await jsonLdOf(articlePath(bare));
    const news = objects[0] as Record<string, any>;
    expect(news.image).toEqual([FALLBACK]);
    expect(news.author).toEqual([{ '@type': 'Organization', name: site.config.siteName, url: `${BASE}/` }]);
    // No summary: the opening paragraph describes it.
    expect(news.description).toBe('فقرة أولى من المتن.');
    expect(await validateStructuredData(objects, { imageSize, ...articleChecks })).toEqual([]);
    // Without the fallback allowance the validator says what is missing.
    expect(await validateStructuredData(objects, { imageSize })).toContain('NewsArticle.image: no 1:1 image');
  });

  it('gives the home page a WebSite with a SearchAction, and no article markup', async () => {
    const objects = await jsonLdOf('/');
    expect(await validateStructuredData(objects, { imageSize, require: ['WebSite'] })).toEqual([]);
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({
      url: `${BASE}/`,
      potentialAction: { target: { urlTemplate: `${BASE}/search?q={search_term_string}` }, 'query-input': 'required name=search_term_string' },
    });
    // The template is the search page readers use.
    expect((await get('/search?q=%D8%B3%D9%88%D8%B1%D9%8A%D8%A7')).statusCode).toBe(200);
  });

  it('serves each crop at its size and ratio, JPEG, cached forever', async () => {
    const m = withLead.lead!.media;
    for (const ratio of CROP_RATIOS) {
      const res = await get(cropPath({ id: m.id, storageKey: leadKey }, ratio));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/jpeg');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const meta = await sharp(res.rawPayload).metadata();
      expect(meta.format).toBe('jpeg');
      expect({ width: meta.width, height: meta.height }).toEqual(cropSize(2000, 1000, ratio));
      expect(meta.width! * meta.height!).toBeGreaterThanOrEqual(50_000);
    }
    // Stored under the media directory; a second request reads the same file.
    const first = await get(cropPath({ id: m.id, storageKey: leadKey }, '1x1'));
    const again = await get(cropPath({ id: m.id, storageKey: leadKey }, '1x1'));
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
  });

  it('gives concurrent first requests the same crop: one file, no temporary ones left', async () => {
    const fresh = await saveImage(await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#2a6' } }).jpeg().toBuffer(), 'fresh.jpg');
    const version = cropVersion(fresh.storageKey!);
    const url = cropPath({ id: fresh.id, storageKey: fresh.storageKey! }, '4x3');
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(url)));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(6).fill(200));
    for (const r of answers) expect(r.rawPayload.equals(answers[0]!.rawPayload)).toBe(true);
    const files = readdirSync(join(site.config.mediaDir, 'crops'), { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => f.includes(version))).toEqual([join(version.slice(0, 2), `${version}-4x3.jpg`)]);
  });

  it('answers 404, never 500, for bad ratios, unknown or missing pictures and stale versions', async () => {
    const m = withLead.lead!.media;
    const v = cropVersion(leadKey);
    const bad = [
      `/media/crop/${m.id}/${v}/2x1.jpg`,
      `/media/crop/${m.id}/${v}/16x9.png`,
      `/media/crop/${m.id}/${v}/16x9`,
      `/media/crop/999999/${v}/16x9.jpg`,
      `/media/crop/0/${v}/16x9.jpg`,
      `/media/crop/abc/${v}/16x9.jpg`,
      `/media/crop/99999999999/${v}/16x9.jpg`,
      `/media/crop/${m.id}/${cropVersion('other/key.jpg')}/16x9.jpg`,
      `/media/crop/${m.id}/not-a-version/16x9.jpg`,
      `/media/crop/${m.id}/${v}/..%2F..%2Fetc.jpg`,
      `/media/crop/${m.id}/${v}/`,
    ];
    for (const url of bad) expect((await get(url)).statusCode, url).toBe(404);
    // A picture whose original is gone, and one whose original is damaged.
    const gone = await saveImage(await sharp({ create: { width: 900, height: 600, channels: 3, background: '#a00' } }).jpeg().toBuffer(), 'gone.jpg');
    await rm(join(site.config.mediaDir, gone.storageKey!));
    expect((await get(cropPath({ id: gone.id, storageKey: gone.storageKey! }, '16x9'))).statusCode).toBe(404);
    const broken = await saveImage(await sharp({ create: { width: 900, height: 601, channels: 3, background: '#0a0' } }).jpeg().toBuffer(), 'broken.jpg');
    await writeFile(join(site.config.mediaDir, broken.storageKey!), Buffer.from('not an image at all'));
    expect((await get(cropPath({ id: broken.id, storageKey: broken.storageKey! }, '16x9'))).statusCode).toBe(404);
  });

  describe('the seed article', () => {
    it.runIf(hasSeed())('carries valid NewsArticle JSON-LD with the site card standing in for its missing picture', async () => {
      const r = await importPageFile(site.services, SEED_PATH, { publish: true });
      const objects = await jsonLdOf(articlePath({ id: r.id, slug: r.slug }));
      expect(await validateStructuredData(objects, { imageSize, ...articleChecks })).toEqual([]);
      const news = objects[0] as Record<string, any>;
      expect(news.headline).toBe('بلينكن من مؤتمر روما: وجهنا رسائل قوية لميليشيات إيران وسنواصل قتال تنظيم الدولة');
      expect(news.datePublished).toBe('2021-06-28T17:39:00+03:00');
    });

    it.runIf(hasSeed())('carries three generated crops when its picture is at hand', async () => {
      // The seed names blynkn.png; give the importer one, as a newsroom would with --media-dir.
      const dir = mkdtempSync(join(tmpdir(), 'nashra-seed-media-'));
      writeFileSync(join(dir, 'blynkn.png'), await sharp({ create: { width: 1280, height: 853, channels: 3, background: '#457' } }).png().toBuffer());
      const r = await importPageFile(site.services, SEED_PATH, { publish: true, mediaDir: dir });
      const objects = await jsonLdOf(articlePath({ id: r.id, slug: r.slug }));
      expect(await validateStructuredData(objects, { imageSize, ...articleChecks, fallbackImages: [] })).toEqual([]);
      const sizes = await Promise.all((objects[0] as { image: string[] }).image.map((u) => imageSize(u)));
      expect(sizes).toEqual((['16x9', '4x3', '1x1'] as CropRatio[]).map((ratio) => cropSize(1280, 853, ratio)));
    });
  });
});
