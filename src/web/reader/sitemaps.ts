import type {} from '@fastify/compress'; // the `compress` route option's type
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SITEMAPS_KEY } from '../../domain/surrogateKeys.js';
import type { Services } from '../../services/index.js';
import { LIVE_FILE, NEWS_FILE, type SitemapFile } from '../../services/sitemaps.js';
import { encode, pageCacheControl, PageCache, sendEncoded, type Encoded, type Rendered } from './pageCache.js';
import { sendNotFound } from './routes.js';
import { buildIndex, buildNewsSitemap, buildRobots, buildUrlset, type SitemapSite } from './sitemapFormats.js';

export const XML_TYPE = 'application/xml; charset=utf-8';
export const SITEMAP_INDEX = '/sitemap.xml';

/**
 * Files that change with the clock as well as with content (the news window, live coverages,
 * whose entries do not bump the content version, and the index naming both) are cached per
 * minute: the key carries the minute, so an entry at most a minute old is served.
 */
const CLOCK_TTL_MS = 60_000;
const clockKey = (name: string) => `${name}\n${Math.floor(Date.now() / CLOCK_TTL_MS)}`;

// `articles-2021-06.xml` is part 1; parts after it are `-2`, `-3`…; `-1` and leading zeros are not URLs we make.
const ARTICLES = /^articles-(\d{4}-(?:0[1-9]|1[0-2]))(?:-([2-9]|[1-9]\d{1,5}))?\.xml$/;
const NAMED = /^(sections|tags)(?:-([2-9]|[1-9]\d{1,5}))?\.xml$/;

const rendered = (xml: string, lastModified: string): Rendered => ({ html: xml, keys: [SITEMAPS_KEY], lastModified });

/** The sitemap index, the sitemaps it names, the Google News sitemap and robots.txt. */
export async function sitemapRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const sitemaps = services.sitemaps;
  // Month files can be megabytes each: keep few; old months are rarely asked for.
  const cache = new PageCache(services, 32);
  app.addHook('onClose', async () => cache.unsubscribe());
  const route = { compress: false, decompress: false } as const;
  const site = (): SitemapSite => ({ name: services.config.siteName, baseUrl: services.config.baseUrl });
  const urlset = (file: SitemapFile | undefined) => file && rendered(buildUrlset(site(), file.entries), file.lastmod);
  const send = async (req: FastifyRequest, reply: FastifyReply, key: string, render: () => Promise<Rendered | undefined>) => {
    const body = await cache.get(req, key, render);
    return body ? sendEncoded(req, reply, body, XML_TYPE, pageCacheControl(services.config)) : sendNotFound(services, req, reply);
  };

  app.get(SITEMAP_INDEX, route, (req, reply) =>
    send(req, reply, clockKey('index'), async () => {
      const refs = await sitemaps.index();
      return rendered(buildIndex(site(), refs), refs.reduce((m, r) => (r.lastmod > m ? r.lastmod : m), refs[0]!.lastmod));
    }),
  );

  app.get(NEWS_FILE, route, (req, reply) =>
    send(req, reply, clockKey('news'), async () => {
      const file = await sitemaps.news();
      return rendered(buildNewsSitemap(site(), file.entries), file.lastmod);
    }),
  );

  app.get<{ Params: { file: string } }>('/sitemaps/:file', route, (req, reply) => {
    const name = req.params.file;
    const articles = ARTICLES.exec(name);
    if (articles) {
      const [, month, part] = articles;
      return send(req, reply, name, async () => urlset(await sitemaps.articles(month!, Number(part ?? 1))));
    }
    const named = NAMED.exec(name);
    if (named) {
      const [, kind, part] = named;
      return send(req, reply, name, async () => urlset(await sitemaps.named(kind as 'sections' | 'tags', Number(part ?? 1))));
    }
    if (`/sitemaps/${name}` === LIVE_FILE) return send(req, reply, clockKey('live'), async () => urlset(await sitemaps.live()));
    return sendNotFound(services, req, reply);
  });

  // The same for every request: built once, on first use.
  let robots: Promise<Encoded> | undefined;
  app.get('/robots.txt', route, async (req, reply) => {
    robots ??= encode(buildRobots(site(), [SITEMAP_INDEX, NEWS_FILE]));
    return sendEncoded(req, reply, await robots, 'text/plain; charset=utf-8', pageCacheControl(services.config));
  });
}
