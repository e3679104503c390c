import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { hasRole, type Actor, type Role } from '../../domain/user.js';
import type { TokenScope } from '../../services/accounts.js';
import type { Services } from '../../services/index.js';
import { problem, sendProblem } from '../api/problem.js';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from './cookies.js';
import { csrfTokenMatches, submittedCsrf } from './csrf.js';
import { newsroomContext, seeOther, sendNewsroomPage } from './page.js';
import { MessageView } from './views/layout.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking; `user` null when anonymous. Set for every request. */
    actor: Actor;
    /** The session's CSRF token (session requests only), for forms and the `x-csrf-token` header. */
    csrfToken: string | null;
    authVia: 'session' | 'token' | null;
    tokenScope: TokenScope | null;
    /** Identifies the current session in `listSessions` (never the cookie value). */
    sessionIdHash: string | null;
  }
  interface FastifyContextConfig {
    /**
     * `login`: the route checks the pre-session token itself (the login form).
     * `handler`: the route reads its body itself (streamed multipart) and must call `csrfTokenMatches`.
     */
    csrf?: 'login' | 'handler';
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The path without query or trailing slash (the router ignores trailing slashes, so must we). */
const pathOf = (req: FastifyRequest) => req.url.split('?')[0]!.replace(/(.)\/+$/, '$1');

export function isApiRequest(req: FastifyRequest): boolean {
  const p = pathOf(req);
  return p === '/api' || p.startsWith('/api/');
}

const isNewsroomPath = (p: string) => p === '/newsroom' || p.startsWith('/newsroom/');
/** Newsroom paths an anonymous visitor may reach; everything else there needs a signed-in user. */
const PUBLIC_NEWSROOM = new Set(['/newsroom/login']);

/** Per request: how to resolve its identity (lazily, for paths that do not need it up front). */
const pending = new WeakMap<FastifyRequest, { services: Services; resolve: () => Promise<void> }>();

async function resolveIdentity(req: FastifyRequest, reply: FastifyReply, services: Services): Promise<void> {
  const { accounts, config } = services;
  // Bearer tokens are for the API only: a page under /newsroom never acts on one, so a token
  // cannot open the HTML newsroom and there is one way in per surface.
  const authorization = isApiRequest(req) ? req.headers.authorization : undefined;
  if (authorization !== undefined) {
    const m = /^Bearer +(\S+) *$/i.exec(authorization);
    const found = m ? await accounts.tokenUser(m[1]!) : null;
    if (!found) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      await sendProblem(reply, problem(401, 'رمز الوصول غير صالح أو ملغى'));
      return;
    }
    req.actor = { user: found.user, label: 'api', ip: req.ip };
    req.authVia = 'token';
    req.tokenScope = found.scope;
    return;
  }
  const sessionId = req.cookies[SESSION_COOKIE];
  if (!sessionId) return;
  const found = await accounts.sessionUser(sessionId);
  if (!found) {
    clearSessionCookie(reply, config);
    return;
  }
  req.actor = { user: found.user, label: found.user.email, ip: req.ip };
  req.authVia = 'session';
  req.csrfToken = found.session.csrfToken;
  req.sessionIdHash = found.session.idHash;
  if (found.refreshed) setSessionCookie(reply, config, sessionId);
}

function sendUnauthenticated(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isApiRequest(req)) return sendProblem(reply, problem(401, 'سجّل الدخول أو أرسل رمز وصول (Authorization: Bearer)'));
  const next = req.method === 'GET' || req.method === 'HEAD' ? req.url : '/newsroom';
  return seeOther(reply.header('cache-control', 'private, no-store'), `/newsroom/login?next=${encodeURIComponent(next)}`);
}

export function sendForbidden(req: FastifyRequest, reply: FastifyReply, services: Services, message: string): FastifyReply {
  if (isApiRequest(req)) return sendProblem(reply, problem(403, message));
  return sendNewsroomPage(reply, MessageView, { ctx: newsroomContext(req, services), title: 'غير مسموح', message }, 403);
}

/**
 * A preHandler that lets the request through only for a signed-in user with at least `role`
 * (roles nest: admin ⊃ editor ⊃ contributor). Anonymous: HTML → 303 to the login page,
 * `/api` → 401; too low a role → 403 (Arabic page or problem+json).
 */
export function requireRole(role: Role): preHandlerAsyncHookHandler {
  return async function roleCheck(req, reply) {
    const auth = pending.get(req);
    if (!auth) throw new Error('requireRole needs the newsroom auth plugin (src/web/newsroom/auth.ts) registered');
    await auth.resolve();
    if (reply.sent) return reply;
    if (!req.actor.user) return sendUnauthenticated(req, reply);
    if (!hasRole(req.actor.user, role)) return sendForbidden(req, reply, auth.services, 'ليست لديك صلاحية الوصول إلى هذه الصفحة');
  };
}

async function newsroomAuthPlugin(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  if (!app.hasRequestDecorator('cookies')) await app.register(cookie);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);
  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('authVia', null);
  app.decorateRequest('tokenScope', null);
  app.decorateRequest('sessionIdHash', null);

  app.addHook('onRequest', async (req, reply) => {
    req.actor = { user: null, label: 'anonymous', ip: req.ip };
    let done: Promise<void> | undefined;
    pending.set(req, { services, resolve: () => (done ??= resolveIdentity(req, reply, services)) });
    const path = pathOf(req);
    if (isNewsroomPath(path)) reply.header('cache-control', 'private, no-store');
    // Reader pages never need to know who is asking: no session lookup on the hot path.
    // Every unsafe method does, for its CSRF check.
    if (!isNewsroomPath(path) && !isApiRequest(req) && !UNSAFE.has(req.method)) return;
    await pending.get(req)!.resolve();
    if (reply.sent) return reply;
    if (req.authVia === 'token' && UNSAFE.has(req.method) && req.tokenScope !== 'write') {
      return sendProblem(reply, problem(403, 'هذا الرمز للقراءة فقط'));
    }
    if (req.authVia) reply.header('cache-control', 'private, no-store');
  });

  // preHandler, not preValidation: a multipart body attached by a route's own plugin is parsed by then.
  app.addHook('preHandler', async (req, reply) => {
    // Only a session cookie rides along on a forged cross-site request: bearer tokens and
    // anonymous requests have nothing ambient to abuse.
    if (UNSAFE.has(req.method) && req.authVia === 'session') {
      const mode = req.routeOptions.config?.csrf;
      if (mode !== 'login' && mode !== 'handler' && !csrfTokenMatches(req, submittedCsrf(req))) {
        const message = 'انتهت صلاحية الصفحة أو أن الطلب لم يصدر عنها. عد إلى الصفحة وحدّثها ثم أعد المحاولة.';
        return sendForbidden(req, reply, services, message);
      }
    }
    // Default deny: a newsroom route that forgot its requireRole still needs a signed-in user.
    const path = pathOf(req);
    if (isNewsroomPath(path) && !PUBLIC_NEWSROOM.has(path) && !req.actor.user) return sendUnauthenticated(req, reply);
  });
}

// Like fastify-plugin: the hooks and decorations apply to the whole app, not just this plugin's scope.
Object.assign(newsroomAuthPlugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'nashra-newsroom-auth' });
export const newsroomAuth = newsroomAuthPlugin;
