import { readdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/domain/user.js';
import { buildApp } from '../../src/web/app.js';
import { openTestSite, type TestSite } from '../helpers/services.js';

const CLI = { user: null, label: 'cli', ip: null };

const article = {
  headline: 'خبر من واجهة البرمجة',
  body: [
    { type: 'paragraph', spans: [{ text: 'فقرة أولى.' }] },
    { type: 'subheading', text: 'عنوان فرعي' },
    { type: 'paragraph', spans: [{ text: 'فقرة ثانية.' }] },
  ],
  section: 'سياسة',
  datelinePlace: 'إسطنبول',
  sourceLabel: 'متابعات',
  publishedAt: '2021-06-28T14:39:00Z',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
};

describe('JSON API /api/v1', () => {
  let site: TestSite;
  let app: FastifyInstance;
  const tokens: Partial<Record<Role | 'reader', string>> = {};

  beforeAll(async () => {
    site = await openTestSite();
    app = await buildApp({ services: site.services });
    for (const role of ['contributor', 'editor', 'admin'] as const) {
      const u = await site.services.accounts.createUser({ email: `${role}@example.org`, role, password: `correct horse battery ${role.length} staple` }, CLI);
      tokens[role] = (await site.services.accounts.createToken(u.id, { name: 'test', scope: 'write' })).token;
      if (role === 'editor') tokens.reader = (await site.services.accounts.createToken(u.id, { name: 'ro', scope: 'read' })).token;
    }
  });
  afterAll(async () => {
    await app.close();
    await site.dispose();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who?: keyof typeof tokens, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: who ? { authorization: `Bearer ${tokens[who]}` } : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('answers problem+json without a token, and with a read-only token on writes', async () => {
    const anon = await call('POST', '/api/v1/articles', undefined, article);
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(anon.json()).toMatchObject({ status: 401, title: expect.any(String) });
    const ro = await call('POST', '/api/v1/articles', 'reader', article);
    expect(ro.statusCode).toBe(403);
    expect((await call('GET', '/api/v1/articles', 'reader')).statusCode).toBe(200);
  });

  it('lets a contributor write and submit, but never publish', async () => {
    const created = await call('POST', '/api/v1/articles', 'contributor', article);
    expect(created.statusCode).toBe(201);
    const { id, status } = created.json() as { id: number; status: string };
    expect(status).toBe('draft');
    for (const step of ['publish', 'unpublish', 'update']) {
      const r = await call('POST', `/api/v1/articles/${id}/${step}`, 'contributor');
      expect(r.statusCode, step).toBe(403);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
    }
    expect((await call('POST', `/api/v1/articles/${id}/schedule`, 'contributor', { at: '2099-01-01T00:00:00Z' })).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/articles/${id}/submit`, 'contributor')).json()).toMatchObject({ status: 'in_review' });
    expect((await app.inject(`/news/${id}`)).statusCode).toBe(404);
  });

  it('publishes, stages an edit invisible to readers until update, and keeps revisions', async () => {
    const { id } = (await call('POST', '/api/v1/articles', 'editor', article)).json() as { id: number };
    const published = await call('POST', `/api/v1/articles/${id}/publish`, 'editor');
    expect(published.json()).toMatchObject({ status: 'published', publishedAt: '2021-06-28T14:39:00.000Z' });
    const url = new URL((published.json() as { url: string }).url).pathname;
    expect((await app.inject(url)).body).toContain('خبر من واجهة البرمجة');

    const patched = await call('PATCH', `/api/v1/articles/${id}`, 'editor', { headline: 'عنوان معدّل' });
    expect(patched.json()).toMatchObject({ staged: true });
    const page = await app.inject({ url, headers: { 'accept-encoding': 'identity' } });
    expect(page.body).toContain('خبر من واجهة البرمجة');
    expect(page.body).not.toContain('عنوان معدّل');

    const updated = await call('POST', `/api/v1/articles/${id}/update`, 'editor');
    expect(updated.json()).toMatchObject({ headline: 'عنوان معدّل', revisedAt: expect.any(String) });
    const moved = await app.inject(url);
    expect(moved.statusCode).toBe(301);
    const now = await app.inject(moved.headers.location as string);
    expect(now.body).toContain('عنوان معدّل');
    expect(now.body).toContain('آخر تحديث');

    const revisions = (await call('GET', `/api/v1/articles/${id}/revisions`, 'editor')).json() as { items: { number: number }[] };
    expect(revisions.items.map((r) => r.number)).toEqual([2, 1]);
    const diff = (await call('GET', `/api/v1/articles/${id}/diff?from=1&to=2`, 'editor')).json() as { fields: unknown[] };
    expect(JSON.stringify(diff.fields)).toContain('معدّل');
  });

  it('turns bad input into 4xx problems, never 500', async () => {
    const bad = [
      await call('POST', '/api/v1/articles', 'editor', { headline: '' }),
      await call('POST', '/api/v1/articles', 'editor', { ...article, timeZone: 'Nowhere/City' }),
      await app.inject({ method: 'POST', url: '/api/v1/articles', headers: { authorization: `Bearer ${tokens.editor}`, 'content-type': 'application/json' }, payload: '{"headline":' }),
      await call('GET', '/api/v1/articles/abc', 'editor'),
      await call('GET', '/api/v1/articles/999999', 'editor'),
      await call('POST', '/api/v1/articles/999999/publish', 'editor'),
      await call('POST', '/api/v1/articles/1/schedule', 'editor', { at: '2001-01-01T00:00:00Z' }),
      await call('PATCH', '/api/v1/articles/1', 'editor', { status: 'published' }),
      await call('GET', '/api/v1/nothing', 'editor'),
      await call('GET', '/api/v1/media/999999', 'editor'),
      await call('PATCH', '/api/v1/media/1', 'editor', { width: 5 }),
    ];
    for (const r of bad) {
      expect(r.statusCode, r.body).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, r.body).toBeLessThan(500);
      expect(r.headers['content-type'], r.body).toMatch(/^application\/problem\+json/);
    }
  });

  it('uploads images decided by content and refuses disguised files, writing nothing', async () => {
    const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#284' } }).png().toBuffer();
    const upload = (data: Buffer, filename: string) => {
      const form = new FormData();
      form.append('caption', 'وزير الخارجية');
      form.append('credit', 'رويترز');
      form.append('file', new Blob([new Uint8Array(data)]), filename);
      return app.inject({ method: 'POST', url: '/api/v1/media', headers: { authorization: `Bearer ${tokens.contributor}` }, body: form });
    };
    const ok = await upload(png, 'photo.jpg');
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ mime: 'image/png', caption: 'وزير الخارجية', credit: 'رويترز' });

    const before = readdirSync(site.config.mediaDir, { recursive: true }).length;
    const html = await upload(Buffer.from('<html><script>alert(1)</script></html>'), 'evil.png');
    expect(html.statusCode).toBe(415);
    expect(html.headers['content-type']).toMatch(/problem\+json/);
    expect(readdirSync(site.config.mediaDir, { recursive: true }).length).toBe(before);

    const found = (await call('GET', `/api/v1/media?q=${encodeURIComponent('الخارجية')}`, 'editor')).json() as { items: unknown[] };
    expect(found.items).toHaveLength(1);
  });

  it('publishes an OpenAPI document', async () => {
    const doc = (await app.inject('/api/docs')).json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/articles', '/api/v1/articles/{id}', '/api/v1/articles/{id}/publish', '/api/v1/media']),
    );
  });
});
