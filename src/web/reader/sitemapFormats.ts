/**
 * Sitemaps (sitemaps.org 0.9, Google's image and news extensions) and robots.txt as text. Pure
 * builders: everything comes in as arguments, and every value reaching XML goes through
 * `xmlEscape`.
 */
import type { Media } from '../../domain/article.js';
import type { NewsEntry, SitemapRef, UrlEntry } from '../../services/sitemaps.js';
import { xmlEscape } from './feedFormats.js';

export interface SitemapSite {
  name: string;
  /** Absolute, without a trailing slash. */
  baseUrl: string;
}

export const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
export const IMAGE_NS = 'http://www.google.com/schemas/sitemap-image/1.1';
export const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';
/** The protocol's limit on a file, uncompressed. */
export const MAX_SITEMAP_BYTES = 50 * 1024 * 1024;

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';

/** W3C datetime (a profile of ISO 8601) in UTC to the second: `2021-06-28T14:39:00Z`. */
export function w3cDate(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A root-relative path, each segment percent-encoded as URLs require (keys are ours, but not promised ASCII). */
const encodePath = (key: string) => key.split('/').map(encodeURIComponent).join('/');

/** The picture for machines: the widest JPEG variant, else the stored original (as liveJsonLd.ts). */
export function imagePath(m: Media): string | null {
  if (!m.storageKey) return null;
  const jpeg = (m.variants ?? []).filter((v) => v.format === 'jpeg').sort((a, b) => b.w - a.w)[0];
  return `/media/${encodePath(jpeg ? jpeg.key : m.storageKey)}`;
}

const el = (name: string, text: string) => `<${name}>${xmlEscape(text)}</${name}>`;

export function buildIndex(site: SitemapSite, refs: readonly SitemapRef[]): string {
  const out = [XML_DECL, `<sitemapindex xmlns="${SITEMAP_NS}">`];
  for (const r of refs) out.push(`<sitemap>${el('loc', site.baseUrl + r.path)}${el('lastmod', w3cDate(r.lastmod))}</sitemap>`);
  out.push('</sitemapindex>');
  return out.join('\n') + '\n';
}

function urlXml(site: SitemapSite, e: UrlEntry, images: boolean, extra = ''): string {
  const parts = [el('loc', site.baseUrl + e.path)];
  if (e.lastmod) parts.push(el('lastmod', w3cDate(e.lastmod)));
  parts.push(extra);
  if (images) {
    for (const m of e.images) {
      const path = imagePath(m);
      if (path) parts.push(`<image:image>${el('image:loc', site.baseUrl + path)}</image:image>`);
    }
  }
  return `<url>${parts.join('')}</url>`;
}

/**
 * A `urlset` of pages with their pictures. Should the pictures push a file past 50 MB (50,000
 * URLs of long Arabic slugs with many pictures each), it is written without them: every URL
 * stays listed, and search engines still find the pictures on the pages.
 */
export function buildUrlset(site: SitemapSite, entries: readonly UrlEntry[], maxBytes = MAX_SITEMAP_BYTES): string {
  const build = (images: boolean) => {
    const out = [XML_DECL, `<urlset xmlns="${SITEMAP_NS}"${images ? ` xmlns:image="${IMAGE_NS}"` : ''}>`];
    for (const e of entries) out.push(urlXml(site, e, images));
    out.push('</urlset>');
    return out.join('\n') + '\n';
  };
  const full = build(true);
  return Buffer.byteLength(full) <= maxBytes ? full : build(false);
}

/** Google News: one publication (the site, in Arabic), the first publication time, the headline as the page shows it. */
export function buildNewsSitemap(site: SitemapSite, entries: readonly NewsEntry[]): string {
  const out = [XML_DECL, `<urlset xmlns="${SITEMAP_NS}" xmlns:news="${NEWS_NS}" xmlns:image="${IMAGE_NS}">`];
  const publication = `<news:publication>${el('news:name', site.name)}${el('news:language', 'ar')}</news:publication>`;
  for (const e of entries) {
    const news = `<news:news>${publication}${el('news:publication_date', w3cDate(e.publishedAt))}${el('news:title', e.headline)}</news:news>`;
    out.push(urlXml(site, e, true, news));
  }
  out.push('</urlset>');
  return out.join('\n') + '\n';
}

export const ROBOTS_DISALLOWED = ['/newsroom/', '/api/', '/search'] as const;

/** Everything open to crawlers but the newsroom, the API and search results; the sitemaps named. */
export function buildRobots(site: SitemapSite, sitemaps: readonly string[]): string {
  return [
    'User-agent: *',
    'Allow: /',
    ...ROBOTS_DISALLOWED.map((p) => `Disallow: ${p}`),
    '',
    ...sitemaps.map((p) => `Sitemap: ${site.baseUrl}${p}`),
    '',
  ].join('\n');
}
