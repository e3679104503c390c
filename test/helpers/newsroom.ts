import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Role } from '../../src/domain/user.js';
import type { Services } from '../../src/services/index.js';

/** Newsroom test helpers: real sign-in through the login form, as a browser does it. */

export const cli = { user: null, label: 'cli', ip: null } as const;

export async function addUser(services: Services, email: string, role: Role, password = 'ورد الشام في الربيع') {
  const user = await services.accounts.createUser({ email, role, password, displayName: email.split('@')[0] }, cli);
  return { user, email, password };
}

/** Each Set-Cookie of a response by name: its value and its attributes as sent. */
export function setCookies(res: LightMyRequestResponse): Map<string, { value: string; raw: string }> {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return new Map(
    list.map((c) => {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      return [pair!.slice(0, i), { value: decodeURIComponent(pair!.slice(i + 1)), raw: c }];
    }),
  );
}

export function csrfIn(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no _csrf field in the page');
  return m[1]!;
}

export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** GET the login form: its token and the pre-session cookie that token is bound to. */
export async function loginForm(app: FastifyInstance, cookie?: string) {
  const res = await app.inject({ method: 'GET', url: '/newsroom/login', headers: cookie ? { cookie } : {} });
  const login = setCookies(res).get('nashra_login')?.value;
  return { res, token: csrfIn(res.body), loginCookie: login ? `nashra_login=${login}` : undefined };
}

export interface Signed {
  /** `nashra_session=…`, for the `cookie` header. */
  cookie: string;
  sessionId: string;
  /** The session's CSRF token, read from a page as a browser would. */
  csrf: string;
  res: LightMyRequestResponse;
}

export async function signIn(
  app: FastifyInstance,
  email: string,
  password: string,
  opts: { ip?: string; priorCookie?: string } = {},
): Promise<Signed> {
  const { token, loginCookie } = await loginForm(app);
  const cookie = [loginCookie, opts.priorCookie].filter(Boolean).join('; ');
  const res = await app.inject({
    method: 'POST',
    url: '/newsroom/login',
    headers: { ...FORM, cookie, ...(opts.ip ? { 'x-forwarded-for': opts.ip } : {}) },
    payload: form({ email, password, _csrf: token }),
  });
  const sessionId = setCookies(res).get('nashra_session')?.value;
  if (res.statusCode !== 303 || !sessionId) throw new Error(`sign-in failed: ${res.statusCode}`);
  const page = await app.inject({ method: 'GET', url: '/newsroom', headers: { cookie: `nashra_session=${sessionId}` } });
  return { cookie: `nashra_session=${sessionId}`, sessionId, csrf: csrfIn(page.body), res };
}
