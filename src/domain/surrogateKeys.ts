/**
 * Names for what a cached response shows, sent as `Surrogate-Key` (Fastly, space-separated) and
 * `Cache-Tag` (Cloudflare, comma-separated), and purged by name when that content changes.
 * A list page names itself and every article it lists, so purging one article's key also
 * reaches the lists it used to be on (a moved section, a removed tag).
 */
export const HOME_KEY = 'home';
export const FEEDS_KEY = 'feeds';
export const SITEMAPS_KEY = 'sitemaps';
/** Pages that show the site's chrome only (404, search): purged when sections change. */
export const SITE_KEY = 'site';

export const articleKey = (id: number) => `article-${id}`;
export const sectionKey = (id: number) => `section-${id}`;
export const tagKey = (id: number) => `tag-${id}`;
export const authorKey = (id: number) => `author-${id}`;
export const liveKey = (id: number) => `live-${id}`;

interface Keyed {
  id: number;
  section: { id: number };
  tags: readonly { id: number }[];
  authors: readonly { id: number }[];
}

/** What a publish, update or unpublish of this article makes stale. */
export function articleChangeKeys(a: Keyed): string[] {
  return [
    articleKey(a.id),
    sectionKey(a.section.id),
    ...a.tags.map((t) => tagKey(t.id)),
    ...a.authors.map((x) => authorKey(x.id)),
    HOME_KEY,
    FEEDS_KEY,
    SITEMAPS_KEY,
  ];
}

/** The article page's own keys: the article, its section, its tags and the home page (which lists it). */
export function articlePageKeys(a: Keyed): string[] {
  return [articleKey(a.id), sectionKey(a.section.id), ...a.tags.map((t) => tagKey(t.id)), HOME_KEY];
}
