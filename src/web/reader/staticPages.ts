import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';
import { cacheFor, sendNotFound, siteOf } from './routes.js';
import { sendPage } from './pageCache.js';
import { isSlugParam } from './slugParam.js';
import { renderPage } from './views/layout.js';
import { StaticPageView } from './views/staticPage.js';

/** Surrogate key of a static page: its edit purges it. */
export const pageKey = (id: number) => `page-${id}`;

/** `/page/:slug`: published static pages, cached like every reader page. */
export async function staticPageRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const route = { compress: false, decompress: false } as const;
  app.get<{ Params: { slug: string } }>('/page/:slug', route, async (req, reply) => {
    const { slug } = req.params;
    if (!isSlugParam(slug)) return sendNotFound(services, req, reply);
    const page = await cacheFor(services).get(req, `/page/${slug}`, async () => {
      const [site, found] = await Promise.all([siteOf(services), services.pages.readable(slug)]);
      if (!found) return undefined;
      return {
        html: renderPage(StaticPageView, { site, page: found.page, media: found.media }),
        keys: [pageKey(found.page.id)],
        lastModified: found.page.updatedAt,
      };
    });
    return page ? sendPage(req, reply, page) : sendNotFound(services, req, reply);
  });
}
