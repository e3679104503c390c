import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Role, User } from '../../src/domain/user.js';
import { buildApp } from '../../src/web/app.js';
import { cropPath } from '../../src/services/crops.js';
import { insertItemOnce, insertSource } from '../../src/store/ingest.js';
import { pngFor } from './securityContent.js';
import { addUser, FORM, form, loginForm, signIn, type Signed } from './newsroom.js';
import { type CollectedRoute, routeKey, routesOf, UNSAFE_METHODS } from './securityRoutes.js';
import { openTestSite, type TestSite } from './services.js';
import { actorFor } from './users.js';

/**
 * A site for walking every route as every role: one signed-in session and one write token per
 * role, a published article, a picture, and a throwaway user for the admin actions. Requests
 * that name an article get a fresh draft owned by the contributor, so what a role may do is
 * never confused with what state an earlier request left the article in.
 */
export const ROLES = ['contributor', 'editor', 'admin'] as const;
export type Who = 'anonymous' | Role;

export interface Member {
  user: User;
  email: string;
  password: string;
  session: Signed;
  token: string;
}

export interface MatrixSite {
  site: TestSite;
  app: FastifyInstance;
  routes: CollectedRoute[];
  members: Record<Role, Member>;
  published: { id: number; slug: string; section: string; tag: string; author: string };
  media: { id: number; key: string };
  bystander: User;
  dispose(): Promise<void>;
}

const ARTICLE = {
  headline: 'خبر للاختبار',
  section: 'أخبار',
  tags: ['اختبار'],
  authors: ['كاتب الاختبار'],
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
  body: [{ type: 'paragraph' as const, spans: [{ text: 'فقرة.' }] }],
};

/** What each unsafe route is sent, so that an allowed role gets past validation to the real decision. */
const BODIES: Record<string, Record<string, unknown>> = {
  'POST /newsroom/articles': { headline: 'خبر', 'blocks[0][type]': 'paragraph', 'blocks[0][text]': 'فقرة.' },
  'POST /newsroom/articles/:id': { headline: 'خبر', 'blocks[0][type]': 'paragraph', 'blocks[0][text]': 'فقرة.' },
  'POST /newsroom/articles/:id/schedule': { scheduleAt: '2099-01-01T10:00' },
  'POST /newsroom/articles/:id/restore': { number: '1' },
  'POST /newsroom/paste': { html: '<p>نص</p>' },
  'POST /newsroom/password': { current: 'x', password: 'y', confirm: 'z' },
  'POST /newsroom/users/:id/role': { role: 'contributor' },
  'POST /newsroom/media/:id': { caption: 'تعليق' },
  'POST /api/v1/articles': ARTICLE,
  'PATCH /api/v1/articles/:id': { headline: 'عنوان جديد' },
  'POST /api/v1/articles/:id/schedule': { at: '2099-01-01T10:00:00Z' },
  'PATCH /api/v1/media/:id': { caption: 'تعليق' },
  'POST /newsroom/live': { title: 'تغطية للاختبار' },
  'POST /newsroom/ingest/sources': { name: 'مصدر للاختبار', url: 'https://feeds.test/matrix.xml', every: '5m' },
  'POST /newsroom/live/:id/entries': { text: 'مدخل' },
  'POST /newsroom/live/:id/entries/:entryId/edit': { text: 'مدخل مصحح' },
  'POST /newsroom/live/:id/entries/:entryId/flags': { keyEvent: '1' },
  'POST /api/v1/live': { title: 'تغطية للاختبار' },
  'POST /api/v1/live/:id/entries': { text: 'مدخل' },
  'PATCH /api/v1/live/:id/entries/:entryId': { text: 'مدخل مصحح' },
  'POST /newsroom/pages': { title: 'صفحة للاختبار', text: 'فقرة.', status: 'draft' },
  'POST /newsroom/pages/:id': { title: 'من نحن', text: 'فقرة.', status: 'published' },
};

export async function matrixSite(): Promise<MatrixSite> {
  const site = await openTestSite();
  const app = await buildApp({ services: site.services });
  const { services } = site;
  const members = {} as Record<Role, Member>;
  for (const role of ROLES) {
    const u = await addUser(services, `${role}@nashra.test`, role);
    const session = await signIn(app, u.email, u.password);
    const { token } = await services.accounts.createToken(u.user.id, { name: 'matrix', scope: 'write' });
    members[role] = { ...u, session, token };
  }
  const editor = actorFor(members.editor.user);
  const a = await services.workflow.create(editor, ARTICLE);
  const live = await services.workflow.publish(editor, a.id);
  const m = await services.media.upload(actorFor(members.contributor.user), { data: await pngFor(7), filename: 'matrix.png' });
  const bystander = (await addUser(services, 'bystander@nashra.test', 'contributor')).user;
  return {
    site,
    app,
    routes: routesOf(app),
    members,
    published: { id: live.id, slug: live.slug, section: live.section.slug, tag: live.tags[0]!.slug, author: live.authors[0]!.slug },
    media: { id: m.id, key: m.storageKey! },
    bystander,
    dispose: async () => {
      await app.close();
      await site.dispose();
    },
  };
}

/** A draft with a body and one revision, owned by the contributor. */
export async function freshDraft(s: MatrixSite): Promise<number> {
  return (await s.site.services.workflow.create(actorFor(s.members.contributor.user), ARTICLE)).id;
}

/** A feed source with one item waiting in the incoming queue, written straight to the store. */
export async function freshIncomingItem(s: MatrixSite): Promise<{ sourceId: number; itemId: number }> {
  const { db } = s.site.services.store;
  const at = new Date().toISOString();
  const src = await insertSource(db, { name: 'وكالة', url: `https://feeds.test/${Math.random().toString(36).slice(2)}.xml`, section: null, intervalS: 300, at: '2999-01-01T00:00:00.000Z' });
  const body = JSON.stringify([{ type: 'paragraph', spans: [{ text: 'نص.' }] }]);
  await insertItemOnce(db, { sourceId: src.id, key: 'k1', title: 'خبر وارد', link: 'https://feeds.test/1', excerpt: 'نص.', body, publishedAt: at, receivedAt: at });
  const item = await db.selectFrom('incoming_items').select('id').where('source_id', '=', src.id).executeTakeFirstOrThrow();
  return { sourceId: src.id, itemId: item.id };
}

/** A running coverage with one entry written by the contributor: what each live route is tried on. */
export async function freshLiveEntry(s: MatrixSite): Promise<{ coverageId: number; entryId: number }> {
  const { services } = s.site;
  const c = await services.live.createCoverage(actorFor(s.members.editor.user), { title: 'تغطية للاختبار' });
  const e = await services.live.postEntry(actorFor(s.members.contributor.user), c.id, { text: 'مدخل' });
  return { coverageId: c.id, entryId: e.entryId! };
}

/** The route's pattern with its parameters filled in for this site. */
/** The matrix site's static page (من نحن), published, made on first use. */
async function staticPage(s: MatrixSite): Promise<{ id: number; slug: string }> {
  const pages = s.site.services.pages;
  return (await pages.list())[0] ?? (await pages.create({ title: 'من نحن', body: [{ type: 'paragraph', spans: [{ text: 'فقرة.' }] }], status: 'published' }));
}

export async function concreteUrl(s: MatrixSite, r: CollectedRoute): Promise<string> {
  const e = encodeURIComponent;
  const p = s.published;
  const fixed: Record<string, string> = {
    '/news/:id': `/news/${p.id}`,
    '/news/:id/:slug': `/news/${p.id}/${e(p.slug)}`,
    '/section/:slug': `/section/${e(p.section)}`,
    '/tag/:slug': `/tag/${e(p.tag)}`,
    '/assets/:name': '/assets/site.css',
    '/assets/fonts/:name': '/assets/fonts/noto-naskh-arabic-arabic-400-normal.woff2',
    '/media/*': `/media/${s.media.key}`,
    '/oembed': `/oembed?url=${e(`${s.site.config.baseUrl}/news/${p.id}`)}`,
    '/author/:slug': `/author/${e(p.author)}`,
    '/media/crop/:id/:version/:file': cropPath({ id: s.media.id, storageKey: s.media.key }, '16x9'),
  };
  for (const kind of ['section', 'tag', 'author'] as const) {
    for (const ext of ['xml', 'atom', 'json']) fixed[`/${kind}/:slug/feed.${ext}`] = `/${kind}/${e(p[kind])}/feed.${ext}`;
  }
  fixed['/sitemaps/:file'] = '/sitemaps/sections.xml';
  if (fixed[r.url]) return fixed[r.url]!;
  let url = r.url;
  if (url === '/page/:slug' || url === '/newsroom/pages/:id') {
    const page = await staticPage(s);
    return url === '/page/:slug' ? `/page/${e(page.slug)}` : `/newsroom/pages/${page.id}`;
  }
  if (/\/articles\/:id/.test(url)) url = url.replace(':id', String(await freshDraft(s)));
  if (/^\/(newsroom|api\/v1)\/live\/:id/.test(url)) {
    const live = await freshLiveEntry(s);
    url = url.replace(':id', String(live.coverageId)).replace(':entryId', String(live.entryId));
  }
  if (url.startsWith('/live/:slug')) {
    const live = await freshLiveEntry(s);
    // An ended coverage's stream replays and closes, so inject() gets a whole answer.
    if (url.endsWith('/events')) await s.site.services.live.endCoverage(actorFor(s.members.editor.user), live.coverageId);
    url = url.replace(':slug', String(live.coverageId));
  }
  if (url.startsWith('/newsroom/ingest/')) {
    const fresh = await freshIncomingItem(s);
    url = url.replace(':id', String(url.includes('/items/') ? fresh.itemId : fresh.sourceId));
  }
  if (/\/media\/:id/.test(url)) url = url.replace(':id', String(s.media.id));
  if (/\/users\/:id/.test(url)) url = url.replace(':id', String(s.bystander.id));
  if (/\/sessions\/:id/.test(url)) url = url.replace(':id', '0'.repeat(64));
  url = url.replace(':n', '1');
  return url.endsWith('/diff') ? `${url}?from=1&to=1` : url;
}

/**
 * One request to `r` as `who`, the way its client makes it: the newsroom with the session cookie
 * and `_csrf` in the form (or none, `csrf: null`), the API with a bearer token or the session and
 * its `x-csrf-token` header.
 */
export async function call(
  s: MatrixSite,
  r: CollectedRoute,
  who: Who,
  o: { via?: 'session' | 'token'; csrf?: string | null; session?: Signed; token?: string; mangle?: (url: string) => string } = {},
): Promise<LightMyRequestResponse> {
  const url = (o.mangle ?? ((u: string) => u))(await concreteUrl(s, r));
  const isApi = r.url.startsWith('/api/');
  const member = who === 'anonymous' ? null : s.members[who];
  const session = o.session ?? member?.session;
  const csrf = o.csrf === undefined ? session?.csrf : o.csrf;
  const headers: Record<string, string> = { 'x-forwarded-for': '198.51.100.7' };
  if (member && isApi && o.via === 'token') headers.authorization = `Bearer ${o.token ?? member.token}`;
  else if (member) headers.cookie = session!.cookie;
  const req: InjectOptions = { method: r.method as InjectOptions['method'], url, headers };
  if (UNSAFE_METHODS.has(r.method)) {
    const body = BODIES[routeKey(r)] ?? {};
    if (isApi) {
      Object.assign(headers, { 'content-type': 'application/json' }, headers.cookie && csrf ? { 'x-csrf-token': csrf } : {});
      req.payload = JSON.stringify(body);
    } else {
      Object.assign(headers, FORM);
      req.payload = form({ ...(Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])) as Record<string, string>), ...(headers.cookie && csrf ? { _csrf: csrf } : {}) });
    }
  }
  if (routeKey(r) === 'POST /newsroom/login') {
    // The login form's own token: a wrong password for an unknown account, so no session changes.
    const { token, loginCookie } = await loginForm(s.app);
    headers.cookie = [headers.cookie, loginCookie].filter(Boolean).join('; ');
    req.payload = form({ email: `nobody-${who}@nashra.test`, password: 'not the password', _csrf: token });
  }
  return s.app.inject(req);
}
