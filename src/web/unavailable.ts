import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { RETRY_AFTER_SECONDS } from '../services/unavailable.js';
import { renderPage } from './reader/views/layout.js';
import { UnavailableView } from './reader/views/unavailable.js';

export { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../services/unavailable.js';

export const UNAVAILABLE_MESSAGE = 'قاعدة البيانات غير متاحة مؤقتاً، أعد المحاولة بعد قليل';

/**
 * 503 with Retry-After for a request the database could not serve: an Arabic page for a browser
 * (reader or newsroom), JSON for everything else. `no-store`, so no cache keeps the outage.
 */
export function sendUnavailable(config: Pick<Config, 'siteName' | 'baseUrl'>, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).header('cache-control', 'no-store');
  if (!/\btext\/html\b/.test(req.headers.accept ?? '') || req.url.startsWith('/api')) {
    return reply.type('application/json; charset=utf-8').send({ error: UNAVAILABLE_MESSAGE });
  }
  const site = { name: config.siteName, baseUrl: config.baseUrl, sections: [] };
  return reply.type('text/html; charset=utf-8').send(renderPage(UnavailableView, { site, retryAfter: RETRY_AFTER_SECONDS }));
}
