import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { HTML } from './pageCache.js';

/** Short and fixed: no purge names a query's answer, so a cache may only keep it briefly. */
const SEARCH_CACHE_CONTROL = 'public, max-age=60';
import { renderPage } from './views/layout.js';
import { SearchView } from './views/search.js';
import { siteOf } from './site.js';

/**
 * `/search?q=…&section=&type=&from=&to=&page=`: the reader's search page. Not in the page cache
 * (queries are endless); a CDN may keep an answer for a minute like other pages. Bad input is
 * an Arabic page with the form and the reason, status 400.
 */
export async function searchPage(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  app.get('/search', async (req, reply) => {
    const input = (req.query ?? {}) as Record<string, unknown>;
    const site = await siteOf(services);
    const typed = typeof input.q === 'string' ? input.q.slice(0, 500).trim() : '';
    try {
      const results = await services.search.search(input);
      return reply.type(HTML).header('cache-control', SEARCH_CACHE_CONTROL).send(renderPage(SearchView, { site, results, query: results.query }));
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return reply.code(400).type(HTML).header('cache-control', 'no-cache').send(renderPage(SearchView, { site, query: typed, error: e.message }));
    }
  });
}
