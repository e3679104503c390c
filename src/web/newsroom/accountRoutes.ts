import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../../domain/errors.js';
import { InvalidCredentialsError, LoginThrottledError } from '../../services/accountErrors.js';
import type { Services } from '../../services/index.js';
import { requireRole } from './auth.js';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from './cookies.js';
import { clearLoginCookie, loginFormToken, loginFormTokenValid } from './csrf.js';
import { doneMessage, newsroomContext, safeNext, seeOther, sendNewsroomPage } from './page.js';
import { userAdminRoutes } from './userAdminRoutes.js';
import { PasswordView, SessionsView } from './views/account.js';
import { DashboardView } from './views/dashboard.js';
import { LoginView } from './views/login.js';

const LoginBody = z.object({
  email: z.string().max(320),
  password: z.string().min(1).max(1024),
  next: z.string().max(2000).optional(),
});
const PasswordBody = z.object({ current: z.string().max(1024), password: z.string().max(1024), confirm: z.string().max(1024) });
const SESSION_HASH = /^[0-9a-f]{64}$/;

const DONE: Record<string, string> = {
  ended: 'أُنهيت الجلسة.',
  password: 'تغيّرت كلمة المرور، وأُنهيت جلساتك على الأجهزة الأخرى.',
};

export async function accountRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const { accounts, config } = services;
  const signedIn = { preHandler: requireRole('contributor') };

  async function loginPage(req: FastifyRequest, reply: FastifyReply, status: number, fields: { email?: string; next?: string; error?: string }) {
    const formToken = await loginFormToken(req, reply, services);
    const ctx = { ...newsroomContext(req, services), user: null, csrfToken: null };
    return sendNewsroomPage(reply, LoginView, { ctx, formToken, ...fields }, status);
  }

  app.get('/newsroom/login', async (req, reply) => {
    const next = safeNext((req.query as Record<string, unknown>).next);
    if (req.actor.user) return seeOther(reply, next);
    return loginPage(req, reply, 200, { next });
  });

  app.post('/newsroom/login', { config: { csrf: 'login' } }, async (req, reply) => {
    const parsed = LoginBody.safeParse(req.body ?? {});
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const email = typeof raw.email === 'string' ? raw.email.slice(0, 320) : '';
    const next = safeNext(raw.next);
    if (!(await loginFormTokenValid(req, services))) {
      return loginPage(req, reply, 403, { email, next, error: 'انتهت صلاحية نموذج الدخول. أعد إدخال كلمة المرور.' });
    }
    if (!parsed.success) return loginPage(req, reply, 400, { email, next, error: 'أدخل البريد الإلكتروني وكلمة المرور.' });
    try {
      const result = await accounts.login({
        email: parsed.data.email,
        password: parsed.data.password,
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? null,
        // Whatever session cookie came with the form is ended, never promoted (session fixation).
        replacesSessionId: req.cookies[SESSION_COOKIE] ?? null,
      });
      setSessionCookie(reply, config, result.sessionId);
      clearLoginCookie(reply, services);
      return seeOther(reply, next);
    } catch (e) {
      if (e instanceof LoginThrottledError) {
        reply.header('retry-after', String(e.retryAfterSeconds));
        return loginPage(req, reply, 429, { email, next, error: e.message });
      }
      if (e instanceof InvalidCredentialsError) return loginPage(req, reply, 401, { email, next, error: e.message });
      throw e;
    }
  });

  app.post('/newsroom/logout', signedIn, async (req, reply) => {
    await accounts.logout(req.cookies[SESSION_COOKIE] ?? '', req.ip);
    clearSessionCookie(reply, config);
    return seeOther(reply, '/newsroom/login');
  });

  app.get('/newsroom', signedIn, async (req, reply) => sendNewsroomPage(reply, DashboardView, { ctx: newsroomContext(req, services) }));

  async function sessionsPage(req: FastifyRequest, reply: FastifyReply, status = 200, error: string | null = null) {
    const sessions = await accounts.listSessions(req.actor.user!.id);
    const ctx = newsroomContext(req, services);
    return sendNewsroomPage(reply, SessionsView, { ctx, sessions, currentIdHash: req.sessionIdHash, ok: doneMessage(req, DONE), error }, status);
  }

  app.get('/newsroom/sessions', signedIn, (req, reply) => sessionsPage(req, reply));

  app.post<{ Params: { id: string } }>('/newsroom/sessions/:id/end', signedIn, async (req, reply) => {
    const { id } = req.params;
    if (!SESSION_HASH.test(id) || !(await accounts.endSession(req.actor.user!.id, id, req.ip))) {
      return sessionsPage(req, reply, 404, 'لم نجد هذه الجلسة؛ ربما انتهت من قبل.');
    }
    if (id === req.sessionIdHash) {
      clearSessionCookie(reply, config);
      return seeOther(reply, '/newsroom/login');
    }
    return seeOther(reply, '/newsroom/sessions?ok=ended');
  });

  app.get('/newsroom/password', signedIn, async (req, reply) =>
    sendNewsroomPage(reply, PasswordView, { ctx: newsroomContext(req, services), ok: doneMessage(req, DONE) }),
  );

  app.post('/newsroom/password', signedIn, async (req, reply) => {
    const fail = (status: number, error: string) => sendNewsroomPage(reply, PasswordView, { ctx: newsroomContext(req, services), error }, status);
    const parsed = PasswordBody.safeParse(req.body ?? {});
    if (!parsed.success) return fail(400, 'املأ الحقول الثلاثة.');
    const { current, password, confirm } = parsed.data;
    if (password !== confirm) return fail(400, 'كلمتا المرور الجديدتان غير متطابقتين.');
    try {
      await accounts.changePassword(req.actor.user!.id, current, password, { keepSessionIdHash: req.sessionIdHash ?? undefined, ip: req.ip });
    } catch (e) {
      if (e instanceof ValidationError) return fail(400, e.message);
      throw e;
    }
    return seeOther(reply, '/newsroom/password?ok=password');
  });

  await app.register(userAdminRoutes, { services });
}
