import type { FastifyReply } from 'fastify';
import type { Config } from '../../config.js';
import { SESSION_TTL_MS } from '../../services/sessions.js';

export const SESSION_COOKIE = 'nashra_session';

/**
 * HttpOnly: scripts never see it. SameSite=Lax: not sent on cross-site POSTs (the CSRF token is
 * the main defence; this is a second). Secure whenever the site is served over https.
 */
export function cookieOptions(config: Config) {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: config.baseUrl.startsWith('https:') } as const;
}

/** Max-Age follows the sliding expiry, so an idle browser forgets the cookie when the server does. */
export function setSessionCookie(reply: FastifyReply, config: Config, sessionId: string): void {
  reply.setCookie(SESSION_COOKIE, sessionId, { ...cookieOptions(config), maxAge: Math.floor(SESSION_TTL_MS / 1000) });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(config));
}
