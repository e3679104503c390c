import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createServices } from '../../src/services/index.js';
import { buildApp } from '../../src/web/app.js';
import { requireRole } from '../../src/web/newsroom/auth.js';
import { addUser, csrfIn, FORM, form, loginForm, setCookies, signIn } from '../helpers/newsroom.js';
import { openTestSite, type TestSite } from '../helpers/services.js';

let site: TestSite;
let app: FastifyInstance;
let admin: Awaited<ReturnType<typeof addUser>>;
let contributor: Awaited<ReturnType<typeof addUser>>;

beforeAll(async () => {
  site = await openTestSite(undefined, { NASHRA_BASE_URL: 'https://nashra.example' });
  app = await buildApp({ services: site.services });
  // Stand-ins for the JSON API's routes: the same preHandler the API will use.
  app.get('/api/_probe', { preHandler: requireRole('contributor') }, async (req) => ({ via: req.authVia, user: req.actor.user?.email }));
  app.post('/api/_probe', { preHandler: requireRole('contributor') }, async (req) => ({ via: req.authVia, label: req.actor.label }));
  admin = await addUser(site.services, 'admin@nashra.example', 'admin');
  contributor = await addUser(site.services, 'writer@nashra.example', 'contributor');
});
afterAll(async () => {
  await app?.close();
  await site?.dispose();
});

describe('signing in', () => {
  it('shows an Arabic RTL login form, never cached, with a pre-session CSRF cookie', async () => {
    const { res, token } = await loginForm(app);
    expect(res.statusCode).toBe(200);
    expect(res.body.startsWith('<!doctype html><html lang="ar" dir="rtl">')).toBe(true);
    expect(res.body).toContain('<h1>تسجيل الدخول</h1>');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(setCookies(res).get('nashra_login')?.raw).toMatch(/HttpOnly/);
  });

  it('sets an HttpOnly, SameSite=Lax, Secure session cookie and goes to a local `next` only', async () => {
    const s = await signIn(app, contributor.email, contributor.password);
    const raw = setCookies(s.res).get('nashra_session')!.raw;
    expect(raw).toMatch(/; HttpOnly/);
    expect(raw).toMatch(/; SameSite=Lax/);
    expect(raw).toMatch(/; Secure/);
    expect(raw).toMatch(/; Path=\/(;|$)/);
    expect(raw).toMatch(/; Max-Age=1209600/);
    expect(s.res.headers.location).toBe('/newsroom');

    for (const [next, to] of [['/newsroom/sessions?x=1', '/newsroom/sessions?x=1'], ['//evil.example/x', '/newsroom'], ['/\\evil.example', '/newsroom'], ['https://evil.example', '/newsroom']]) {
      const { token, loginCookie } = await loginForm(app);
      const res = await app.inject({
        method: 'POST',
        url: '/newsroom/login',
        headers: { ...FORM, cookie: loginCookie! },
        payload: form({ email: contributor.email, password: contributor.password, _csrf: token, next: next! }),
      });
      expect(res.headers.location, next).toBe(to);
    }
  });

  it('leaves out Secure when the site is served over plain http', async () => {
    const plain = await buildApp({ services: createServices(site.services.store, loadConfig({ NASHRA_DATA_DIR: site.config.dataDir })) });
    try {
      const s = await signIn(plain, contributor.email, contributor.password);
      expect(setCookies(s.res).get('nashra_session')!.raw).not.toMatch(/Secure/);
    } finally {
      await plain.close();
    }
  });

  it('refuses a login post without the form token, with a wrong one, or without its cookie (login CSRF)', async () => {
    const { token, loginCookie } = await loginForm(app);
    const post = (cookie: string, fields: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/newsroom/login', headers: { ...FORM, cookie }, payload: form({ email: contributor.email, password: contributor.password, ...fields }) });
    for (const res of [await post(loginCookie!, {}), await post(loginCookie!, { _csrf: `${token.slice(0, -2)}xx` }), await post('', { _csrf: token })]) {
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('انتهت صلاحية نموذج الدخول');
      expect(setCookies(res).has('nashra_session')).toBe(false);
    }
    expect((await post(loginCookie!, { _csrf: token })).statusCode).toBe(303);
  });

  it('never keeps a session cookie set before login (session fixation)', async () => {
    const planted = 'A'.repeat(43);
    const a = await signIn(app, contributor.email, contributor.password, { priorCookie: `nashra_session=${planted}` });
    expect(a.sessionId).not.toBe(planted);
    // A real session planted by an attacker is ended, not carried over to the victim's login.
    const attacker = await signIn(app, admin.email, admin.password);
    const victim = await signIn(app, contributor.email, contributor.password, { priorCookie: attacker.cookie });
    expect(victim.sessionId).not.toBe(attacker.sessionId);
    expect(await site.services.accounts.sessionUser(attacker.sessionId)).toBeNull();
    expect((await site.services.accounts.sessionUser(victim.sessionId))?.user.email).toBe(contributor.email);
  });

  it('answers the 6th wrong password for an account with 429 and Retry-After', async () => {
    const { email } = await addUser(site.services, 'target@nashra.example', 'editor');
    const attempt = async (i: number) => {
      const { token, loginCookie } = await loginForm(app);
      return app.inject({
        method: 'POST',
        url: '/newsroom/login',
        headers: { ...FORM, cookie: loginCookie!, 'x-forwarded-for': `203.0.113.${i}` },
        payload: form({ email, password: `guess-number-${i}`, _csrf: token }),
      });
    };
    for (let i = 1; i <= 5; i++) {
      const res = await attempt(i);
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('البريد الإلكتروني أو كلمة المرور غير صحيحة');
    }
    const sixth = await attempt(6);
    expect(sixth.statusCode).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect(sixth.body).toContain('محاولات كثيرة لتسجيل الدخول');
  });
});

describe('sessions and CSRF', () => {
  it('refuses a state-changing post with a missing or wrong CSRF token, and accepts the right one', async () => {
    const s = await signIn(app, contributor.email, contributor.password);
    const post = (headers: Record<string, string>, fields: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/newsroom/password', headers: { ...FORM, cookie: s.cookie, ...headers }, payload: form({ current: 'x', password: 'y', confirm: 'z', ...fields }) });
    for (const res of [await post({}, {}), await post({}, { _csrf: 'wrong' }), await post({ 'x-csrf-token': `${s.csrf}x` }, {})]) {
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('انتهت صلاحية الصفحة');
    }
    // Past the check, the handler answers (here: the two new passwords differ).
    const ok = await post({}, { _csrf: s.csrf });
    expect(ok.statusCode).toBe(400);
    expect(ok.body).toContain('غير متطابقتين');
    expect((await post({ 'x-csrf-token': s.csrf }, {})).statusCode).toBe(400);
  });

  it('logs out: the session ends and its cookie no longer opens the newsroom', async () => {
    const s = await signIn(app, contributor.email, contributor.password);
    expect((await app.inject({ method: 'POST', url: '/newsroom/logout', headers: { cookie: s.cookie } })).statusCode).toBe(403);
    const res = await app.inject({ method: 'POST', url: '/newsroom/logout', headers: { ...FORM, cookie: s.cookie }, payload: form({ _csrf: s.csrf }) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/newsroom/login');
    expect(setCookies(res).get('nashra_session')?.raw).toMatch(/Expires=Thu, 01 Jan 1970/);
    const after = await app.inject({ method: 'GET', url: '/newsroom', headers: { cookie: s.cookie } });
    expect(after.statusCode).toBe(303);
    expect(await site.services.accounts.sessionUser(s.sessionId)).toBeNull();
  });

  it('lists my sessions and ends another one of them', async () => {
    const here = await signIn(app, contributor.email, contributor.password);
    const there = await signIn(app, contributor.email, contributor.password);
    const page = await app.inject({ method: 'GET', url: '/newsroom/sessions', headers: { cookie: here.cookie } });
    expect(page.body).toContain('(هذه الجلسة)');
    const hashes = [...page.body.matchAll(/action="\/newsroom\/sessions\/([0-9a-f]{64})\/end"/g)].map((m) => m[1]!);
    const target = createHash('sha256').update(there.sessionId).digest('hex');
    expect(hashes).toContain(target);
    const res = await app.inject({ method: 'POST', url: `/newsroom/sessions/${target}/end`, headers: { ...FORM, cookie: here.cookie }, payload: form({ _csrf: here.csrf }) });
    expect(res.headers.location).toBe('/newsroom/sessions?ok=ended');
    expect(await site.services.accounts.sessionUser(there.sessionId)).toBeNull();
    expect(await site.services.accounts.sessionUser(here.sessionId)).not.toBeNull();
  });

  it('does not look sessions up for reader pages', async () => {
    const s = await signIn(app, contributor.email, contributor.password);
    const res = await app.inject({ method: 'GET', url: '/', headers: { cookie: s.cookie } });
    expect(res.headers['cache-control']).not.toMatch(/private/);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('roles', () => {
  it('sends anonymous visitors to the login page, with where they were going', async () => {
    for (const url of ['/newsroom', '/newsroom/users', '/newsroom/audit?action=login', '/newsroom/anything']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toBe(`/newsroom/login?next=${encodeURIComponent(url)}`);
    }
    const post = await app.inject({ method: 'POST', url: '/newsroom/users', headers: FORM, payload: form({ email: 'x@y.example' }) });
    expect(post.statusCode).toBe(303);
    expect(post.headers.location).toBe('/newsroom/login?next=%2Fnewsroom');
  });

  it('gives a contributor 403 on the admin pages and an admin 200', async () => {
    const c = await signIn(app, contributor.email, contributor.password);
    const a = await signIn(app, admin.email, admin.password);
    for (const url of ['/newsroom/users', '/newsroom/audit']) {
      const denied = await app.inject({ method: 'GET', url, headers: { cookie: c.cookie } });
      expect(denied.statusCode).toBe(403);
      expect(denied.body).toContain('ليست لديك صلاحية');
      expect(denied.body).toContain('dir="rtl"');
      const allowed = await app.inject({ method: 'GET', url, headers: { cookie: a.cookie } });
      expect(allowed.statusCode).toBe(200);
      expect(allowed.headers['cache-control']).toBe('private, no-store');
    }
    const nav = (await app.inject({ method: 'GET', url: '/newsroom', headers: { cookie: c.cookie } })).body;
    expect(nav).not.toContain('href="/newsroom/users"');
    expect(csrfIn(nav)).toBe(c.csrf);
    expect((await app.inject({ method: 'GET', url: '/newsroom', headers: { cookie: a.cookie } })).body).toContain('href="/newsroom/audit"');
  });
});

describe('API tokens', () => {
  it('authenticate /api requests only; a read token cannot POST; a cookie on /api still needs CSRF', async () => {
    const { token: read } = await site.services.accounts.createToken(contributor.user.id, { name: 'feed', scope: 'read' });
    const { token: write } = await site.services.accounts.createToken(contributor.user.id, { name: 'cms', scope: 'write' });
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

    const got = await app.inject({ method: 'GET', url: '/api/_probe', headers: bearer(read) });
    expect(got.json()).toEqual({ via: 'token', user: contributor.email });
    const denied = await app.inject({ method: 'POST', url: '/api/_probe', headers: bearer(read) });
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(denied.json()).toMatchObject({ type: 'about:blank', status: 403, title: expect.any(String), detail: expect.any(String) });
    expect((await app.inject({ method: 'POST', url: '/api/_probe', headers: bearer(write) })).json()).toEqual({ via: 'token', label: 'api' });

    const bad = await app.inject({ method: 'GET', url: '/api/_probe', headers: bearer('nsh_nope') });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toContain('invalid_token');
    const anonymous = await app.inject({ method: 'GET', url: '/api/_probe' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ status: 401 });

    // Tokens do not open the HTML newsroom: it is for people with a session.
    const page = await app.inject({ method: 'GET', url: '/newsroom', headers: bearer(write) });
    expect(page.statusCode).toBe(303);

    const s = await signIn(app, contributor.email, contributor.password);
    const noCsrf = await app.inject({ method: 'POST', url: '/api/_probe', headers: { cookie: s.cookie } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const withCsrf = await app.inject({ method: 'POST', url: '/api/_probe', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    expect(withCsrf.json()).toEqual({ via: 'session', label: contributor.email });
  });
});
