import type {} from '@fastify/compress'; // the `compress` route option's type
import type { FastifyInstance } from 'fastify';
import { articleKey, authorKey, FEEDS_KEY, sectionKey, tagKey } from '../../domain/surrogateKeys.js';
import type { Services } from '../../services/index.js';
import type { FeedEntry, ListKind } from '../../services/reader.js';
import {
  buildAtom,
  buildJsonFeed,
  buildRss,
  entryUpdated,
  FEED_MEDIA_TYPES,
  FEED_PATHS,
  type FeedFormat,
  type FeedOptions,
  type FeedSite,
} from './feedFormats.js';
import { pageCacheControl, PageCache, sendEncoded, type Rendered } from './pageCache.js';
import { sendNotFound } from './routes.js';
import { isSlugParam } from './slugParam.js';
import { authorPath, sectionPath, tagPath } from './views/layout.js';
import { listFeedTitle } from './views/list.js';

export const FEED_TYPES = {
  rss: `${FEED_MEDIA_TYPES.rss}; charset=utf-8`,
  atom: `${FEED_MEDIA_TYPES.atom}; charset=utf-8`,
  json: `${FEED_MEDIA_TYPES.json}; charset=utf-8`,
} as const;

const BUILDERS: Record<FeedFormat, (site: FeedSite, entries: FeedEntry[], opts: FeedOptions) => string> = {
  rss: buildRss,
  atom: buildAtom,
  json: buildJsonFeed,
};
const FORMATS = Object.keys(FEED_PATHS) as FeedFormat[];

const LISTS = {
  section: { path: sectionPath, key: sectionKey },
  tag: { path: tagPath, key: tagKey },
  author: { path: authorPath, key: authorKey },
} as const satisfies Record<ListKind, { path: (slug: string) => string; key: (id: number) => string }>;

/**
 * A feed body with what a CDN needs to purge it: the feeds' key, the list's own key, and every
 * listed article's (an article leaving the list must reach this feed too).
 */
function rendered(html: string, entries: FeedEntry[], listKey?: string): Rendered {
  const newest = entries.reduce<string | undefined>((max, e) => {
    const at = entryUpdated(e.article);
    return max === undefined || at > max ? at : max;
  }, undefined);
  return {
    html,
    keys: [FEEDS_KEY, ...(listKey ? [listKey] : []), ...entries.map((e) => articleKey(e.article.id))],
    ...(newest ? { lastModified: newest } : {}),
  };
}

/**
 * The site-wide feeds (the 20 latest published articles) and each section's, tag's and author's,
 * cached per content version like pages. A list's feeds live under its page's path
 * (`/section/<slug>/feed.xml`); one that names nothing or has no published article is a 404.
 */
export async function feedRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const siteFeeds = new PageCache(services, FORMATS.length);
  // Bounded apart from the site's three, so many lists' feeds never push those out.
  const listFeeds = new PageCache(services, 120);
  app.addHook('onClose', async () => {
    siteFeeds.unsubscribe();
    listFeeds.unsubscribe();
  });
  const route = { compress: false, decompress: false } as const;
  const site = (): FeedSite => ({ name: services.config.siteName, baseUrl: services.config.baseUrl });
  const content = () => services.config.feedContent;

  for (const format of FORMATS) {
    app.get(FEED_PATHS[format], route, async (req, reply) => {
      const body = await siteFeeds.get(req, format, async () => {
        const entries = await services.reader.feed();
        return rendered(BUILDERS[format](site(), entries, { content: content() }), entries);
      });
      return sendEncoded(req, reply, body!, FEED_TYPES[format], pageCacheControl(services.config));
    });
  }

  for (const kind of Object.keys(LISTS) as ListKind[]) {
    for (const format of FORMATS) {
      app.get<{ Params: { slug: string } }>(`/${kind}/:slug${FEED_PATHS[format]}`, route, async (req, reply) => {
        const { slug } = req.params;
        if (!isSlugParam(slug)) return sendNotFound(services, req, reply);
        const body = await listFeeds.get(req, `${kind}\n${slug}\n${format}`, () => renderList(kind, slug, format));
        return body ? sendEncoded(req, reply, body, FEED_TYPES[format], pageCacheControl(services.config)) : sendNotFound(services, req, reply);
      });
    }
  }

  async function renderList(kind: ListKind, slug: string, format: FeedFormat): Promise<Rendered | undefined> {
    const found = await services.reader.listFeed(kind, slug);
    // Like the list page: nothing published, nothing to show (a draft's tag name must not leak).
    if (!found || found.entries.length === 0) return undefined;
    const { named, entries } = found;
    const s = site();
    const html = BUILDERS[format](s, entries, {
      title: listFeedTitle(s.name, kind, named.name),
      listPath: LISTS[kind].path(named.slug),
      content: content(),
    });
    return rendered(html, entries, LISTS[kind].key(named.id));
  }
}
