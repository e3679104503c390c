import type {} from '@fastify/swagger'; // summary, tags and querystring in route schemas
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';

/** Documentation only: SearchService validates (and answers 400 problems) itself. */
const QUERY = {
  type: 'object',
  properties: {
    q: { type: 'string', maxLength: 500, description: 'words; "a phrase" or «a phrase» in quotes; -word or -"phrase" to exclude' },
    page: { type: 'integer', minimum: 1, maximum: 100, default: 1, description: '10 results per page' },
    section: { type: 'string', description: 'a section slug (articles only)' },
    type: { type: 'string', enum: ['article', 'live'] },
    from: { type: 'string', format: 'date', description: 'first day, YYYY-MM-DD in the newsroom time zone' },
    to: { type: 'string', format: 'date', description: 'last day included, YYYY-MM-DD in the newsroom time zone' },
  },
};

/**
 * `GET /api/v1/search`: public, like the pages, and over the same SearchService. Bad parameters
 * are 400 problems; a blank `q` or one of only stopwords is a 200 with no results and a
 * `notice` (`empty`, `stopwords`), the same rule as the page, so a search box wired straight to
 * the API needs no special case.
 */
export async function searchApi(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.get(
    '/search',
    { schema: { tags: ['search'], summary: 'Search published articles and live entries (Arabic-aware)', querystring: QUERY } },
    async (req, reply) => {
      const input = (req.query ?? {}) as Record<string, unknown>;
      const r = await services.search.search(input);
      reply.header('cache-control', 'public, max-age=60');
      return {
        query: r.query,
        page: r.page,
        hasMore: r.hasMore,
        ...(r.notice ? { notice: r.notice } : {}),
        results: r.results.map((h) => ({
          id: h.id,
          type: h.type,
          url: services.config.baseUrl + h.path,
          headline: h.headline,
          snippet: h.snippet,
          publishedAt: h.publishedAt,
          section: h.section ? { slug: h.section.slug, name: h.section.name } : null,
        })),
      };
    },
  );
}
