import { createHash, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { multipart } from '../helpers/forms.js';
import { addUser, FORM, form, loginForm, setCookies, signIn } from '../helpers/newsroom.js';
import { htmlAsPng, mediaState, pngBomb, realPng, truncatedJpeg } from '../helpers/securityImages.js';
import { call, matrixSite, type MatrixSite } from '../helpers/securityMatrix.js';
import { routeKey, UNSAFE_METHODS } from '../helpers/securityRoutes.js';

// buildApp makes its own Fastify instance: this hands it one that records every route.
vi.mock('fastify', async (orig) => (await import('../helpers/securityRoutes.js')).withRouteCollector(await orig()));

/** What newsroom-auth.test.ts does not already cover: CSRF on every route, fixation, throttling, disabling, uploads. */
let s: MatrixSite;
beforeAll(async () => {
  s = await matrixSite();
});
afterAll(() => s?.dispose());

/**
 * Every change is audited in its own transaction; the drafts and live coverages the requests are
 * aimed at are made fresh, so leave those out (a forged create is still caught by its 403).
 */
const FIXTURES = new Set(['article.create', 'live.create']);
const auditCount = async () => (await s.site.services.accounts.auditLog({ limit: 100_000 })).filter((e) => !FIXTURES.has(e.action)).length;
const CSRF_PAGE = 'انتهت صلاحية';

describe('CSRF on every state-changing route', () => {
  it('answers 403 to a missing, wrong, foreign or URL-borne token on every unsafe route, and changes nothing', async () => {
    const unsafe = s.routes.filter((r) => UNSAFE_METHODS.has(r.method));
    expect(unsafe.length).toBeGreaterThan(25);
    const admin = s.members.admin.session;
    // The login form has its own pre-session token (a signed double submit), bound to its cookie.
    const login = async (csrf: string | null) => {
      const { loginCookie } = await loginForm(s.app);
      const { email, password } = s.members.contributor;
      return s.app.inject({ method: 'POST', url: '/newsroom/login', headers: { ...FORM, cookie: loginCookie! }, payload: form({ email, password, ...(csrf ? { _csrf: csrf } : {}) }) });
    };
    const before = await auditCount();
    const wrong: string[] = [];
    for (const r of unsafe) {
      const tokens: [string, string | null][] = [
        ['missing', null],
        ['wrong', randomBytes(32).toString('base64url')],
        ["another session's", s.members.editor.session.csrf],
        ['one character off', `${admin.csrf.slice(0, -1)}${admin.csrf.endsWith('A') ? 'B' : 'A'}`],
      ];
      for (const [what, csrf] of tokens) {
        const res = routeKey(r) === 'POST /newsroom/login' ? await login(csrf) : await call(s, r, 'admin', { csrf, via: 'session' });
        const api = r.url.startsWith('/api/');
        const shape = api ? /^application\/problem\+json/.test(String(res.headers['content-type'])) : res.body.includes(CSRF_PAGE);
        if (res.statusCode !== 403 || !shape) wrong.push(`${routeKey(r)} with a ${what} token → ${res.statusCode}`);
      }
      if (routeKey(r) !== 'POST /newsroom/login') {
        // A token in the query string is not a token: it leaks through logs and Referer.
        const url = `${r.url.replace(/:(\w+)/g, '1')}?_csrf=${encodeURIComponent(admin.csrf)}`;
        const res = await s.app.inject({ method: r.method as 'POST', url, headers: { cookie: admin.cookie, ...FORM }, payload: '' });
        if (res.statusCode !== 403) wrong.push(`${routeKey(r)} with the token in the URL → ${res.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await auditCount()).toBe(before);
    expect(await s.site.services.accounts.sessionUser(admin.sessionId)).not.toBeNull();
    const published = await s.site.services.workflow.get({ user: s.members.admin.user, label: 't', ip: null }, s.published.id);
    expect(published.status).toBe('published');
  });

  it('checks the token inside a multipart editor post, before any picture is stored', async () => {
    const before = await mediaState(s.site.services);
    const body = multipart({ _csrf: 'forged', headline: 'خبر', 'blocks[0][type]': 'paragraph', 'blocks[0][text]': 'نص' }, [
      { name: 'leadFile', filename: 'x.png', type: 'image/png', data: await realPng(11) },
    ]);
    for (const url of ['/newsroom/articles', '/newsroom/media']) {
      const res = await s.app.inject({ method: 'POST', url, headers: { cookie: s.members.editor.session.cookie, ...body.headers }, payload: body.payload });
      expect(res.statusCode, url).toBe(403);
    }
    expect(await mediaState(s.site.services)).toEqual(before);
  });
});

describe('sessions', () => {
  it('never honours a session id planted before login, not even after the victim signs in', async () => {
    const { email, password } = s.members.contributor;
    const planted = randomBytes(32).toString('base64url');
    const victim = await signIn(s.app, email, password, { priorCookie: `nashra_session=${planted}` });
    expect(victim.sessionId).not.toBe(planted);
    const withPlanted = await s.app.inject({ method: 'GET', url: '/newsroom', headers: { cookie: `nashra_session=${planted}` } });
    expect(withPlanted.statusCode).toBe(303);
    const api = await s.app.inject({ method: 'GET', url: '/api/v1/articles', headers: { cookie: `nashra_session=${planted}` } });
    expect(api.statusCode).toBe(401);
  });

  it("ends only one's own sessions: another user's session id hash is not found", async () => {
    const victim = await signIn(s.app, s.members.editor.email, s.members.editor.password);
    const hash = createHash('sha256').update(victim.sessionId).digest('hex');
    const c = s.members.contributor.session;
    const res = await s.app.inject({ method: 'POST', url: `/newsroom/sessions/${hash}/end`, headers: { cookie: c.cookie, ...FORM }, payload: form({ _csrf: c.csrf }) });
    expect(res.statusCode).toBe(404);
    expect(await s.site.services.accounts.sessionUser(victim.sessionId)).not.toBeNull();
  });

  it('throttles a password spray from one IP across many accounts: 429 with Retry-After, even for the right password', async () => {
    const ip = '203.0.113.200';
    const attempt = async (email: string, password: string, from = ip) => {
      const { token, loginCookie } = await loginForm(s.app);
      return s.app.inject({ method: 'POST', url: '/newsroom/login', headers: { ...FORM, cookie: loginCookie!, 'x-forwarded-for': from }, payload: form({ email, password, _csrf: token }) });
    };
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await attempt(`sprayed-${i}@nashra.test`, `Guess number ${i}!`)).statusCode);
    expect(statuses).toEqual(Array(20).fill(401));
    const { email, password } = s.members.contributor;
    const blocked = await attempt(email, password);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toContain('محاولات كثيرة لتسجيل الدخول');
    expect(setCookies(blocked).has('nashra_session')).toBe(false);
    expect((await attempt(email, password, '203.0.113.201')).statusCode).toBe(303);
  });

  it('shuts a disabled user out at once: pages, API with the session, API with a token, and writes', async () => {
    const u = await addUser(s.site.services, 'leaving@nashra.test', 'editor');
    const session = await signIn(s.app, u.email, u.password);
    const { token } = await s.site.services.accounts.createToken(u.user.id, { name: 'cms', scope: 'write' });
    const admin = { user: s.members.admin.user, label: 'test', ip: null };
    await s.site.services.accounts.setDisabled(admin, u.user.id, true);
    const before = await auditCount();
    const page = await s.app.inject({ method: 'GET', url: '/newsroom/articles', headers: { cookie: session.cookie } });
    expect(page.statusCode).toBe(303);
    const write = await s.app.inject({ method: 'POST', url: '/newsroom/articles', headers: { cookie: session.cookie, ...FORM }, payload: form({ _csrf: session.csrf, headline: 'x', 'blocks[0][text]': 'y' }) });
    expect(write.statusCode).toBe(303);
    expect(write.headers.location).toMatch(/^\/newsroom\/login/);
    const viaSession = await s.app.inject({ method: 'GET', url: '/api/v1/articles', headers: { cookie: session.cookie } });
    expect(viaSession.statusCode).toBe(401);
    const viaToken = await s.app.inject({ method: 'POST', url: '/api/v1/articles', headers: { authorization: `Bearer ${token}` }, payload: { headline: 'x' } });
    expect(viaToken.statusCode).toBe(401);
    expect(viaToken.headers['www-authenticate']).toContain('invalid_token');
    expect(await auditCount()).toBe(before);
  });
});

describe('uploads', () => {
  const cases = async () => [
    { name: 'an HTML file renamed .png', filename: 'photo.png', type: 'image/png', data: htmlAsPng(), api: 415, says: 'نوع الملف غير مدعوم' },
    { name: 'an 8000×8000 decompression bomb', filename: 'bomb.png', type: 'image/png', data: pngBomb(8000), api: 400, says: 'أبعاد الصورة أكبر من الحد المسموح' },
    { name: 'a truncated JPEG', filename: 'cut.jpg', type: 'image/jpeg', data: await truncatedJpeg(), api: 400, says: 'الصورة تالفة أو ناقصة' },
  ];
  const editor = () => s.members.editor;
  const viaApi = (data: Buffer, filename: string) => {
    const f = new FormData();
    f.append('caption', 'تعليق');
    f.append('file', new Blob([new Uint8Array(data)]), filename);
    return s.app.inject({ method: 'POST', url: '/api/v1/media', headers: { authorization: `Bearer ${editor().token}` }, body: f });
  };
  const viaForm = (url: string, fields: Record<string, string>, file: { field: string; filename: string; type: string; data: Buffer }) => {
    const body = multipart({ _csrf: editor().session.csrf, ...fields }, [{ name: file.field, filename: file.filename, type: file.type, data: file.data }]);
    return s.app.inject({ method: 'POST', url, headers: { cookie: editor().session.cookie, ...body.headers }, payload: body.payload });
  };
  const article = { headline: 'خبر بصورة', 'blocks[0][type]': 'paragraph', 'blocks[0][text]': 'نص.' };

  it('refuses each hostile file through the API, the library page and the editor form with a clear 4xx, writing nothing', async () => {
    const created = async () => (await s.site.services.accounts.auditLog({ action: 'article.create', limit: 100_000 })).length;
    const articlesBefore = await created();
    for (const c of await cases()) {
      const before = await mediaState(s.site.services);
      const api: LightMyRequestResponse = await viaApi(c.data, c.filename);
      expect(api.statusCode, c.name).toBe(c.api);
      expect(api.headers['content-type'], c.name).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(api.json()), c.name).toContain(c.says);
      const page = await viaForm('/newsroom/media', { caption: 'تعليق' }, { field: 'file', ...c });
      expect(page.statusCode, c.name).toBe(400);
      expect(page.body, c.name).toContain(c.says);
      const form = await viaForm('/newsroom/articles', article, { field: 'leadFile', ...c });
      expect(form.statusCode, c.name).toBe(400);
      expect(form.body, c.name).toContain(c.says);
      expect(await mediaState(s.site.services), c.name).toEqual(before);
    }
    expect(await created()).toBe(articlesBefore);
  });

  it('takes a PNG named .jpg as the PNG it is, everywhere', async () => {
    const api = await viaApi(await realPng(21), 'renamed.jpg');
    expect(api.statusCode).toBe(201);
    expect(api.json()).toMatchObject({ mime: 'image/png' });
    const page = await viaForm('/newsroom/media', {}, { field: 'file', filename: 'renamed.jpg', type: 'image/jpeg', data: await realPng(22) });
    expect(page.statusCode).toBe(303);
    const form = await viaForm('/newsroom/articles', article, { field: 'leadFile', filename: 'renamed.jpg', type: 'image/jpeg', data: await realPng(23) });
    expect(form.statusCode, form.body.slice(0, 500)).toBe(303);
    const id = Number(/\/newsroom\/articles\/(\d+)\//.exec(String(form.headers.location))![1]);
    const a = await s.site.services.workflow.get({ user: editor().user, label: 't', ip: null }, id);
    expect(a.lead?.media.mime).toBe('image/png');
    expect(a.lead?.media.storageKey).toMatch(/\.png$/);
  });
});
