import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import { pageCacheControl, sendKeys } from './pageCache.js';

/**
 * Old URLs (an imported WordPress site's permalinks, `?p=N` shortlinks) answer 301 to the page's
 * URL of today. Called only where no route answered (the 404 path) and for the home page with a
 * query string, so ordinary page hits never query the redirects table.
 */
export async function sendOldUrlRedirect(services: Services, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | null> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return null;
  const q = req.url.indexOf('?');
  const pathname = q < 0 ? req.url : req.url.slice(0, q);
  const hit = await services.redirects.resolve(pathname, q < 0 ? '' : req.url.slice(q));
  if (!hit) return null;
  // Cached like the page it points to and purged with it (its surrogate key): the target's slug may change.
  return sendKeys(reply, [hit.key]).code(301).header('location', hit.location).header('cache-control', pageCacheControl(services.config)).send();
}

/** Worth a lookup on `/`: WordPress shortlinks are `/?p=N` and `/?page_id=N`. */
export const mayBeShortlink = (url: string) => url.startsWith('/?') && /[?&](?:p|page_id)=\d/.test(url);
