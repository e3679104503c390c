import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePath, type Article, type ArticleInput } from '../../src/domain/article.js';
import type { Actor } from '../../src/domain/user.js';
import { importPageFile } from '../../src/ingest/page/importPage.js';
import { cropPath } from '../../src/services/crops.js';
import { prepareImage, saveImageIn } from '../../src/services/media.js';
import { buildApp } from '../../src/web/app.js';
import { SITE_IMAGES } from '../../src/web/reader/siteImages.js';
import { extractJsonLd, headTags, metaValues } from '../../src/web/reader/structuredData/extract.js';
import { zonedIso } from '../../src/web/reader/structuredData/jsonLd.js';
import { authorPath, sectionPath, tagPath, THEME_COLOR } from '../../src/web/reader/views/layout.js';
import { livePath } from '../../src/web/reader/views/live.js';
import { SEED_PATH, hasSeed, openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

const BASE = 'https://nashra.example';
/** Markup, both quotes, an ampersand and bidi controls (RLO … PDF, RLM), all of which must survive attribute escaping. */
const TRICKY = 'خبر </script><b>"مقتبس"</b> & \'و\' \u202Eمقلوب\u202C \u200Fنهاية';

const input = (over: Partial<ArticleInput> = {}): ArticleInput => ({
  headline: 'بلينكن من مؤتمر روما: وجهنا رسائل قوية لميليشيات إيران',
  summary: 'ملخص الخبر',
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

/** The single value of a meta key; fails the test when it is missing or repeated. */
function one(meta: Map<string, string[]>, key: string): string {
  const v = meta.get(key);
  expect(v, key).toHaveLength(1);
  return v![0]!;
}

describe.each(storeTargets())('Open Graph, Twitter cards and canonical URLs ($name)', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  let pictured: Article;
  let tricky: Article;
  let bare: Article;
  let coverageSlug: string;

  beforeAll(async () => {
    site = await openTestSite(target, { NASHRA_BASE_URL: BASE });
    const { services, config } = site;
    app = await buildApp({ services });
    const jpeg = await sharp({ create: { width: 1600, height: 1000, channels: 3, background: '#336' } }).jpeg().toBuffer();
    const prepared = await prepareImage(config.mediaDir, jpeg, 'lead.jpg');
    const media = await services.store.db.transaction().execute((trx) => saveImageIn(trx, prepared, { alt: 'بلينكن في روما' }));
    pictured = await services.articles.create(input({ lead: { mediaId: media.id, caption: 'وزير الخارجية' } }));
    tricky = await services.articles.create(input({ headline: TRICKY, summary: TRICKY, tags: [TRICKY], authors: [TRICKY] }));
    bare = await services.articles.create(input({ headline: 'خبر بلا صورة', authors: [], tags: [] }));
    const editor: Actor = actorFor(await insertTestUser(services.store, 'editor', 'ليلى المحررة'));
    coverageSlug = (await services.live.createCoverage(editor, { title: 'تغطية حية للاختبار' })).slug;
    // A second running coverage, so /live lists them instead of redirecting to the one.
    await services.live.createCoverage(editor, { title: 'تغطية ثانية' });
  });

  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  const get = (url: string) => app.inject({ method: 'GET', url });
  const page = async (url: string, status = 200) => {
    const res = await get(url);
    expect(res.statusCode, url).toBe(status);
    return res.body;
  };

  it('gives an article with a picture an article card with its 16:9 crop, times, section and tags', async () => {
    const html = await page(articlePath(pictured));
    const meta = metaValues(html);
    const url = BASE + articlePath(pictured);
    expect(one(meta, 'og:site_name')).toBe(site.config.siteName);
    expect(one(meta, 'og:locale')).toBe('ar_AR');
    expect(one(meta, 'og:type')).toBe('article');
    expect(one(meta, 'og:title')).toBe(pictured.headline);
    expect(one(meta, 'og:description')).toBe('ملخص الخبر');
    expect(one(meta, 'og:url')).toBe(url);
    const image = one(meta, 'og:image');
    expect(image).toBe(BASE + cropPath({ id: pictured.lead!.media.id, storageKey: pictured.lead!.media.storageKey! }, '16x9'));
    expect([one(meta, 'og:image:width'), one(meta, 'og:image:height')]).toEqual(['1200', '675']);
    expect(one(meta, 'og:image:type')).toBe('image/jpeg');
    expect(one(meta, 'og:image:alt')).toBe('بلينكن في روما');
    // The card's picture answers with the size the tags declare.
    const res = await get(image.slice(BASE.length));
    expect(res.statusCode).toBe(200);
    const size = await sharp(res.rawPayload).metadata();
    expect([size.width, size.height]).toEqual([1200, 675]);

    expect(one(meta, 'article:published_time')).toBe('2021-06-28T17:39:00+03:00');
    expect(one(meta, 'article:modified_time')).toBe('2021-06-28T17:39:00+03:00');
    expect(one(meta, 'article:section')).toBe('سياسة');
    expect(meta.get('article:tag')).toEqual(['سوريا', 'إيران']);

    expect(one(meta, 'twitter:card')).toBe('summary_large_image');
    expect(one(meta, 'twitter:title')).toBe(pictured.headline);
    expect(one(meta, 'twitter:description')).toBe('ملخص الخبر');
    expect(one(meta, 'twitter:image')).toBe(image);

    const links = headTags(html, 'link');
    expect(links.filter((l) => l.rel === 'canonical').map((l) => l.href)).toEqual([url]);
    const oembed = links.filter((l) => l.type === 'application/json+oembed');
    expect(oembed.map((l) => l.href)).toEqual([`${BASE}/oembed?url=${encodeURIComponent(url)}&format=json`]);
  });

  it('moves the modified time (card and JSON-LD alike) when a revision goes live', async () => {
    const { workflow } = site.services;
    const editor = actorFor(await insertTestUser(site.services.store, 'editor'));
    const draft = input({ status: undefined, lead: undefined, summary: undefined });
    const a = await workflow.create(editor, draft);
    await workflow.publish(editor, a.id);
    await workflow.save(editor, a.id, { ...draft, headline: 'عنوان بعد التحديث' });
    const updated = await workflow.update(editor, a.id);
    const html = await page(articlePath(updated));
    const meta = metaValues(html);
    const modified = zonedIso(updated.revisedAt!, 'Asia/Damascus');
    expect(modified).toMatch(/\+03:00$/);
    expect(one(meta, 'article:modified_time')).toBe(modified);
    expect(one(meta, 'article:published_time')).toBe('2021-06-28T17:39:00+03:00');
    const news = extractJsonLd(html)[0] as { dateModified: string; datePublished: string; headline: string };
    expect(news).toMatchObject({ dateModified: modified, datePublished: '2021-06-28T17:39:00+03:00', headline: 'عنوان بعد التحديث' });
  });

  it('keeps tricky text intact through attribute escaping', async () => {
    const html = await page(articlePath(tricky));
    expect(html).not.toContain('<b>"');
    const meta = metaValues(html);
    for (const key of ['og:title', 'og:description', 'twitter:title', 'twitter:description', 'article:tag']) expect(one(meta, key), key).toBe(TRICKY);
    expect(one(meta, 'og:url')).toBe(BASE + articlePath(tricky));
  });

  it('falls back to the site card for an article without a picture, whose image answers at its declared size', async () => {
    const meta = metaValues(await page(articlePath(bare)));
    expect(one(meta, 'og:type')).toBe('article');
    expect(one(meta, 'og:image')).toBe(BASE + SITE_IMAGES.ogDefault.path);
    expect([one(meta, 'og:image:width'), one(meta, 'og:image:height')]).toEqual(['1200', '630']);
    expect(one(meta, 'twitter:image')).toBe(BASE + SITE_IMAGES.ogDefault.path);
    const res = await get(SITE_IMAGES.ogDefault.path);
    expect(res.statusCode).toBe(200);
    const size = await sharp(res.rawPayload).metadata();
    expect([size.width, size.height]).toEqual([SITE_IMAGES.ogDefault.width, SITE_IMAGES.ogDefault.height]);
  });

  it('links each author of the byline to their page', async () => {
    const html = await page(articlePath(pictured));
    const byline = /<p class="byline">([\s\S]*?)<\/p>/.exec(html)![1]!;
    expect(byline).toBe(pictured.authors.map((a) => `<a href="${authorPath(a.slug)}" rel="author">${a.name}</a>`).join('، '));
    for (const a of pictured.authors) expect((await get(authorPath(a.slug))).statusCode).toBe(200);
  });

  it('gives every indexable reader page a canonical URL and a website card, and the rest noindex', async () => {
    const named = pictured;
    const indexable: [string, string][] = [
      ['/', `${BASE}/`],
      [sectionPath(named.section.slug), BASE + sectionPath(named.section.slug)],
      [`${sectionPath(named.section.slug)}?utm_source=x`, BASE + sectionPath(named.section.slug)],
      [tagPath(named.tags[0]!.slug), BASE + tagPath(named.tags[0]!.slug)],
      [authorPath(named.authors[0]!.slug), BASE + authorPath(named.authors[0]!.slug)],
      [articlePath(named), BASE + articlePath(named)],
      ['/live', `${BASE}/live`],
      [livePath(coverageSlug), BASE + livePath(coverageSlug)],
    ];
    for (const [path, canonical] of indexable) {
      const html = await page(path);
      const links = headTags(html, 'link');
      expect(links.filter((l) => l.rel === 'canonical').map((l) => l.href), path).toEqual([canonical]);
      const meta = metaValues(html);
      expect(meta.get('robots'), path).toBeUndefined();
      expect(one(meta, 'og:url')).toBe(canonical);
      expect(one(meta, 'og:type')).toBe(path === articlePath(named) ? 'article' : 'website');
      expect(one(meta, 'og:locale')).toBe('ar_AR');
      expect(one(meta, 'og:title')).toBeTruthy();
      expect(one(meta, 'twitter:card')).toBe('summary_large_image');
      expect(one(meta, 'og:image')).toMatch(/^https:\/\/nashra\.example\//);
      if (path !== articlePath(named)) {
        expect(meta.get('article:published_time'), path).toBeUndefined();
        expect(links.filter((l) => l.type === 'application/json+oembed'), path).toEqual([]);
      }
    }
    for (const [path, status] of [
      ['/search?q=%D8%B3%D9%88%D8%B1%D9%8A%D8%A7', 200],
      ['/search', 200],
      ['/no/such/page', 404],
      ['/news/999999', 404],
    ] as const) {
      const html = await page(path, status);
      expect(headTags(html, 'link').filter((l) => l.rel === 'canonical'), path).toEqual([]);
      const meta = metaValues(html);
      expect(meta.get('robots'), path).toEqual(['noindex']);
      expect(meta.get('og:url'), path).toBeUndefined();
      expect(one(meta, 'og:image')).toBe(BASE + SITE_IMAGES.ogDefault.path);
    }
  });

  it('puts the manifest, the touch icon and the theme colour in every page head', async () => {
    for (const [path, status] of [['/', 200], [articlePath(bare), 200], ['/search', 200], ['/nope', 404]] as const) {
      const html = await page(path, status);
      const links = headTags(html, 'link');
      expect(links.filter((l) => l.rel === 'manifest').map((l) => l.href), path).toEqual(['/manifest.webmanifest']);
      expect(links.filter((l) => l.rel === 'apple-touch-icon').map((l) => l.href), path).toEqual([SITE_IMAGES.appleTouchIcon.path]);
      expect(metaValues(html).get('theme-color'), path).toEqual([THEME_COLOR]);
    }
    expect((await get('/manifest.webmanifest')).statusCode).toBe(200);
    expect((await get(SITE_IMAGES.appleTouchIcon.path)).statusCode).toBe(200);
  });

  it.runIf(hasSeed())('gives the seed article Open Graph and Twitter tags', async () => {
    const r = await importPageFile(site.services, SEED_PATH, { publish: true });
    const a = (await site.services.articles.get(r.id))!;
    const html = await page(articlePath(a));
    const meta = metaValues(html);
    expect(one(meta, 'og:type')).toBe('article');
    expect(one(meta, 'og:locale')).toBe('ar_AR');
    expect(one(meta, 'og:title')).toBe('بلينكن من مؤتمر روما: وجهنا رسائل قوية لميليشيات إيران وسنواصل قتال تنظيم الدولة');
    expect(one(meta, 'og:url')).toBe(BASE + articlePath(a));
    // No summary in the seed: the opening paragraph, cut at a word.
    const description = one(meta, 'og:description');
    expect(description.length).toBeLessThanOrEqual(200);
    expect(description.startsWith('وجه وزير الخارجية الأميركي، أنتوني بلينكن')).toBe(true);
    expect(one(meta, 'og:image')).toBe(BASE + SITE_IMAGES.ogDefault.path);
    expect(one(meta, 'article:published_time')).toBe('2021-06-28T17:39:00+03:00');
    expect(one(meta, 'article:section')).toBe(a.section.name);
    expect(one(meta, 'twitter:card')).toBe('summary_large_image');
  });
});
