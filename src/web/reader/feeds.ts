import type {} from '@fastify/compress'; // the `compress` route option's type
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';
import { buildAtom, buildJsonFeed, buildRss, FEED_PATHS, type FeedSite } from './feedFormats.js';
import type { FeedEntry } from '../../services/reader.js';
import { PAGE_CACHE_CONTROL, PageCache, sendEncoded } from './pageCache.js';

export const FEED_TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
} as const;

const BUILDERS: Record<keyof typeof FEED_PATHS, (site: FeedSite, entries: FeedEntry[]) => string> = {
  rss: buildRss,
  atom: buildAtom,
  json: buildJsonFeed,
};

/** The site-wide feeds: the 20 latest published articles, cached per content version like pages. */
export async function feedRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const cache = new PageCache(services, 10);
  app.addHook('onClose', async () => cache.unsubscribe());
  const route = { compress: false, decompress: false } as const;

  for (const kind of Object.keys(FEED_PATHS) as (keyof typeof FEED_PATHS)[]) {
    app.get(FEED_PATHS[kind], route, async (req, reply) => {
      const body = await cache.get(req, kind, async () => {
        const site = { name: services.config.siteName, baseUrl: services.config.baseUrl };
        return { html: BUILDERS[kind](site, await services.reader.feed()) };
      });
      return sendEncoded(req, reply, body!, FEED_TYPES[kind], PAGE_CACHE_CONTROL);
    });
  }
}
