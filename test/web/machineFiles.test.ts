import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { FAVICON, SITE_IMAGES, siteImages, THEME_COLOR } from '../../src/web/reader/siteImages.js';
import { concreteUrl, matrixSite, type MatrixSite } from '../helpers/securityMatrix.js';
import { openTestSite, type TestSite } from '../helpers/services.js';

// buildApp makes its own Fastify instance: this hands it one that records every route (for the lang/dir sweep).
vi.mock('fastify', async (orig) => (await import('../helpers/securityRoutes.js')).withRouteCollector(await orig()));

const BASE = 'https://nashra.example';

/** The ICO's directory: each entry's declared size and its PNG payload. */
function icoEntries(ico: Buffer): { size: number; png: Buffer }[] {
  expect(ico.readUInt16LE(0)).toBe(0);
  expect(ico.readUInt16LE(2)).toBe(1);
  return Array.from({ length: ico.readUInt16LE(4) }, (_, i) => {
    const e = 6 + 16 * i;
    const size = ico.readUInt8(e) || 256;
    expect(ico.readUInt8(e + 1) || 256).toBe(size);
    return { size, png: ico.subarray(ico.readUInt32LE(e + 12), ico.readUInt32LE(e + 12) + ico.readUInt32LE(e + 8)) };
  });
}

/** How many pixels of a region differ from a plain colour: text drawn there, or not. */
async function inkIn(png: Buffer, region: { left: number; top: number; width: number; height: number }, background: [number, number, number]) {
  const { data, info } = await sharp(png).extract(region).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let ink = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    if (Math.abs(data[i]! - background[0]) + Math.abs(data[i + 1]! - background[1]) + Math.abs(data[i + 2]! - background[2]) > 60) ink++;
  }
  return ink;
}

describe('site images, manifest and favicon', () => {
  let site: TestSite;
  let app: FastifyInstance;

  beforeAll(async () => {
    site = await openTestSite(undefined, { NASHRA_BASE_URL: BASE });
    app = await buildApp({ services: site.services });
  });
  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  for (const [name, image] of Object.entries(SITE_IMAGES)) {
    it(`${image.path} (${name}) is a ${image.width}×${image.height} PNG with a stable URL's caching`, async () => {
      const res = await get(image.path, { 'accept-encoding': 'br, gzip' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['cache-control']).toBe('public, max-age=86400');
      // PNG is compressed already.
      expect(res.headers['content-encoding']).toBeUndefined();
      const meta = await sharp(res.rawPayload).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', image.width, image.height]);
      const etag = res.headers.etag as string;
      expect(etag).toMatch(/^"[\w-]{22}"$/);
      const again = await get(image.path, { 'if-none-match': etag });
      expect(again.statusCode).toBe(304);
      expect(again.headers.etag).toBe(etag);
      expect(again.body).toBe('');
    });
  }

  it('sets the site name in the logo and the default card, in the bundled Arabic face', async () => {
    const logo = (await get(SITE_IMAGES.logo.path)).rawPayload;
    const og = (await get(SITE_IMAGES.ogDefault.path)).rawPayload;
    // The logo: the mark at the right, the name to its left, on white.
    expect(await inkIn(logo, { left: 0, top: 0, width: 540, height: 60 }, [255, 255, 255])).toBeGreaterThan(200);
    // The card: the name under the mark, white on the theme colour.
    const blue = [0x0a, 0x5a, 0x8a] as [number, number, number];
    expect(THEME_COLOR).toBe('#0a5a8a');
    expect(await inkIn(og, { left: 0, top: 400, width: 1200, height: 170 }, blue)).toBeGreaterThan(2000);
  });

  it('renders once per site name: another name gets its own images, markup characters included', async () => {
    const a = await siteImages('نشرة');
    expect(await siteImages('نشرة')).toBe(a);
    const b = await siteImages('أخبار <الشام> & "الجوار"');
    expect(b.logo.etag).not.toBe(a.logo.etag);
    expect((await sharp(b.logo.body).metadata()).width).toBe(600);
    expect(b.icon192.etag).toBe(a.icon192.etag);
  });

  it('serves /favicon.ico: 16 and 32 pixel PNGs inside an ICO', async () => {
    const res = await get(FAVICON.path);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/x-icon');
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
    const entries = icoEntries(res.rawPayload);
    expect(entries.map((e) => e.size)).toEqual([16, 32]);
    for (const e of entries) {
      const meta = await sharp(e.png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', e.size, e.size]);
    }
    expect((await get(FAVICON.path, { 'if-none-match': res.headers.etag as string })).statusCode).toBe(304);
  });

  it('serves the web app manifest, whose every icon answers with its declared size', async () => {
    const res = await get('/manifest.webmanifest', { 'accept-encoding': 'identity' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/manifest+json');
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
    const m = JSON.parse(res.body);
    expect(m).toMatchObject({
      name: 'نشرة',
      short_name: 'نشرة',
      lang: 'ar',
      dir: 'rtl',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      theme_color: THEME_COLOR,
      background_color: '#ffffff',
    });
    const purposes = m.icons.map((i: { purpose: string }) => i.purpose);
    expect(purposes).toContain('maskable');
    for (const icon of m.icons as { src: string; sizes: string; type: string }[]) {
      const r = await get(icon.src);
      expect(r.statusCode, icon.src).toBe(200);
      expect(r.headers['content-type']).toContain(icon.type);
      if (icon.sizes === 'any') {
        expect(icon.type).toBe('image/svg+xml');
        continue;
      }
      const meta = await sharp(r.rawPayload).metadata();
      expect(`${meta.width}x${meta.height}`).toBe(icon.sizes);
    }
    expect((await get('/manifest.webmanifest', { 'if-none-match': res.headers.etag as string })).statusCode).toBe(304);
  });

  it('gives a long name a short_name launchers do not cut', async () => {
    const s = await openTestSite(undefined, { NASHRA_SITE_NAME: 'نشرة أخبار الشام والجوار' });
    const a = await buildApp({ services: s.services });
    try {
      const m = JSON.parse((await a.inject({ method: 'GET', url: '/manifest.webmanifest' })).body);
      expect(m.name).toBe('نشرة أخبار الشام والجوار');
      expect(m.short_name).toBe('نشرة أخبار');
    } finally {
      await a.close();
      await s.dispose();
    }
  });
});

/**
 * Every HTML document the app serves declares Arabic, right to left; every feed declares its
 * language. Walks each GET route the app registers (reader and newsroom), anonymous and signed
 * in, plus the not-found pages. SQLite only: what is checked is markup, not storage.
 */
describe('lang and dir on every document', () => {
  let s: MatrixSite;
  beforeAll(async () => {
    s = await matrixSite();
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it('answers every HTML page with <html lang="ar" dir="rtl"> and every feed with its language', async () => {
    const checked = { html: 0, feeds: 0 };
    // Error pages too: not found (reader and newsroom), a malformed escape, a role's refusal.
    const urls = new Set(['/no-such-page', '/news/999999', '/section/%', '/newsroom/login', '/newsroom/articles/999999/edit', '/newsroom/live/999999', '/newsroom/users']);
    const { section, tag } = s.published;
    for (const r of s.routes) {
      if (r.method !== 'GET') continue;
      // Lists' own feeds: the list the published article is on.
      const list = r.url.replace(/^\/section\/:slug\//, `/section/${encodeURIComponent(section)}/`).replace(/^\/tag\/:slug\//, `/tag/${encodeURIComponent(tag)}/`);
      urls.add(list === r.url ? await concreteUrl(s, r) : list);
    }
    for (const url of urls) {
      for (const cookie of [undefined, s.members.contributor.session.cookie, s.members.admin.session.cookie]) {
        const res = await s.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
        const type = String(res.headers['content-type'] ?? '');
        const who = `${url} (${cookie === s.members.admin.session.cookie ? 'admin' : cookie ? 'contributor' : 'anonymous'}, ${res.statusCode})`;
        expect(res.statusCode, who).toBeLessThan(500);
        if (type.startsWith('text/html')) {
          // A fragment for a page's script (the live console's entry) lives inside a document that says it.
          if (!/^\s*<!doctype html>/i.test(res.body)) {
            expect(res.body, who).not.toMatch(/<html\b/i);
            continue;
          }
          checked.html++;
          const html = /<html\b[^>]*>/i.exec(res.body)?.[0];
          expect(html, who).toBeDefined();
          expect(html, who).toMatch(/\blang="ar"/);
          expect(html, who).toMatch(/\bdir="rtl"/);
        } else if (type.includes('rss+xml')) {
          checked.feeds++;
          expect(res.body, who).toContain('<language>ar</language>');
        } else if (type.includes('atom+xml')) {
          checked.feeds++;
          expect(res.body, who).toMatch(/<feed\b[^>]*\bxml:lang="ar"/);
        } else if (type.includes('feed+json')) {
          checked.feeds++;
          expect(JSON.parse(res.body).language, who).toBe('ar');
        }
      }
    }
    // The walk did reach pages and feeds, not only redirects.
    expect(checked.html).toBeGreaterThan(20);
    expect(checked.feeds).toBeGreaterThanOrEqual(27);
  });
});
