import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Role } from '../../src/domain/user.js';
import { addUser, FORM, form, signIn } from '../helpers/newsroom.js';
import { call, matrixSite, ROLES, type MatrixSite, type Who } from '../helpers/securityMatrix.js';
import { routeKey, UNSAFE_METHODS } from '../helpers/securityRoutes.js';

// buildApp makes its own Fastify instance: this hands it one that records every route.
vi.mock('fastify', async (orig) => (await import('../helpers/securityRoutes.js')).withRouteCollector(await orig()));

/**
 * Who may use each route: `anyone` (reader pages, assets, the login form), or at least this role.
 * Roles nest (contributor ⊂ editor ⊂ admin). Where a route lets a contributor in but the service
 * refuses part of the work (publishing, deleting), the entry names the role the work needs: the
 * server must answer 403 whichever layer decides. A route missing here fails the test, so every
 * new route is classified by whoever adds it.
 */
const NEEDS: Record<string, 'anyone' | Role> = {
  'GET /': 'anyone',
  'GET /healthz': 'anyone',
  // A load balancer's probe: it says ready or not and why, nothing that needs hiding.
  'GET /readyz': 'anyone',
  // Guarded by its own bearer token (NASHRA_METRICS_TOKEN), not by a role: see ANSWERS.
  'GET /metrics': 'anyone',
  'GET /live': 'anyone',
  'GET /live/:slug': 'anyone',
  'GET /live/:slug/events': 'anyone',
  'GET /live/:slug/updates': 'anyone',
  'GET /news/:id': 'anyone',
  'GET /news/:id/:slug': 'anyone',
  'GET /section/:slug': 'anyone',
  'GET /tag/:slug': 'anyone',
  'GET /page/:slug': 'anyone',
  'GET /feed.xml': 'anyone',
  'GET /feed.atom': 'anyone',
  'GET /feed.json': 'anyone',
  'GET /author/:slug': 'anyone',
  'GET /author/:slug/feed.atom': 'anyone',
  'GET /author/:slug/feed.json': 'anyone',
  'GET /author/:slug/feed.xml': 'anyone',
  'GET /media/crop/:id/:version/:file': 'anyone',
  'GET /news-sitemap.xml': 'anyone',
  'GET /robots.txt': 'anyone',
  'GET /section/:slug/feed.atom': 'anyone',
  'GET /section/:slug/feed.json': 'anyone',
  'GET /section/:slug/feed.xml': 'anyone',
  'GET /sitemap.xml': 'anyone',
  'GET /sitemaps/:file': 'anyone',
  'GET /tag/:slug/feed.atom': 'anyone',
  'GET /tag/:slug/feed.json': 'anyone',
  'GET /tag/:slug/feed.xml': 'anyone',
  'GET /manifest.webmanifest': 'anyone',
  'GET /favicon.ico': 'anyone',
  'GET /icon-192.png': 'anyone',
  'GET /icon-512.png': 'anyone',
  'GET /icon-maskable-512.png': 'anyone',
  'GET /apple-touch-icon.png': 'anyone',
  'GET /logo.png': 'anyone',
  'GET /og-default.png': 'anyone',
  'GET /oembed': 'anyone',
  'GET /assets/:name': 'anyone',
  'GET /assets/fonts/:name': 'anyone',
  'GET /media/*': 'anyone',
  'GET /api/docs': 'anyone',
  'GET /search': 'anyone',
  'GET /api/v1/search': 'anyone',
  'GET /newsroom/login': 'anyone',
  'POST /newsroom/login': 'anyone',

  'GET /newsroom': 'contributor',
  'POST /newsroom/logout': 'contributor',
  'GET /newsroom/sessions': 'contributor',
  'POST /newsroom/sessions/:id/end': 'contributor',
  'GET /newsroom/password': 'contributor',
  'POST /newsroom/password': 'contributor',
  'GET /newsroom/articles': 'contributor',
  'GET /newsroom/articles/new': 'contributor',
  'POST /newsroom/articles': 'contributor',
  'GET /newsroom/articles/:id/edit': 'contributor',
  'POST /newsroom/articles/:id': 'contributor',
  'POST /newsroom/articles/:id/submit': 'contributor',
  'POST /newsroom/articles/:id/restore': 'contributor',
  'GET /newsroom/articles/:id/preview': 'contributor',
  'GET /newsroom/articles/:id/revisions': 'contributor',
  'POST /newsroom/paste': 'contributor',
  'GET /newsroom/media': 'contributor',
  'POST /newsroom/media': 'contributor',
  'POST /newsroom/media/:id': 'contributor',
  'POST /newsroom/articles/:id/publish': 'editor',
  'POST /newsroom/articles/:id/schedule': 'editor',
  'POST /newsroom/articles/:id/unpublish': 'editor',
  'POST /newsroom/articles/:id/update': 'editor',
  'POST /newsroom/articles/:id/delete': 'editor',
  'GET /newsroom/users': 'admin',
  'POST /newsroom/users': 'admin',
  'POST /newsroom/users/:id/role': 'admin',
  'POST /newsroom/users/:id/disable': 'admin',
  'POST /newsroom/users/:id/enable': 'admin',
  'GET /newsroom/audit': 'admin',
  'GET /newsroom/pages': 'editor',
  'GET /newsroom/pages/new': 'editor',
  'POST /newsroom/pages': 'editor',
  'GET /newsroom/pages/:id': 'editor',
  'POST /newsroom/pages/:id': 'editor',

  'GET /api/v1/articles': 'contributor',
  'POST /api/v1/articles': 'contributor',
  'GET /api/v1/articles/:id': 'contributor',
  'PATCH /api/v1/articles/:id': 'contributor',
  'POST /api/v1/articles/:id/submit': 'contributor',
  'GET /api/v1/articles/:id/revisions': 'contributor',
  'GET /api/v1/articles/:id/revisions/:n': 'contributor',
  'POST /api/v1/articles/:id/revisions/:n/restore': 'contributor',
  'GET /api/v1/articles/:id/diff': 'contributor',
  'POST /api/v1/articles/:id/publish': 'editor',
  'POST /api/v1/articles/:id/schedule': 'editor',
  'POST /api/v1/articles/:id/unpublish': 'editor',
  'POST /api/v1/articles/:id/update': 'editor',
  'DELETE /api/v1/articles/:id': 'editor',
  'GET /api/v1/media': 'contributor',
  'POST /api/v1/media': 'contributor',
  'GET /api/v1/media/:id': 'contributor',
  'PATCH /api/v1/media/:id': 'contributor',

  'GET /newsroom/live': 'contributor',
  'GET /newsroom/live/:id': 'contributor',
  'GET /newsroom/live/:id/entries/:entryId': 'contributor',
  'POST /newsroom/live/:id/entries': 'contributor',
  'POST /newsroom/live/:id/entries/:entryId/edit': 'contributor',
  'POST /newsroom/live/:id/entries/:entryId/flags': 'contributor',
  'POST /newsroom/live/:id/entries/:entryId/delete': 'contributor',
  'POST /newsroom/live': 'editor',
  'POST /newsroom/live/:id/end': 'editor',
  // Feed ingest: editors only, queue included (docs/ingest.md).
  'GET /newsroom/ingest': 'editor',
  'POST /newsroom/ingest/sources': 'editor',
  'POST /newsroom/ingest/sources/:id/remove': 'editor',
  'POST /newsroom/ingest/items/:id/take': 'editor',
  'POST /newsroom/ingest/items/:id/dismiss': 'editor',
  'GET /api/v1/live': 'contributor',
  'GET /api/v1/live/:id': 'contributor',
  'POST /api/v1/live/:id/entries': 'contributor',
  'PATCH /api/v1/live/:id/entries/:entryId': 'contributor',
  'DELETE /api/v1/live/:id/entries/:entryId': 'contributor',
  'POST /api/v1/live': 'editor',
  'POST /api/v1/live/:id/end': 'editor',
};

/** Routes whose allowed answer looks like a refusal: a wrong password (sent on purpose), and signing out. */
const ANSWERS: Record<string, (status: number, location: string) => boolean> = {
  'POST /newsroom/login': (status) => status === 401,
  'POST /newsroom/logout': (status, location) => status === 303 && location === '/newsroom/login',
  // The matrix site sets no metrics token, so no one is served metrics (test/web/metrics.test.ts).
  'GET /metrics': (status) => status === 404,
};

const RANK: Record<Who, number> = { anonymous: 0, contributor: 1, editor: 2, admin: 3 };
const needRank = (n: 'anyone' | Role) => (n === 'anyone' ? 0 : RANK[n]);

let s: MatrixSite;
beforeAll(async () => {
  s = await matrixSite();
});
afterAll(() => s?.dispose());

describe('the route × role matrix', () => {
  it('classifies every registered route, and only registered ones', () => {
    const registered = s.routes.map(routeKey).sort();
    expect(registered.filter((k) => !(k in NEEDS)), 'routes missing from NEEDS: classify them').toEqual([]);
    expect(Object.keys(NEEDS).filter((k) => !registered.includes(k)), 'NEEDS names routes that no longer exist').toEqual([]);
    // Nothing under /newsroom is public but the login form, and nothing under /api but its docs
    // and search (which shows only what the public pages show).
    const open = Object.entries(NEEDS).filter(([, n]) => n === 'anyone').map(([k]) => k.split(' ')[1]!);
    expect(open.filter((p) => p.startsWith('/newsroom') && p !== '/newsroom/login')).toEqual([]);
    expect(open.filter((p) => p.startsWith('/api') && p !== '/api/docs' && p !== '/api/v1/search')).toEqual([]);
  });

  it('lets each role through exactly where the table says, checked on the server, never with a 500', async () => {
    const wrong: string[] = [];
    for (const r of s.routes) {
      const need = NEEDS[routeKey(r)];
      if (!need) continue;
      const api = r.url.startsWith('/api/');
      const ways: [Who, 'session' | 'token'][] = [['anonymous', 'session'], ...ROLES.flatMap((role) => (api ? [[role, 'session'], [role, 'token']] : [[role, 'session']]) as [Who, 'session' | 'token'][])];
      for (const [who, via] of ways) {
        // Logging out ends the session it is sent with: give it one of its own.
        const session = routeKey(r) === 'POST /newsroom/logout' && who !== 'anonymous' ? await signIn(s.app, s.members[who].email, s.members[who].password) : undefined;
        const res = await call(s, r, who, { via, ...(session ? { session } : {}) });
        const at = `${routeKey(r)} as ${who}${api && who !== 'anonymous' ? ` (${via})` : ''} → ${res.statusCode}`;
        const location = String(res.headers.location ?? '');
        const toLogin = res.statusCode === 303 && location.startsWith('/newsroom/login');
        if (res.statusCode >= 500) wrong.push(`${at}: server error`);
        else if (RANK[who] >= needRank(need)) {
          if (ANSWERS[routeKey(r)]?.(res.statusCode, location)) continue;
          if (need === 'anyone' && res.statusCode >= 400) wrong.push(`${at}: public route refused`);
          if (res.statusCode === 401 || res.statusCode === 403 || toLogin) wrong.push(`${at}: allowed role refused`);
        } else if (who === 'anonymous') {
          if (api ? res.statusCode !== 401 : !toLogin) wrong.push(`${at}: anonymous not sent to sign in`);
        } else if (res.statusCode !== 403) wrong.push(`${at}: expected 403`);
      }
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  it("keeps one contributor out of another's articles and pictures on every route, page and API", async () => {
    const other = await addUser(s.site.services, 'other-writer@nashra.test', 'contributor');
    const session = await signIn(s.app, other.email, other.password);
    const { token } = await s.site.services.accounts.createToken(other.user.id, { name: 'other', scope: 'write' });
    const wrong: string[] = [];
    // Pictures are shared for reading, but only their uploader (or an editor) describes them.
    // Live entries: only their writer (or an editor) corrects, flags or deletes them.
    const guarded = (x: { url: string; method: string }) => x.url.includes('/articles/:id') || ((x.url.includes('/media/:id') || x.url.includes('/entries/:entryId')) && UNSAFE_METHODS.has(x.method));
    for (const r of s.routes.filter(guarded)) {
      for (const via of r.url.startsWith('/api/') ? (['session', 'token'] as const) : (['session'] as const)) {
        const res = await call(s, r, 'contributor', { via, session, token });
        if (res.statusCode !== 403) wrong.push(`${routeKey(r)} (${via}) → ${res.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('does not open a signed-in route to a percent-encoded or dotted spelling of its path', async () => {
    const spellings = [(u: string) => u.replace(/^\/(n|a)/, (_, c: string) => `/%${c.charCodeAt(0).toString(16)}`), (u: string) => u.replace(/^(\/\w+)\//, '$1/./')];
    const wrong: string[] = [];
    for (const r of s.routes.filter((x) => NEEDS[routeKey(x)] !== 'anyone')) {
      for (const mangle of spellings) {
        const res = await call(s, r, 'anonymous', { mangle });
        const refused = res.statusCode === 401 || res.statusCode === 404 || (res.statusCode === 303 && String(res.headers.location).startsWith('/newsroom/login'));
        if (!refused) wrong.push(`${routeKey(r)} as ${mangle(r.url)} → ${res.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("lets a contributor's unpublished draft change nothing readers see: no menu entry, no section or tag page", async () => {
    const read = (url: string) => s.app.inject({ url, headers: { 'accept-encoding': 'identity' } });
    const c = s.members.contributor.session;
    const fields = { _csrf: c.csrf, headline: 'مسودة لم تنشر', sectionNew: 'قسم المسودات المكتوم', tags: 'وسم المسودات المكتوم', 'blocks[0][type]': 'paragraph', 'blocks[0][text]': 'نص' };
    const draft = await s.app.inject({ method: 'POST', url: '/newsroom/articles', headers: { cookie: c.cookie, ...FORM }, payload: form(fields) });
    expect(draft.statusCode).toBe(303);
    for (const url of ['/', '/live', `/news/${s.published.id}/${encodeURIComponent(s.published.slug)}`, `/section/${encodeURIComponent(s.published.section)}`]) {
      const page = await read(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).not.toContain('المكتوم');
    }
    for (const url of ['/section/قسم-المسودات-المكتوم', '/tag/وسم-المسودات-المكتوم']) expect((await read(encodeURI(url))).statusCode, url).toBe(404);
  });

  it('answers a refused API call with problem+json and a refused page with the Arabic 403 page', async () => {
    const find = (k: string) => s.routes.find((r) => routeKey(r) === k)!;
    const api = await call(s, find('POST /api/v1/articles/:id/publish'), 'contributor', { via: 'token' });
    expect(api.statusCode).toBe(403);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    const page = await call(s, find('GET /newsroom/audit'), 'editor');
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('dir="rtl"');
    expect(page.headers['cache-control']).toBe('private, no-store');
  });

  it('applies a role change to live sessions at once: a demoted editor can no longer publish', async () => {
    const { user, email, password } = { ...s.members.editor };
    const fresh = await signIn(s.app, email, password);
    const publish = s.routes.find((r) => routeKey(r) === 'POST /newsroom/articles/:id/publish')!;
    expect((await call(s, publish, 'editor', { session: fresh })).statusCode).toBe(303);
    await s.site.services.accounts.setRole({ user: s.members.admin.user, label: 'test', ip: null }, user.id, 'contributor');
    try {
      expect((await call(s, publish, 'editor', { session: fresh })).statusCode).toBe(403);
      const apiPublish = s.routes.find((r) => routeKey(r) === 'POST /api/v1/articles/:id/publish')!;
      expect((await call(s, apiPublish, 'editor', { via: 'token' })).statusCode).toBe(403);
    } finally {
      await s.site.services.accounts.setRole({ user: s.members.admin.user, label: 'test', ip: null }, user.id, 'editor');
    }
  });
});
