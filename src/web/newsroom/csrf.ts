import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sameSecret } from '../../services/accountHelpers.js';
import type { Services } from '../../services/index.js';
import { cookieOptions } from './cookies.js';

/** Carries the login form's CSRF token before there is a session; only sent to the login path. */
export const LOGIN_COOKIE = 'nashra_login';
const LOGIN_PATH = '/newsroom/login';
const LOGIN_COOKIE_SECONDS = 2 * 60 * 60;
const RANDOM = /^[A-Za-z0-9_-]{43}$/;

/** The token a request submitted: the `x-csrf-token` header, or the `_csrf` form field (a multipart field object too). */
export function submittedCsrf(req: FastifyRequest): string | null {
  const header = req.headers['x-csrf-token'];
  if (typeof header === 'string' && header) return header;
  const field = (req.body as Record<string, unknown> | null | undefined)?._csrf;
  if (typeof field === 'string') return field;
  const value = (field as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' ? value : null;
}

/**
 * Whether `token` is the request's session CSRF token. For routes that read their body
 * themselves (streamed multipart, `config: { csrf: 'handler' }`), which must call this.
 */
export function csrfTokenMatches(req: FastifyRequest, token: string | null | undefined): boolean {
  return sameSecret(req.csrfToken, token);
}

const sign = (secret: string, value: string) => createHmac('sha256', secret).update(`login-form:${value}`).digest('base64url');

/**
 * The login form's token: an HMAC of a random value kept in a short-lived cookie (signed
 * double submit). Another site can neither read the cookie nor compute the HMAC, so it cannot
 * sign a victim into the attacker's account (login CSRF).
 */
export async function loginFormToken(req: FastifyRequest, reply: FastifyReply, services: Services): Promise<string> {
  let value = req.cookies[LOGIN_COOKIE];
  if (!value || !RANDOM.test(value)) {
    value = randomBytes(32).toString('base64url');
    reply.setCookie(LOGIN_COOKIE, value, { ...cookieOptions(services.config), path: LOGIN_PATH, maxAge: LOGIN_COOKIE_SECONDS });
  }
  return sign(await services.accounts.formSecret(), value);
}

export async function loginFormTokenValid(req: FastifyRequest, services: Services): Promise<boolean> {
  const value = req.cookies[LOGIN_COOKIE];
  if (!value || !RANDOM.test(value)) return false;
  return sameSecret(sign(await services.accounts.formSecret(), value), submittedCsrf(req));
}

export function clearLoginCookie(reply: FastifyReply, services: Services): void {
  reply.clearCookie(LOGIN_COOKIE, { ...cookieOptions(services.config), path: LOGIN_PATH });
}
