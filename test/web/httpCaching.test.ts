import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { articlePath, type Article, type ArticleInput } from '../../src/domain/article.js';
import type { Actor } from '../../src/domain/user.js';
import { buildApp } from '../../src/web/app.js';
import { sectionPath, tagPath } from '../../src/web/reader/views/layout.js';
import { addUser, signIn } from '../helpers/newsroom.js';
import { startPurgeReceiver } from '../helpers/purgeReceiver.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

const input: ArticleInput = {
  headline: 'انطلاق موسم قطاف الزيتون',
  body: [{ type: 'paragraph', spans: [{ text: 'بدأ المزارعون قطاف الزيتون هذا الأسبوع.' }] }],
  section: 'اقتصاد',
  tags: ['زراعة'],
  authors: ['رامي الخطيب'],
  publishedAt: '2021-10-04T08:00:00Z',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
};

const SETTINGS = {
  NASHRA_CACHE_MAX_AGE: '30',
  NASHRA_CACHE_S_MAXAGE: '600',
  NASHRA_CACHE_STALE_WHILE_REVALIDATE: '120',
  NASHRA_CACHE_STALE_IF_ERROR: '3600',
  NASHRA_PURGE_TOKEN: 'cdn-token',
};
/** Purges run in the background: wait for the receiver, generously on a busy machine. */
const WAIT = { timeout: 15_000, interval: 20 };
const PAGE_POLICY = 'public, max-age=30, s-maxage=600, stale-while-revalidate=120, stale-if-error=3600';

describe.each(storeTargets())('HTTP caching for a CDN ($name)', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  let receiver: Awaited<ReturnType<typeof startPurgeReceiver>>;
  let editor: Actor;
  let article: Article;

  beforeAll(async () => {
    receiver = await startPurgeReceiver();
    site = await openTestSite(target, { ...SETTINGS, NASHRA_PURGE_URL: receiver.url });
    app = await buildApp({ services: site.services });
    editor = actorFor(await insertTestUser(site.services.store, 'editor'));
    const a = await site.services.workflow.create(editor, input);
    article = await site.services.workflow.publish(editor, a.id);
    await vi.waitFor(() => expect(receiver.calls).toHaveLength(1), WAIT);
  });
  afterAll(async () => {
    await app.close();
    await receiver.close();
    await site.dispose();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers });
  const reader = () => ({
    home: '/',
    section: sectionPath(article.section.slug),
    tag: tagPath(article.tags[0]!.slug),
    article: articlePath(article),
  });

  it('sends the Cache-Control the settings give on reader pages and feeds, no-cache on a 404', async () => {
    for (const url of [...Object.values(reader()), '/feed.xml', '/feed.atom', '/feed.json']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe(PAGE_POLICY);
    }
    const missing = await get('/news/999999/لا-شيء');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-cache');
    expect(missing.headers['surrogate-key']).toBe('site');
    // An old slug redirects with the page's own policy and keys, so a purge drops the redirect too.
    const moved = await get(`/news/${article.id}/عنوان-قديم`);
    expect(moved.statusCode).toBe(301);
    expect(moved.headers['cache-control']).toBe(PAGE_POLICY);
    expect(moved.headers['surrogate-key']).toContain(`article-${article.id}`);
  });

  it('names what each page shows in Surrogate-Key and Cache-Tag', async () => {
    const { id, section, tags } = article;
    const expected = {
      home: ['home', `article-${id}`],
      section: [`section-${section.id}`, `article-${id}`],
      tag: [`tag-${tags[0]!.id}`, `article-${id}`],
      article: [`article-${id}`, `section-${section.id}`, `tag-${tags[0]!.id}`, 'home'],
    };
    for (const [name, url] of Object.entries(reader())) {
      const res = await get(url);
      const keys = expected[name as keyof typeof expected];
      expect(String(res.headers['surrogate-key']).split(' '), name).toEqual(keys);
      expect(String(res.headers['cache-tag']).split(','), name).toEqual(keys);
    }
  });

  it('answers 304 to If-None-Match and If-Modified-Since, keeping the caching headers', async () => {
    for (const url of Object.values(reader())) {
      const first = await get(url, { 'accept-encoding': 'br' });
      const etag = String(first.headers.etag);
      expect(etag, url).toMatch(/^"[^"]+-br"$/);
      expect(new Date(String(first.headers['last-modified'])).getTime(), url).toBeGreaterThan(0);

      const again = await get(url, { 'accept-encoding': 'br', 'if-none-match': etag });
      expect(again.statusCode, url).toBe(304);
      expect(again.body).toBe('');
      for (const h of ['etag', 'cache-control', 'vary', 'surrogate-key', 'cache-tag', 'last-modified']) {
        expect(again.headers[h], `${url} ${h}`).toBe(first.headers[h]);
      }

      const since = await get(url, { 'if-modified-since': String(first.headers['last-modified']) });
      expect(since.statusCode, url).toBe(304);
      const older = await get(url, { 'if-modified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' });
      expect(older.statusCode, url).toBe(200);
      // RFC 9110 §13.2.2: If-None-Match decides when both are sent.
      const both = await get(url, { 'if-none-match': '"something-else"', 'if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() });
      expect(both.statusCode, url).toBe(200);
      const garbled = await get(url, { 'if-modified-since': 'not a date' });
      expect(garbled.statusCode, url).toBe(200);
    }
  });

  it('publishing an update changes the ETag and purges the article, its section, tags and the home page', async () => {
    const url = articlePath(article);
    const before = await get(url);
    const calls = receiver.calls.length;

    await site.services.workflow.save(editor, article.id, { ...input, body: [{ type: 'paragraph', spans: [{ text: 'تأخر القطاف بسبب المطر.' }] }] });
    await site.services.workflow.update(editor, article.id);
    const after = await get(url, { 'if-none-match': String(before.headers.etag) });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body).toContain('تأخر القطاف بسبب المطر.');

    // The staged save and the update each purge; the two may share one call.
    await vi.waitFor(() => expect(receiver.calls.length).toBeGreaterThan(calls), WAIT);
    const last = receiver.calls.at(-1)!;
    expect(last.authorization).toBe('Bearer cdn-token');
    expect(last.body.reason).toBe(`article-${article.id}`);
    expect(last.body.keys).toEqual(
      expect.arrayContaining([`article-${article.id}`, `section-${article.section.id}`, `tag-${article.tags[0]!.id}`, `author-${article.authors[0]!.id}`, 'home']),
    );
  });

  it('unpublishing purges the same keys, and the page is gone', async () => {
    const other = await site.services.workflow.create(editor, { ...input, headline: 'سوق الزيت في إدلب' });
    await site.services.workflow.publish(editor, other.id);
    // It may share a call with the previous test's purges.
    await vi.waitFor(() => expect(receiver.calls.at(-1)?.body.reason.split(' ')).toContain(`article-${other.id}`), WAIT);
    const section = sectionPath(other.section.slug);
    const listed = await get(section);
    expect(listed.headers['surrogate-key']).toContain(`article-${other.id}`);
    const calls = receiver.calls.length;
    await site.services.workflow.unpublish(editor, other.id);
    expect((await get(`/news/${other.id}`)).statusCode).toBe(404);
    // The list lost its newest article: its content times went back, its Last-Modified must not.
    const shorter = await get(section, { 'if-modified-since': String(listed.headers['last-modified']) });
    expect(shorter.statusCode).toBe(200);
    expect(shorter.body).not.toContain('سوق الزيت في إدلب');
    expect(Date.parse(String(shorter.headers['last-modified']))).toBeGreaterThan(Date.parse(String(listed.headers['last-modified'])));
    await vi.waitFor(() => expect(receiver.calls).toHaveLength(calls + 1), WAIT);
    expect(receiver.calls.at(-1)!.body.keys).toEqual(expect.arrayContaining([`article-${other.id}`, `section-${other.section.id}`, 'home']));
  });

  it('serves Brotli and gzip by Accept-Encoding, with one ETag per encoding', async () => {
    const url = articlePath(article);
    const plain = await get(url);
    const br = await get(url, { 'accept-encoding': 'gzip, br' });
    const gz = await get(url, { 'accept-encoding': 'gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    expect(new Set([plain, br, gz].map((r) => r.headers.etag)).size).toBe(3);
    // Any encoding's ETag validates: the content is the same.
    expect((await get(url, { 'accept-encoding': 'gzip', 'if-none-match': String(br.headers.etag) })).statusCode).toBe(304);
  });

  it('fingerprints static assets and serves them immutable', async () => {
    const home = (await get('/')).body;
    const assets = [...home.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const url of assets) {
      expect(url).toMatch(/\?v=[\w-]{6,}$/);
      const res = await get(url, { 'accept-encoding': 'br' });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
    }
  });

  it('keeps newsroom pages and API answers private, no-store', async () => {
    const { user, email, password } = await addUser(site.services, `caching-${target.name}@example.org`, 'editor');
    const signed = await signIn(app, email, password);
    const pages = ['/newsroom', '/newsroom/articles', `/newsroom/articles/${article.id}/edit`, `/newsroom/articles/${article.id}/revisions`, '/newsroom/articles/new', '/newsroom/media'];
    for (const url of pages) {
      const res = await get(url, { cookie: signed.cookie });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('private, no-store');
      expect(res.headers['surrogate-key'], url).toBeUndefined();
    }
    expect((await get('/newsroom/login')).headers['cache-control']).toBe('private, no-store');
    const { token } = await site.services.accounts.createToken(user.id, { name: 'cache test', scope: 'read' });
    for (const url of ['/api/v1/articles', `/api/v1/articles/${article.id}`]) {
      const res = await get(url, { authorization: `Bearer ${token}` });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('private, no-store');
    }
  });
});
