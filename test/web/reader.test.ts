import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { articlePath, type Article, type ArticleInput } from '../../src/domain/article.js';
import { createServices, type Services } from '../../src/services/index.js';
import { prepareImage, saveImageIn, saveMissingImageIn, variantKey } from '../../src/services/media.js';
import { migrateToLatest, openStore, type Store } from '../../src/store/db.js';
import { insertMedia } from '../../src/store/media.js';
import { buildApp } from '../../src/web/app.js';

const PHYSICAL = /(margin|padding|border)-(left|right)|(^|[^-])\b(left|right)\s*:|float:\s*(left|right)|text-align:\s*(left|right)/;

let dataDir: string;
let store: Store;
let services: Services;
let app: FastifyInstance;
let leadId: number;
let storageKey: string;
let main: Article;
const originalTz = process.env.TZ;

const damascus: ArticleInput = {
  headline: 'بلينكن من مؤتمر روما: وجهنا رسائل قوية لميليشيات إيران',
  body: [
    { type: 'paragraph', spans: [{ text: 'وجه وزير الخارجية الأميركي عدة رسائل إلى تنظيم "الدولة.' }] },
    { type: 'subheading', text: 'إيران وميليشياتها' },
    { type: 'quote', spans: [{ text: 'نأمل أن تكون ضرباتنا رادعة' }], speaker: 'أنتوني بلينكن' },
    {
      type: 'paragraph',
      spans: [{ text: 'نص ' }, { text: 'عريض', bold: true }, { text: ' و' }, { text: 'رابط', href: 'https://example.org/x' }],
    },
    { type: 'list', ordered: true, items: [[{ text: 'أولاً' }], [{ text: 'ثانياً' }]] },
  ],
  datelinePlace: 'إسطنبول',
  sourceLabel: 'متابعات',
  section: 'سياسة',
  tags: ['سوريا', 'الولايات المتحدة'],
  authors: ['فريق التحرير'],
  status: 'published',
  publishedAt: '2021-06-28T14:39:00Z',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
};

async function get(url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url, headers });
}

/** Position of each needle in the HTML, asserting that each one is present. */
function positions(html: string, needles: string[]): number[] {
  return needles.map((n) => {
    const i = html.indexOf(n);
    expect(i, n).toBeGreaterThanOrEqual(0);
    return i;
  });
}

beforeAll(async () => {
  // Far from Damascus on purpose: the time line must not depend on the server's zone.
  process.env.TZ = 'America/Los_Angeles';
  dataDir = mkdtempSync(join(tmpdir(), 'nashra-web-'));
  const config = loadConfig({ NASHRA_DATA_DIR: dataDir, NASHRA_BASE_URL: 'https://nashra.example' });
  store = openStore({ dataDir });
  await migrateToLatest(store.db);
  services = createServices(store, config);
  app = await buildApp({ services });

  const jpeg = await sharp({ create: { width: 1200, height: 675, channels: 3, background: '#336' } }).jpeg().toBuffer();
  const img = await prepareImage(config.mediaDir, jpeg, 'blinken.jpg');
  const media = await store.db.transaction().execute((trx) => saveImageIn(trx, img));
  leadId = media.id;
  storageKey = media.storageKey!;
  main = await services.articles.create({
    ...damascus,
    lead: { mediaId: leadId, caption: 'وزير الخارجية الأميركي، أنتوني بلينكن', credit: 'رويترز' },
  });
  for (let i = 0; i < 3; i++) {
    await services.articles.create({
      ...damascus,
      headline: `خبر آخر رقم ${i + 1}`,
      publishedAt: `2021-06-2${i}T10:00:00Z`,
    });
  }
  await services.articles.create({ ...damascus, headline: 'مسودة لم تنشر', status: 'draft', publishedAt: undefined });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.env.TZ = originalTz;
});

describe('article page', () => {
  it('renders an RTL Arabic document in the newsroom order', async () => {
    const res = await get(articlePath(main));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.body;
    expect(html.startsWith('<!doctype html><html lang="ar" dir="rtl">')).toBe(true);
    const [h1, time, figure, dateline, fontsize, body] = positions(html, [
      '<h1>',
      '<time',
      '<figure',
      '<p class="dateline">إسطنبول - متابعات</p>',
      '<div class="fontsize"',
      '<div class="article-body">',
    ]);
    expect(h1).toBeLessThan(time!);
    expect(time).toBeLessThan(figure!);
    expect(figure).toBeLessThan(dateline!);
    expect(dateline).toBeLessThan(fontsize!);
    expect(fontsize).toBeLessThan(body!);
    expect(html).toContain('<a class="live" href="/live">التغطية الحية</a>');
    expect(html).toContain('<link rel="canonical" href="https://nashra.example' + articlePath(main) + '"/>');
  });

  it('shows the time line in the article zone, whatever the server zone', async () => {
    const html = (await get(articlePath(main))).body;
    expect(html).toContain('<time datetime="2021-06-28T14:39:00Z">2021.06.28 | 17:39 دمشق</time>');
  });

  it('shows the lead figure as a picture with AVIF, WebP and JPEG variants, caption and credit', async () => {
    const html = (await get(articlePath(main))).body;
    const figure = html.slice(html.indexOf('<figure'), html.indexOf('</figure>') + 9);
    const set = (format: 'avif' | 'webp' | 'jpeg') =>
      [320, 640, 960, 1200].map((w) => `/media/${variantKey(storageKey, w, format)} ${w}w`).join(', ');
    const sizes = 'sizes="(min-width: 40rem) 38rem, 100vw"';
    expect(figure).toContain(`<picture><source type="image/avif" srcset="${set('avif')}" ${sizes}/>`);
    expect(figure).toContain(`<source type="image/webp" srcset="${set('webp')}" ${sizes}/>`);
    expect(figure).toContain(`<img src="/media/${variantKey(storageKey, 960, 'jpeg')}" srcset="${set('jpeg')}" ${sizes}`);
    expect(figure).toContain('width="1200" height="675"');
    expect(figure).toContain('loading="eager"');
    expect(figure).toContain('decoding="async"');
    expect(figure).toContain('alt="وزير الخارجية الأميركي، أنتوني بلينكن"');
    expect(figure).toContain('<figcaption>وزير الخارجية الأميركي، أنتوني بلينكن <span class="credit">(رويترز)</span></figcaption>');
    for (const [format, type] of [['avif', 'image/avif'], ['webp', 'image/webp'], ['jpeg', 'image/jpeg']] as const) {
      const variant = await get(`/media/${variantKey(storageKey, 320, format)}`);
      expect(variant.statusCode).toBe(200);
      expect(variant.headers['content-type']).toBe(type);
      expect(variant.headers['content-encoding']).toBeUndefined();
    }
  });

  it('still shows pictures stored before variants were recorded, and reuses the library caption', async () => {
    // A row as the earlier code wrote it: no variants column, WebP at 480 and 960 beside the original.
    const legacy = await insertMedia(store.db, {
      original_name: 'old.jpg',
      storage_key: 'ab/abcdef0123456789abcdef01.jpg',
      mime: 'image/jpeg',
      width: 800,
      height: 450,
      bytes: 1000,
      alt: null,
      caption: 'تعليق من المكتبة',
      credit: 'أرشيف',
      created_at: new Date().toISOString(),
    });
    const a = await services.articles.create({ ...damascus, headline: 'صورة قديمة', section: 'منوعات', lead: { mediaId: legacy.id } });
    const html = (await get(articlePath(a))).body;
    const figure = html.slice(html.indexOf('<figure'), html.indexOf('</figure>') + 9);
    expect(figure).toContain(
      'src="/media/ab/abcdef0123456789abcdef01-960.webp" srcset="/media/ab/abcdef0123456789abcdef01-480.webp 480w, /media/ab/abcdef0123456789abcdef01-960.webp 800w"',
    );
    expect(figure).not.toContain('<picture>');
    expect(figure).toContain('width="800" height="450"');
    expect(figure).toContain('<figcaption>تعليق من المكتبة <span class="credit">(أرشيف)</span></figcaption>');
  });

  it('shows only the caption when the image file was missing at import', async () => {
    const missing = await store.db.transaction().execute((trx) => saveMissingImageIn(trx, 'blynkn.png'));
    const a = await services.articles.create({
      ...damascus,
      headline: 'صورة مفقودة',
      lead: { mediaId: missing.id, caption: 'تعليق الصورة', credit: 'رويترز' },
    });
    const html = (await get(articlePath(a))).body;
    const figure = html.slice(html.indexOf('<figure'), html.indexOf('</figure>') + 9);
    expect(figure).toBe('<figure class="lead"><figcaption>تعليق الصورة <span class="credit">(رويترز)</span></figcaption></figure>');
  });

  it('renders the font-size control and the body blocks', async () => {
    const html = (await get(articlePath(main))).body;
    expect(html).toContain(
      '<div class="fontsize" role="group" aria-label="حجم الخط"><button type="button" aria-label="تكبير الخط" data-step="1" dir="ltr">+A</button> <span>حجم الخط</span> <button type="button" aria-label="تصغير الخط" data-step="-1" dir="ltr">-A</button></div>',
    );
    // Stored text exactly, unbalanced quote included (escaped as an entity, same text).
    expect(html).toContain('<p>وجه وزير الخارجية الأميركي عدة رسائل إلى تنظيم &quot;الدولة.</p>');
    expect(html).toContain('<h2>إيران وميليشياتها</h2>');
    expect(html).toContain('<blockquote><p>نأمل أن تكون ضرباتنا رادعة</p><footer>— أنتوني بلينكن</footer></blockquote>');
    expect(html).toContain('<p>نص <strong>عريض</strong> و<a href="https://example.org/x" rel="noopener">رابط</a></p>');
    expect(html).toContain('<ol><li>أولاً</li><li>ثانياً</li></ol>');
    expect(html).toContain('<a href="/tag/%D8%B3%D9%88%D8%B1%D9%8A%D8%A7">سوريا</a>');
    expect(html).toContain('فريق التحرير');
    expect(html).toContain('خبر آخر رقم 1'); // related, same section
  });

  it('escapes headlines', async () => {
    const a = await services.articles.create({ ...damascus, headline: 'هجوم <script>alert(1)</script> & "اقتباس"' });
    const html = (await get(articlePath(a))).body;
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('<h1>هجوم &lt;script>alert(1)&lt;/script> &amp; &quot;اقتباس&quot;</h1>');
  });

  it('redirects old and missing slugs to the current percent-encoded URL', async () => {
    const a = await services.articles.create({ ...damascus, headline: 'عنوان قديم للخبر' });
    const oldPath = articlePath(a);
    const changed = await services.articles.replace(a.id, { ...damascus, headline: 'عنوان جديد للخبر' });
    const canonical = articlePath(changed);
    expect(canonical).not.toBe(oldPath);
    expect(canonical).toBe(`/news/${a.id}/${encodeURIComponent('عنوان-جديد-للخبر')}`);
    for (const url of [oldPath, `/news/${a.id}`, `/news/${a.id}/`]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(301);
      expect(res.headers.location).toBe(canonical);
    }
    expect((await get(canonical)).statusCode).toBe(200);
  });

  it('answers 404 with an Arabic page for unknown, malformed and unpublished articles', async () => {
    const draft = (await services.articles.create({ ...damascus, headline: 'مسودة', status: 'draft', publishedAt: undefined }))!;
    for (const url of [
      '/news/999999',
      '/news/999999/x',
      '/news/abc',
      '/news/0',
      '/news/-1',
      '/news/1.5',
      `/news/${2 ** 31 + 1}`,
      '/news/99999999999999999999',
      articlePath(draft),
      '/section/لا-يوجد',
      '/section/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9?page=0',
      '/section/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9?page=abc',
      '/section/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9?page=1001',
      '/section/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9?page=50',
      '/tag/لا-يوجد',
      '/no/such/page',
      '/media/no/such.webp',
      '/media/../nashra.db',
      '/media/%2e%2e/nashra.db',
      '/assets/nothing.css',
      '/section/%',
      '/news/1/%E0%A4',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('<html lang="ar" dir="rtl">');
      expect(res.body).toContain('الصفحة غير موجودة');
      expect(res.body).toContain('href="/section/');
    }
    const api = await get('/api/nothing');
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(api.json()).toMatchObject({ status: 404, title: 'غير موجود' });
  });
});

describe('lists', () => {
  it('home shows the latest with lead images, grouped by section', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain(`href="${articlePath(main)}"`);
    expect(html).toContain(`/media/${variantKey(storageKey, 320, 'avif')} 320w`);
    expect(html).toContain(`<a href="/section/${encodeURIComponent('سياسة')}">سياسة</a></h2>`);
    expect(html).not.toContain('مسودة لم تنشر');
  });

  it('section and tag pages page without JavaScript', async () => {
    for (let i = 0; i < 21; i++) {
      await services.articles.create({ ...damascus, section: 'رياضة', headline: `مباراة ${i}`, tags: ['كرة'] });
    }
    const first = await get(`/section/${encodeURIComponent('رياضة')}`);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain(`href="/section/${encodeURIComponent('رياضة')}?page=2" rel="next">الأقدم</a>`);
    const second = await get(`/section/${encodeURIComponent('رياضة')}?page=2`);
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('rel="prev">الأحدث</a>');
    expect(second.body).not.toContain('الأقدم</a>');
    const tag = await get(`/tag/${encodeURIComponent('كرة')}`);
    expect(tag.statusCode).toBe(200);
    expect(tag.body).toContain('مباراة 20');
  });

  it('live placeholder', async () => {
    const res = await get('/live');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<title>التغطية الحية | نشرة</title>');
    expect(res.body).toContain('لا توجد تغطية حية الآن');
    expect(res.body).toContain('<a href="/">');
  });
});

describe('page cache and encodings', () => {
  it('serves br and gzip that decode to the same HTML, with validators', async () => {
    const url = articlePath(main);
    const plain = await get(url);
    const br = await app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    const gz = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    for (const r of [plain, br, gz]) {
      expect(r.headers.vary).toMatch(/accept-encoding/i);
      expect(r.headers['cache-control']).toBe('public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400');
      expect(r.headers.etag).toMatch(/^"[^"]+"$/);
    }
    expect(new Set([plain, br, gz].map((r) => r.headers.etag)).size).toBe(3);
    const refused = await app.inject({ url, headers: { 'accept-encoding': 'br;q=0, gzip' } });
    expect(refused.headers['content-encoding']).toBe('gzip');
    const notModified = await app.inject({ url, headers: { 'if-none-match': String(br.headers.etag) } });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
  });

  it('serves a fresh page after an update and a write from elsewhere', async () => {
    const a = await services.articles.create({ ...damascus, headline: 'خبر سيتغير' });
    const first = await get(articlePath(a));
    const again = await get(articlePath(a), { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    const b = await services.articles.replace(a.id, { ...damascus, headline: 'خبر سيتغير', summary: 'ملخص جديد' });
    const second = await get(articlePath(b));
    expect(second.statusCode).toBe(200);
    expect(second.headers.etag).not.toBe(first.headers.etag);
    expect(second.body).toContain('ملخص جديد');
    expect((await get(articlePath(b), { 'if-none-match': String(first.headers.etag) })).statusCode).toBe(200);

    // A second process (the CLI importer) shares the database but not our events.
    const other = createServices(store, services.config);
    await other.articles.replace(a.id, { ...damascus, headline: 'خبر سيتغير', summary: 'من عملية أخرى' });
    expect((await get(articlePath(b))).body).toContain('من عملية أخرى');
  });
});

describe('over the network', () => {
  it('sees a write made by another process on the next request', async () => {
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });
    const a = await services.articles.create({ ...damascus, headline: 'خبر عبر الشبكة' });
    const url = origin + articlePath(a);
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
    expect(await first.text()).toContain('خبر عبر الشبكة');
    const other = createServices(store, services.config);
    await other.articles.replace(a.id, { ...damascus, headline: 'خبر عبر الشبكة', summary: 'كتبته عملية أخرى' });
    const second = await fetch(url, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(second.status).toBe(200);
    expect(await second.text()).toContain('كتبته عملية أخرى');
  });
});

describe('assets, security and weight', () => {
  it('sends a CSP and links nothing off-origin', async () => {
    const res = await get(articlePath(main));
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const urls = res.body.match(/https?:\/\/[^"'\s<>)]+/g) ?? [];
    // JSON-LD's @context names the schema.org vocabulary; nothing fetches it.
    const offsite = urls.filter((u) => !u.startsWith('https://nashra.example/') && u !== 'https://example.org/x' && u !== 'https://schema.org');
    expect(offsite).toEqual([]);
    expect(res.body).not.toMatch(/<script>|<style|style="|\son[a-z]+="/);
  });

  it('loads the font-size script in the head, blocking, and serves versioned assets', async () => {
    const html = (await get(articlePath(main))).body;
    const head = html.slice(0, html.indexOf('</head>'));
    const script = head.match(/<script src="(\/assets\/fontsize\.js\?v=[\w-]+)"><\/script>/);
    const css = head.match(/<link rel="stylesheet" href="(\/assets\/site\.css\?v=[\w-]+)"\/>/);
    expect(script).not.toBeNull();
    expect(css).not.toBeNull();
    const js = await get(script![1]!);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).not.toMatch(/^\s*(export|import)\b/m);
    expect(js.body).toContain('nashra.fs');
    const font = await get('/assets/fonts/noto-naskh-arabic-arabic-400-normal.woff2', { 'accept-encoding': 'br, gzip' });
    expect(font.statusCode).toBe(200);
    expect(font.headers['content-type']).toBe('font/woff2');
    expect(font.headers['content-encoding']).toBeUndefined();
    expect((await get('/assets/fonts/other.woff2')).statusCode).toBe(404);
  });

  it('keeps the stylesheet to logical properties and names only fonts it serves', async () => {
    const css = (await get('/assets/site.css')).body;
    expect(css).toBe(readFileSync(new URL('../../src/web/assets/site.css', import.meta.url), 'utf8'));
    expect(css).not.toMatch(PHYSICAL);
    expect(css).toContain('font-display:swap');
    expect(css).toMatch(/prefers-color-scheme:\s*dark/);
    expect(css).toMatch(/@media print/);
    for (const [, file] of css.matchAll(/url\(\/assets\/fonts\/([^)]+)\)/g)) {
      expect((await get(`/assets/fonts/${file}`)).statusCode, file).toBe(200);
    }
  });

  it('weighs under 30 KB compressed (HTML + CSS + JS)', async () => {
    const html = (await get(articlePath(main))).rawPayload;
    const css = (await get('/assets/site.css')).rawPayload;
    const js = (await get('/assets/fontsize.js')).rawPayload;
    const total = [html, css, js].reduce((n, b) => n + gzipSync(b).length, 0);
    expect(total).toBeLessThan(30 * 1024);
  });
});
