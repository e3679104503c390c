import type {} from '@fastify/compress'; // the `compress` route option's type
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveCoverage } from '../../domain/live.js';
import type { Services } from '../../services/index.js';
import { extendCsp } from '../security.js';
import { HTML, pageCacheControl, PageCache, sendEncoded, type Page } from './pageCache.js';
import { sendNotFound } from './routes.js';
import { siteOf } from './site.js';
import { renderPage, type Site } from './views/layout.js';
import { LiveListView, LivePageView, livePath, streamCsp, streamPlayer } from './views/live.js';
import { liveJsonLd } from './views/liveJsonLd.js';
import { isSlugParam } from './slugParam.js';

/**
 * A running coverage changes by the second: browsers and a CDN may reuse a page for 2 s, and
 * serve a stale one while revalidating, so a burst of readers costs one render per change.
 */
export const LIVE_CACHE_CONTROL = 'public, max-age=2, stale-while-revalidate=30';

const MAX_ID = 2 ** 31;

/** `?before=N` (an entry id); null when absent, undefined (a 404) when malformed or repeated. */
function parseBefore(query: unknown): number | null | undefined {
  const raw = (query as Record<string, unknown> | undefined)?.before;
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || !/^[1-9]\d{0,9}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n <= MAX_ID ? n : undefined;
}

type SlugParams = { Params: { slug: string } };

/** `/live` and `/live/:slug`: the reader's live pages. The stream endpoints live beside them. */
export async function livePages(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  // Live writes do not move the content version (they would empty every article page's cache
  // once a second), so keys carry the coverage's own state: any change makes a new key, and
  // the version check still catches what every page shows (the section menu, media).
  const cache = new PageCache(services, 100);
  app.addHook('onClose', async () => cache.unsubscribe());
  const route = { compress: false, decompress: false } as const;

  async function site(): Promise<Site> {
    return siteOf(services);
  }

  const send = (req: FastifyRequest, reply: FastifyReply, page: Page, cacheControl: string) =>
    sendEncoded(req, reply, page, HTML, cacheControl, page.status);

  app.get('/live', route, async (req, reply) => {
    const { running, ended } = await services.liveReader.list();
    // One story running: the nav's "live" link goes straight to it.
    if (running.length === 1) {
      return reply.code(302).header('location', livePath(running[0]!.slug)).header('cache-control', LIVE_CACHE_CONTROL).send();
    }
    const key = `/live\n${JSON.stringify([running, ended])}`;
    const page = await cache.get(req, key, async () => ({ html: renderPage(LiveListView, { site: await site(), running, ended }) }));
    return send(req, reply, page!, LIVE_CACHE_CONTROL);
  });

  app.get<SlugParams>('/live/:slug', route, async (req, reply) => {
    const { slug } = req.params;
    const before = parseBefore(req.query);
    if (before === undefined || !isSlugParam(slug)) return sendNotFound(services, req, reply);
    const coverage = await services.liveReader.coverage(slug);
    if (!coverage) return sendNotFound(services, req, reply);
    // The slug is the address; the id (what the stream URLs use) or an old form redirects.
    if (slug !== coverage.slug) {
      const location = livePath(coverage.slug) + (before ? `?before=${before}` : '');
      return reply.code(301).header('location', location).header('cache-control', pageCacheControl(services.config)).send();
    }
    const page = await cache.get(req, `${JSON.stringify(coverage)}\n${before ?? ''}`, () => render(coverage, before));
    if (!page) return sendNotFound(services, req, reply);
    const csp = streamCsp(before === null ? streamPlayer(coverage.streamUrl) : null);
    const policy = reply.getHeader('content-security-policy');
    if (Object.keys(csp).length && typeof policy === 'string') reply.header('content-security-policy', extendCsp(policy, csp));
    // Only a running coverage's first page changes by the second; older pages and ended
    // coverages change only by a correction.
    return send(req, reply, page, coverage.status === 'live' && before === null ? LIVE_CACHE_CONTROL : pageCacheControl(services.config));
  });

  async function render(coverage: LiveCoverage, before: number | null) {
    const [s, page] = await Promise.all([site(), services.liveReader.page(coverage, before ?? undefined)]);
    // An older page with nothing on it is not a page.
    if (before !== null && page.entries.length === 0) return undefined;
    const jsonLd = before === null ? liveJsonLd(s, page) : null;
    return { html: renderPage(LivePageView, { site: s, page, before: before ?? undefined, jsonLd }) };
  }
}
