import type { Media } from '../../../domain/article.js';
import type { LiveEntry } from '../../../domain/live.js';
import { machineTime } from '../../../domain/time.js';
import type { EntryContext, LivePage } from '../../../services/liveReader.js';
import { SITE_IMAGES } from '../siteImages.js';
import type { Site } from './layout.js';
import { entryHeadline, entryText, livePath, streamPlayer } from './live.js';

/** How many of the latest entries the structured data lists as `liveBlogUpdate`. */
export const JSON_LD_UPDATES = 10;

type Json = Record<string, unknown>;

/** A JPEG URL of the picture for machines: the widest JPEG variant, else the stored original. */
function imageUrl(baseUrl: string, m: Media | undefined): string | null {
  if (!m?.storageKey) return null;
  const jpeg = (m.variants ?? []).filter((v) => v.format === 'jpeg').sort((a, b) => b.w - a.w)[0];
  return `${baseUrl}/media/${jpeg ? jpeg.key : m.storageKey}`;
}

function firstImage(baseUrl: string, entries: readonly LiveEntry[], ctx: EntryContext): string | null {
  for (const e of entries) {
    for (const b of e.blocks) {
      const url = b.type === 'image' ? imageUrl(baseUrl, ctx.media.get(b.mediaId)) : null;
      if (url) return url;
    }
  }
  return null;
}

function posting(e: LiveEntry, ctx: EntryContext, pageUrl: string, baseUrl: string): Json {
  const authors = e.authorIds.map((id) => ctx.authors.get(id)).filter((n): n is string => !!n);
  const image = firstImage(baseUrl, [e], ctx);
  return {
    '@type': 'BlogPosting',
    headline: entryHeadline(e),
    articleBody: entryText(e),
    datePublished: machineTime(e.createdAt),
    ...(e.editedAt ? { dateModified: machineTime(e.editedAt) } : {}),
    ...(authors.length ? { author: authors.map((name) => ({ '@type': 'Person', name })) } : {}),
    ...(image ? { image } : {}),
    url: `${pageUrl}#entry-${e.id}`,
  };
}

/**
 * The `LiveBlogPosting` of a coverage's first page (schema.org, as search engines read live
 * blogs), serialised for a `<script type="application/ld+json">`: `<` is escaped, so no text
 * of an entry can close the script element.
 */
export function liveJsonLd(site: Site, page: LivePage): string {
  const c = page.coverage;
  const pageUrl = site.baseUrl + livePath(c.slug);
  // Newest first by id; a pinned entry is one of them, not an extra.
  const latest = page.entries.slice(0, JSON_LD_UPDATES);
  // Raster, as search engines want for a logo and a card; SVG is not accepted there.
  const { logo, ogDefault } = SITE_IMAGES;
  const image = firstImage(site.baseUrl, page.entries, page.ctx) ?? site.baseUrl + ogDefault.path;
  const modified = latest.map((e) => e.editedAt ?? e.createdAt).sort().at(-1) ?? c.startedAt;
  const player = streamPlayer(c.streamUrl);
  const data: Json = {
    '@context': 'https://schema.org',
    '@type': 'LiveBlogPosting',
    '@id': pageUrl,
    url: pageUrl,
    mainEntityOfPage: pageUrl,
    inLanguage: 'ar',
    headline: c.title,
    description: c.summary ?? c.title,
    image,
    publisher: { '@type': 'Organization', name: site.name, url: site.baseUrl, logo: { '@type': 'ImageObject', url: site.baseUrl + logo.path, width: logo.width, height: logo.height } },
    datePublished: machineTime(c.startedAt),
    dateModified: machineTime(c.endedAt && c.endedAt > modified ? c.endedAt : modified),
    coverageStartTime: machineTime(c.startedAt),
    ...(c.endedAt ? { coverageEndTime: machineTime(c.endedAt) } : {}),
    liveBlogUpdate: latest.map((e) => posting(e, page.ctx, pageUrl, site.baseUrl)),
  };
  if (player) {
    data.video = {
      '@type': 'VideoObject',
      name: c.title,
      description: c.summary ?? c.title,
      thumbnailUrl: player.kind === 'youtube' ? `https://i.ytimg.com/vi/${player.id}/hqdefault.jpg` : image,
      uploadDate: machineTime(c.startedAt),
      ...(player.kind === 'youtube' ? { embedUrl: player.embedUrl, url: player.watchUrl } : { contentUrl: player.url }),
      publication: {
        '@type': 'BroadcastEvent',
        isLiveBroadcast: true,
        startDate: machineTime(c.startedAt),
        ...(c.endedAt ? { endDate: machineTime(c.endedAt) } : {}),
      },
    };
  }
  return JSON.stringify(data).replace(/</g, '\\u003c');
}
