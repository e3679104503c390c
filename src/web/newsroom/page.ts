import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FunctionComponent } from 'preact';
import type { Services } from '../../services/index.js';
import { renderPage } from '../reader/views/layout.js';
import type { NewsroomContext } from './views/layout.js';

export function newsroomContext(req: FastifyRequest, services: Services): NewsroomContext {
  const { siteName, timeZone, city } = services.config;
  return { siteName, timeZone, city, user: req.actor.user, csrfToken: req.csrfToken, path: req.url.split('?')[0]! };
}

/** Newsroom pages are per user: never stored by a browser or a shared cache. */
export function sendNewsroomPage<P extends object>(reply: FastifyReply, Page: FunctionComponent<P>, props: P, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'private, no-store')
    .type('text/html; charset=utf-8')
    .send(renderPage(Page, props));
}

/** After a POST: 303 so that reloading the page does not post again. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}

/**
 * Where to go after signing in: a local path only (never `//host` or `/\host`, which browsers
 * treat as another site), else the newsroom's front page.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return '/newsroom';
  if (!next.startsWith('/') || next.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/newsroom';
  return next;
}

/** A message named by a code in `?ok=`: after a redirect the page says what was done, never echoing input. */
export function doneMessage(req: FastifyRequest, messages: Record<string, string>): string | null {
  const ok = (req.query as Record<string, unknown> | undefined)?.ok;
  return typeof ok === 'string' && Object.hasOwn(messages, ok) ? messages[ok]! : null;
}
