import { articlePath, type Article, type Media } from '../../../domain/article.js';
import { CROP_RATIOS, cropPath, cropSize, isCroppable, type CropRatio, type CroppableMedia } from '../../../services/crops.js';
import type { ArticlePage } from '../../../services/reader.js';
import { SITE_IMAGES } from '../siteImages.js';
import { jsonLdText, zonedIso, type Json } from '../structuredData/jsonLd.js';
import { authorPath, sectionPath, type Site } from './layout.js';

/** Google shows at most 110 characters of an article's `headline` (longer ones are flagged). */
export const HEADLINE_MAX = 110;
/** Meta and card descriptions: what result pages and cards show before they cut. */
export const DESCRIPTION_MAX = 200;

/**
 * Text cut to `max` UTF-16 units (so to at most `max` characters by any count), at a word
 * boundary when one falls in the last third, with `…`; never inside a surrogate pair.
 */
export function clip(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  let cut = t.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const space = cut.lastIndexOf(' ');
  if (space > (max * 2) / 3) cut = cut.slice(0, space);
  return `${cut.replace(/[\s،,:;.\-–—]+$/u, '')}…`;
}

/** The summary, else the opening paragraph: pages without a summary still get a description. */
export function articleDescription(a: Article): string | null {
  if (a.summary) return clip(a.summary, DESCRIPTION_MAX);
  for (const b of a.body) {
    if (b.type === 'paragraph') {
      const text = b.spans.map((s) => s.text).join('');
      if (text.trim()) return clip(text, DESCRIPTION_MAX);
    }
  }
  return null;
}

/** When readers last saw a change: the last revision that went live, else the publication. */
export function articleModified(a: Article): string {
  const published = a.publishedAt ?? a.createdAt;
  return a.revisedAt && a.revisedAt > published ? a.revisedAt : published;
}

export interface PictureCrop {
  ratio: CropRatio;
  /** Absolute. */
  url: string;
  width: number;
  height: number;
}

/** The article's picture for machines: the lead image, else the first body picture; its three crops. */
export function articlePicture(site: Site, page: ArticlePage): { crops: PictureCrop[]; alt: string } | null {
  const { article: a, media } = page;
  let found: { m: CroppableMedia; caption: string | null } | null = null;
  if (a.lead && isCroppable(a.lead.media)) found = { m: a.lead.media, caption: a.lead.caption };
  for (const b of a.body) {
    if (found) break;
    const m: Media | undefined = b.type === 'image' ? media.get(b.mediaId) : undefined;
    if (b.type === 'image' && isCroppable(m)) found = { m, caption: b.caption ?? null };
  }
  if (!found) return null;
  const { m } = found;
  return {
    crops: CROP_RATIOS.map((ratio) => ({ ratio, url: site.baseUrl + cropPath(m, ratio), ...cropSize(m.width, m.height, ratio) })),
    alt: m.alt ?? found.caption ?? m.caption ?? a.headline,
  };
}

export function articleUrl(site: Site, a: Article): string {
  return site.baseUrl + articlePath(a);
}

/**
 * The article's `NewsArticle` (schema.org, as Google reads news), for a
 * `<script type="application/ld+json">`. Without a picture of its own, the site's default card
 * stands in; without a byline, the newsroom is the author (Google accepts an Organization).
 */
export function articleJsonLd(site: Site, page: ArticlePage): string {
  const a = page.article;
  const url = articleUrl(site, a);
  const picture = articlePicture(site, page);
  const published = a.publishedAt ?? a.createdAt;
  const organization = { '@type': 'Organization', name: site.name, url: `${site.baseUrl}/` };
  const description = articleDescription(a);
  const data: Json = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    '@id': url,
    url,
    mainEntityOfPage: { '@type': 'WebPage', '@id': url },
    headline: clip(a.headline, HEADLINE_MAX),
    ...(description ? { description } : {}),
    image: picture ? picture.crops.map((c) => c.url) : [site.baseUrl + SITE_IMAGES.ogDefault.path],
    datePublished: zonedIso(published, a.timeZone),
    dateModified: zonedIso(articleModified(a), a.timeZone),
    author: a.authors.length
      ? a.authors.map((p) => ({ '@type': 'Person', name: p.name, url: site.baseUrl + authorPath(p.slug) }))
      : [organization],
    publisher: {
      ...organization,
      logo: {
        '@type': 'ImageObject',
        url: site.baseUrl + SITE_IMAGES.logo.path,
        width: SITE_IMAGES.logo.width,
        height: SITE_IMAGES.logo.height,
      },
    },
    articleSection: a.section.name,
    inLanguage: 'ar',
    ...(a.tags.length ? { keywords: a.tags.map((t) => t.name) } : {}),
  };
  return jsonLdText(data);
}

/** Home → section → article, as search results show the page's place in the site. */
export function breadcrumbJsonLd(site: Site, a: Article): string {
  const trail = [
    { name: site.name, item: `${site.baseUrl}/` },
    { name: a.section.name, item: site.baseUrl + sectionPath(a.section.slug) },
    { name: clip(a.headline, HEADLINE_MAX), item: articleUrl(site, a) },
  ];
  return jsonLdText({
    '@context': 'https://schema.org',
    '@type': 'BreadcrumbList',
    itemListElement: trail.map((t, i) => ({ '@type': 'ListItem', position: i + 1, ...t })),
  });
}
