import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { multipart } from '../helpers/forms.js';
import { cli, FORM, form, loginForm, signIn, type Signed } from '../helpers/newsroom.js';
import { liveMarkup, normalise, RAW_CONTEXTS, rawPageServer, scriptPolicy, settle, xssWatch, type XssWatch } from '../helpers/securityBrowser.js';
import { apiArticle, editorFields, pastedHtml, pngFor } from '../helpers/securityContent.js';
import { openTestSite, type TestSite } from '../helpers/services.js';
import { BAD_HREFS, batches, fit, PAYLOADS } from './payloads.js';

/** The newsroom issue's XSS acceptance: payloads in every field, through the API and the editor, inert on every page. */
const PW = 'ورد الشام في الربيع';
let site: TestSite;
let app: FastifyInstance;
let editor: Signed;
let admin: Signed;
let token: string;
const names = { editor: fit(PAYLOADS, 100, 8), admin: fit(PAYLOADS, 100, 20) };
/** Each article made: where it lives, and the headline readers see (`live`) and the newsroom works on. */
const made: { id: number; path: string; live: string; working: string; section: string; tag: string }[] = [];
let deletedHeadline = '';
/** A live coverage whose title, summary and entries are payloads. */
let coverage = { id: 0, title: '' };
/** Printable ASCII without commas: what an HTTP header (and X-Forwarded-For's list) can carry. */
const headerPayloads = PAYLOADS.filter((p) => /^[\x20-\x7e]+$/.test(p.text) && !p.text.includes(',')).slice(0, 3).map((p) => p.text);

const bearer = () => ({ authorization: `Bearer ${token}` });
const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  app.inject({ method, url, headers: bearer(), ...(payload ? { payload } : {}) });

async function remember(id: number) {
  const a = (await api('GET', `/api/v1/articles/${id}`)).json() as { headline: string; url: string; section: { slug: string }; tags: { slug: string }[] };
  made.push({ id, path: new URL(a.url).pathname, live: a.headline, working: a.headline, section: a.section.slug, tag: a.tags[0]!.slug });
}

beforeAll(async () => {
  site = await openTestSite();
  app = await buildApp({ services: site.services });
  const { accounts } = site.services;
  const e = await accounts.createUser({ email: 'editor@nashra.test', role: 'editor', password: PW, displayName: names.editor }, cli);
  await accounts.createUser({ email: 'admin@nashra.test', role: 'admin', password: PW, displayName: names.admin }, cli);
  editor = await signIn(app, 'editor@nashra.test', PW);
  admin = await signIn(app, 'admin@nashra.test', PW);
  token = (await accounts.createToken(e.id, { name: 'xss', scope: 'write' })).token;
  // Headers anyone can send end up on the sessions page and in the audit log: a browser name and
  // an "IP" (X-Forwarded-For), from failed sign-ins and from a real one.
  for (const [i, p] of headerPayloads.entries()) {
    const { token: t, loginCookie } = await loginForm(app);
    const res = await app.inject({
      method: 'POST',
      url: '/newsroom/login',
      headers: { ...FORM, cookie: loginCookie!, 'user-agent': p, 'x-forwarded-for': p },
      payload: form({ email: 'editor@nashra.test', password: i === headerPayloads.length - 1 ? PW : 'not the password', _csrf: t }),
    });
    expect(res.statusCode).toBe(i === headerPayloads.length - 1 ? 303 : 401);
  }
  const groups = batches(PAYLOADS, 300);

  // The API path: a picture described with payloads, then one article per batch, published.
  const upload = new FormData();
  const meta = { caption: fit(PAYLOADS, 500, 10), credit: fit(PAYLOADS, 200, 13), alt: fit(PAYLOADS, 500, 16) };
  for (const [k, v] of Object.entries(meta)) upload.append(k, v);
  upload.append('file', new Blob([new Uint8Array(await pngFor(1))]), `"><svg onload=__xss(12)>.png`);
  const media = await app.inject({ method: 'POST', url: '/api/v1/media', headers: bearer(), body: upload });
  expect(media.statusCode, media.body).toBe(201);
  const mediaId = (media.json() as { id: number }).id;
  for (const [i, batch] of groups.entries()) {
    const res = await api('POST', '/api/v1/articles', apiArticle(batch, { mediaId, day: i + 1, libraryCaption: i === 1 }));
    expect(res.statusCode, res.body).toBe(201);
    const id = (res.json() as { id: number }).id;
    expect((await api('POST', `/api/v1/articles/${id}/publish`)).statusCode).toBe(200);
    await remember(id);
  }
  // A staged edit: the newsroom works on a headline readers do not see yet.
  const staged = `تعديل ${fit(PAYLOADS, 290, 30)}`;
  expect((await api('PATCH', `/api/v1/articles/${made[0]!.id}`, { headline: staged })).json()).toMatchObject({ staged: true });
  made[0]!.working = staged;

  // The editor path: a paste, then the no-JavaScript form with pictures uploaded inline, then publish.
  const paste = await app.inject({ method: 'POST', url: '/newsroom/paste', headers: { cookie: editor.cookie, 'x-csrf-token': editor.csrf }, payload: { html: pastedHtml(PAYLOADS) } });
  expect(paste.statusCode).toBe(200);
  const pasted = (paste.json() as { blocks: Record<string, string>[] }).blocks;
  for (const link of paste.body.matchAll(/\]\(([^)]*)\)/g)) expect(link[1]).toMatch(/^(https?:|mailto:)/);
  const png = await pngFor(2);
  let leadId = '';
  for (const [i, batch] of groups.entries()) {
    const fields = editorFields(batch, { csrf: editor.csrf, leadMediaId: leadId, extraBlocks: i === 0 ? pasted : [] });
    const files = i === 0 ? ['leadFile', 'blocks[4][file]'].map((name) => ({ name, filename: '<img src=x onerror=__xss(9)>.png', type: 'image/png', data: png })) : [];
    const body = multipart(fields, files);
    const res = await app.inject({ method: 'POST', url: '/newsroom/articles', headers: { cookie: editor.cookie, ...body.headers }, payload: body.payload });
    expect(res.statusCode, res.body.slice(0, 3000)).toBe(303);
    const id = Number(/\/newsroom\/articles\/(\d+)\//.exec(String(res.headers.location))![1]);
    const pub = await app.inject({ method: 'POST', url: `/newsroom/articles/${id}/publish`, headers: { cookie: editor.cookie, ...FORM }, payload: form({ _csrf: editor.csrf }) });
    expect(pub.statusCode, pub.body.slice(0, 2000)).toBe(303);
    leadId ||= String((await site.services.workflow.get({ user: e, label: 'test', ip: null }, id)).lead!.media.id);
    await remember(id);
  }
  // A live coverage: title, summary and one entry per payload (paragraph, quote and speaker), through the API.
  const opened = await api('POST', '/api/v1/live', { title: fit(PAYLOADS, 300, 35), summary: fit(PAYLOADS, 2000, 40) });
  expect(opened.statusCode, opened.body).toBe(201);
  coverage = { id: (opened.json() as { id: number }).id, title: fit(PAYLOADS, 300, 35) };
  for (const p of PAYLOADS) {
    const blocks = [
      { type: 'paragraph', spans: [{ text: p.text }] },
      { type: 'quote', spans: [{ text: p.text }], speaker: p.text.trim() || 'x' },
    ];
    const res = await api('POST', `/api/v1/live/${coverage.id}/entries`, { blocks, keyEvent: p.n % 5 === 0, pinned: p.n === 1 });
    expect(res.statusCode, res.body).toBe(201);
  }

  // A deleted article: its headline lives on in the audit log.
  deletedHeadline = fit(PAYLOADS, 300, 40);
  const doomed = (await api('POST', '/api/v1/articles', { ...apiArticle(groups[0]!, { mediaId, day: 28 }), headline: deletedHeadline })).json() as { id: number };
  expect((await api('DELETE', `/api/v1/articles/${doomed.id}`)).statusCode).toBe(204);
});
afterAll(async () => {
  await app?.close();
  await site?.dispose();
});

describe('payloads and links', () => {
  it('has at least 50 distinct payloads of every kind the issue names', () => {
    expect(new Set(PAYLOADS.map((p) => p.text)).size).toBe(PAYLOADS.length);
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(50);
    const kinds = new Set(PAYLOADS.map((p) => p.kind));
    for (const k of ['script', 'event', 'url', 'svg', 'mutation', 'broken', 'attribute', 'template', 'css', 'frame', 'bidi'] as const) expect(kinds, k).toContain(k);
    expect(PAYLOADS.some((p) => /[\u202e\u2066-\u2069]/.test(p.text))).toBe(true);
  });

  it('stores every payload as typed, in every field, through the API and through the editor form', async () => {
    const groups = batches(PAYLOADS, 300);
    type Stored = { summary: string; datelinePlace: string; sourceLabel: string; city: string; section: { name: string }; tags: { name: string }[]; authors: { name: string }[]; lead: { caption: string; credit: string; media: { originalName: string } }; body: unknown[] };
    const get = async (id: number) => (await api('GET', `/api/v1/articles/${id}`)).json() as Stored;
    const sent = apiArticle(groups[0]!, { mediaId: 1, day: 1 });
    const viaApi = await get(made[0]!.id);
    expect({ ...viaApi, section: viaApi.section.name, tags: viaApi.tags.map((t) => t.name), authors: viaApi.authors.map((t) => t.name), lead: viaApi.lead.caption }).toMatchObject({
      ...Object.fromEntries(['summary', 'datelinePlace', 'sourceLabel', 'city', 'section', 'tags', 'authors'].map((k) => [k, (sent as Record<string, unknown>)[k]])),
      lead: sent.lead.caption,
    });
    const typed = new Map(editorFields(groups[0]!, { csrf: '', leadMediaId: '' }));
    const viaForm = await get(made[groups.length]!.id);
    for (const k of ['summary', 'datelinePlace', 'sourceLabel', 'city'] as const) expect(viaForm[k], k).toBe(typed.get(k)!.trim());
    expect(viaForm.section.name).toBe(typed.get('sectionNew')!.trim());
    expect(viaForm.lead).toMatchObject({ caption: typed.get('leadCaption')!.trim(), credit: typed.get('leadCredit')!.trim(), media: { originalName: '<img src=x onerror=__xss(9)>.png' } });
    expect(viaForm.body.length).toBeGreaterThan(5); // the pasted blocks came along
  });

  it('refuses javascript:, data: and other non-web span links with 4xx, creating nothing', async () => {
    const created = async () => (await site.services.accounts.auditLog({ action: 'article.create', limit: 100_000 })).length;
    const saved = async () => (await site.services.accounts.auditLog({ action: 'article.save', limit: 100_000 })).length;
    const before = [await created(), await saved()];
    for (const href of BAD_HREFS) {
      const body = { headline: 'رابط خبيث', section: 'أخبار', timeZone: 'Asia/Damascus', city: 'دمشق', body: [{ type: 'paragraph', spans: [{ text: 'انقر', href }] }] };
      const res = await api('POST', '/api/v1/articles', body);
      expect(res.statusCode, href).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const patched = await api('PATCH', `/api/v1/articles/${made[1]!.id}`, { body: body.body });
      expect(patched.statusCode, href).toBe(400);
    }
    expect([await created(), await saved()]).toEqual(before);
  });

  it('gives every article, section and tag a slug of letters, digits and hyphens only (no bidi controls)', () => {
    for (const m of made) {
      for (const slug of [decodeURIComponent(m.path.split('/')[3]!), decodeURIComponent(m.section), decodeURIComponent(m.tag)]) {
        expect(slug).toMatch(/^[\p{L}\p{N}]+(-[\p{L}\p{N}]+)*$/u);
      }
    }
  });
});

describe.runIf(hasChromium())('in Chromium', () => {
  let browser: Browser;
  let origin: string;
  beforeAll(async () => {
    origin = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it('control: every live payload does run when a page puts it in raw (so the detector would see it)', async () => {
    const raw = await rawPageServer();
    const w = await xssWatch(browser);
    const missed: number[] = [];
    try {
      for (const p of PAYLOADS.filter((x) => x.live)) {
        raw.set(RAW_CONTEXTS[p.live!]!(p.text));
        await w.page.goto(raw.url);
        if (p.live === 'href') await w.page.click('#l', { timeout: 1000 }).catch(() => {});
        await settle(w.page).catch(() => {});
        // A busy machine may be slow to fire autofocus or animation handlers: one longer wait.
        if (!w.hits.some((h) => h.n === p.n)) await w.page.waitForTimeout(1000);
        if (!w.hits.some((h) => h.n === p.n)) missed.push(p.n);
      }
    } finally {
      await w.context.close();
      raw.close();
    }
    expect(missed).toEqual([]);
  }, 60_000);

  it('runs no payload on any reader or newsroom page, and shows them as text', async () => {
    const cookie = (s: Signed) => [{ name: 'nashra_session', value: s.sessionId, url: origin }];
    const failures: string[] = [];
    const byId = new Map(made.map((m) => [m.id, m]));
    const enc = encodeURIComponent;
    const reflected = PAYLOADS.slice(0, 4).map((p) => p.text);

    async function visit(w: XssWatch, path: string, expectText: string[] = [], check?: (w: XssWatch) => Promise<void>) {
      const res = await w.page.goto(origin + path);
      await settle(w.page);
      const at = `${path.slice(0, 80)}`;
      if (!res || res.status() >= 500) failures.push(`${at}: status ${res?.status()}`);
      const csp = scriptPolicy(res?.headers()['content-security-policy']);
      if (!csp.ok) failures.push(`${at}: ${csp.why}`);
      for (const bad of await liveMarkup(w.page)) failures.push(`${at}: live markup ${bad}`);
      const text = normalise(await w.page.evaluate(() => document.body.innerText));
      // Every article a list page links to shows its headline as text.
      const hrefs = await w.page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')!));
      const linked = hrefs.flatMap((h) => /^\/(?:news|newsroom\/articles)\/(\d+)\//.exec(h)?.[1] ?? []).map(Number);
      // (A list may show a staged article under either headline.)
      const wanted = [...expectText.map((t) => [t]), ...linked.flatMap((id) => (byId.has(id) ? [[byId.get(id)!.live, byId.get(id)!.working]] : []))];
      for (const either of wanted) {
        if (!either.some((t) => text.includes(normalise(t)))) failures.push(`${at}: text ${JSON.stringify(either[0]!.slice(0, 60))} not shown`);
      }
      await check?.(w);
    }

    const reader = await xssWatch(browser);
    const ed = await xssWatch(browser, cookie(editor));
    const ad = await xssWatch(browser, cookie(admin));
    try {
      for (const path of ['/', '/live', ...made.flatMap((m) => [`/section/${m.section}`, `/tag/${m.tag}`])]) await visit(reader, path);
      for (const m of made) await visit(reader, m.path, [m.live]);
      await visit(reader, `/live/${coverage.id}`, [coverage.title, PAYLOADS.at(-1)!.text]);
      // The polling fragment pages 50 events at a time: the first payloads are in its first page.
      await visit(reader, `/live/${coverage.id}/updates?after=0&format=html`, [PAYLOADS[0]!.text, PAYLOADS[20]!.text]);
      for (const p of reflected) for (const path of [`/section/${enc(p)}`, `/news/${made[0]!.id}/${enc(p)}`, `/newsroom/login?next=${enc(`/${p}`)}`]) await visit(reader, path);

      const mine = [names.editor];
      for (const path of ['/newsroom', '/newsroom/articles', '/newsroom/articles?status=published', '/newsroom/media']) await visit(ed, path, mine);
      await visit(ed, '/newsroom/sessions', [...mine, headerPayloads.at(-1)!]);
      await visit(ed, '/newsroom/live', [...mine, coverage.title]);
      await visit(ed, `/newsroom/live/${coverage.id}`, [...mine, coverage.title, PAYLOADS.at(-1)!.text]);
      for (const m of made) {
        await visit(ed, `/newsroom/articles/${m.id}/edit`, [...mine, m.working], async (w) => {
          if ((await w.page.inputValue('#f-headline', { timeout: 2000 }).catch(() => null)) !== m.working) failures.push(`edit ${m.id}: headline box differs`);
        });
        await visit(ed, `/newsroom/articles/${m.id}/preview`, [m.working]);
        await visit(ed, `/newsroom/articles/${m.id}/revisions`, [...mine, m.live]);
      }
      await visit(ed, `/newsroom/articles/${made[0]!.id}/revisions?from=1&to=2`);
      for (const p of reflected) for (const path of [`/newsroom/media?q=${enc(p)}`, `/newsroom/articles?status=${enc(p)}`]) await visit(ed, path, mine);

      await visit(ad, '/newsroom/users', [names.admin, names.editor]);
      await visit(ad, '/newsroom/audit', [JSON.stringify(deletedHeadline), ...headerPayloads]);
      for (const p of reflected) await visit(ad, `/newsroom/audit?action=${enc(p)}`);
    } finally {
      for (const w of [reader, ed, ad]) await w.context.close();
    }
    const watches = [reader, ed, ad];
    expect(watches.flatMap((w) => w.hits)).toEqual([]);
    expect(watches.flatMap((w) => w.dialogs)).toEqual([]);
    expect([...new Set(failures)]).toEqual([]);
  }, 120_000);
});
