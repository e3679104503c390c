import type {} from '@fastify/compress'; // the `compress` route option's type
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { articlePath } from '../../domain/article.js';
import { articleKey, articlePageKeys, authorKey, HOME_KEY, sectionKey, SITE_KEY, tagKey } from '../../domain/surrogateKeys.js';
import type { Services } from '../../services/index.js';
import { newestChange, pageCacheControl, PageCache, sendKeys, sendPage, type Rendered } from './pageCache.js';
import { ArticleView } from './views/article.js';
import { HomeView } from './views/home.js';
import { authorPath, renderPage, sectionPath, tagPath, type Site } from './views/layout.js';
import { ListView } from './views/list.js';
import { NotFoundView } from './views/notFound.js';
import { isSlugParam } from './slugParam.js';
import { siteOf } from './site.js';
import { mayBeShortlink, sendOldUrlRedirect } from './redirects.js';

// One cache per Services, so sendNotFound (called from app.ts's handlers) shares it.
const caches = new WeakMap<Services, PageCache>();
export function cacheFor(services: Services): PageCache {
  let cache = caches.get(services);
  if (!cache) caches.set(services, (cache = new PageCache(services)));
  return cache;
}

export { siteOf };

const MAX_ID = 2 ** 31;
const MAX_PAGE = 1000;

function parseId(raw: string): number | undefined {
  if (!/^[1-9]\d{0,9}$/.test(raw)) return undefined;
  const id = Number(raw);
  return id <= MAX_ID ? id : undefined;
}

/** `?page=N`, 1 when absent; undefined (so a 404) for anything else, repeated ones included. */
function parsePage(query: unknown): number | undefined {
  const raw = (query as Record<string, unknown> | undefined)?.page;
  if (raw === undefined) return 1;
  if (typeof raw !== 'string' || !/^[1-9]\d{0,3}$/.test(raw)) return undefined;
  const page = Number(raw);
  return page <= MAX_PAGE ? page : undefined;
}

const isApi = (url: string) => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

export async function sendNotFound(services: Services, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (isApi(req.url)) {
    return reply.code(404).type('application/json; charset=utf-8').send({ error: 'غير موجود' });
  }
  // An old (imported WordPress) URL: only asked here, where no route answered.
  const moved = await sendOldUrlRedirect(services, req, reply);
  if (moved) return moved;
  // Not a path: one cached 404 page serves every unknown URL.
  const page = await cacheFor(services).get(req, '404', async () => ({
    html: renderPage(NotFoundView, { site: await siteOf(services) }),
    status: 404,
    keys: [SITE_KEY],
  }));
  return sendPage(req, reply, page!);
}

type SlugParams = { Params: { slug: string } };
/** A list page's own surrogate key, by the kind of list. */
const LIST_KEY = { section: sectionKey, tag: tagKey, author: authorKey } as const;
type ArticleParams = { Params: { id: string; slug?: string } };

export async function readerRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const cache = cacheFor(services);
  app.addHook('onClose', async () => {
    cache.unsubscribe();
    caches.delete(services);
  });
  // Pages carry their own precompressed bodies (the compress hooks would only add work) and
  // take their security headers precomputed: a cached hit should do little beyond a lookup.
  const route = { compress: false, decompress: false } as const;

  async function serve(req: FastifyRequest, reply: FastifyReply, key: string, render: () => Promise<Rendered | undefined>) {
    const page = await cache.get(req, key, render);
    return page ? sendPage(req, reply, page) : sendNotFound(services, req, reply);
  }

  app.get('/', route, async (req, reply) => {
    if (mayBeShortlink(req.url)) {
      const moved = await sendOldUrlRedirect(services, req, reply);
      if (moved) return moved;
    }
    return serve(req, reply, '/', async () => {
      const [site, home] = await Promise.all([siteOf(services), services.reader.home()]);
      const shown = [...home.latest, ...home.groups.flatMap((g) => g.articles)];
      return {
        html: renderPage(HomeView, { site, ...home }),
        keys: [HOME_KEY, ...new Set(shown.map((a) => articleKey(a.id)))],
        lastModified: newestChange(shown),
      };
    });
  });

  for (const kind of ['section', 'tag', 'author'] as const) {
    app.get<SlugParams>(`/${kind}/:slug`, route, (req, reply) => {
      const { slug } = req.params;
      const page = parsePage(req.query);
      if (!page || !isSlugParam(slug)) return sendNotFound(services, req, reply);
      // The key is normalised, so tracking parameters do not multiply cache entries.
      return serve(req, reply, `/${kind}/${slug}?${page}`, async () => {
        const [site, found] = await Promise.all([
          siteOf(services),
          kind === 'section'
            ? services.reader.section(slug, page)
            : kind === 'tag'
              ? services.reader.tag(slug, page)
              : services.reader.author(slug, page),
        ]);
        // No published article: nothing for readers (and a draft's section or tag name must not leak).
        if (!found || found.articles.length === 0) return undefined;
        const named = 'section' in found ? found.section : 'tag' in found ? found.tag : found.author;
        const path = (kind === 'section' ? sectionPath : kind === 'tag' ? tagPath : authorPath)(named.slug);
        return {
          html: renderPage(ListView, { site, kind, named, path, page, ...found }),
          // A list names every article it shows, so an article's purge reaches the lists it left.
          keys: [LIST_KEY[kind](named.id), ...found.articles.map((a) => articleKey(a.id))],
          lastModified: newestChange(found.articles),
        };
      });
    });
  }

  const article = async (req: FastifyRequest<ArticleParams>, reply: FastifyReply) => {
    const id = parseId(req.params.id);
    if (id === undefined) return sendNotFound(services, req, reply);
    const page = await cache.get(req, `/news/${id}`, async () => {
      const [site, found] = await Promise.all([siteOf(services), services.reader.article(id)]);
      if (!found) return undefined;
      return {
        html: renderPage(ArticleView, { site, page: found }),
        slug: found.article.slug,
        keys: articlePageKeys(found.article),
        // The related list is shown too; a change to it comes with a purge of this section's key.
        lastModified: newestChange([found.article, ...found.related]),
      };
    });
    if (!page) return sendNotFound(services, req, reply);
    // The id is the identity; a missing or outdated slug (the headline changed) redirects.
    if (req.params.slug !== page.slug) {
      // Keyed like the page, so the purge for a headline change also drops a cached redirect.
      return sendKeys(reply, page.keys)
        .code(301)
        .header('location', articlePath({ id, slug: page.slug! }))
        // Cached like the page and purged with it: the headline may change back, and a 301
        // outliving that change would then loop.
        .header('cache-control', pageCacheControl(services.config))
        .send();
    }
    return sendPage(req, reply, page);
  };
  app.get<ArticleParams>('/news/:id', route, article);
  app.get<ArticleParams>('/news/:id/:slug', route, article);
}
