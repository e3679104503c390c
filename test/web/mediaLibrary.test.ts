import { readdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { addUser, FORM, form, signIn, type Signed } from '../helpers/newsroom.js';
import { openTestSite, type TestSite } from '../helpers/services.js';

describe('newsroom media library page', () => {
  let site: TestSite;
  let app: FastifyInstance;
  let writer: Signed;

  beforeAll(async () => {
    site = await openTestSite();
    app = await buildApp({ services: site.services });
    await addUser(site.services, 'writer@example.org', 'contributor');
    writer = await signIn(app, 'writer@example.org', 'ورد الشام في الربيع');
  });
  afterAll(async () => {
    await app.close();
    await site.dispose();
  });

  const upload = (data: Buffer, filename: string, csrf = writer.csrf) => {
    const body = new FormData();
    body.append('_csrf', csrf);
    body.append('caption', 'سوق الحميدية');
    body.append('credit', 'نشرة');
    body.append('file', new Blob([new Uint8Array(data)]), filename);
    return app.inject({ method: 'POST', url: '/newsroom/media', headers: { cookie: writer.cookie }, body });
  };

  it('needs a signed-in user', async () => {
    const r = await app.inject('/newsroom/media');
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toMatch(/^\/newsroom\/login/);
  });

  it('uploads, lists, searches and edits pictures, in Arabic, never cached', async () => {
    const jpeg = await sharp({ create: { width: 640, height: 360, channels: 3, background: '#753' } }).jpeg().toBuffer();
    const up = await upload(jpeg, 'souq.png');
    expect(up.statusCode).toBe(303);
    const page = await app.inject({ url: '/newsroom/media?q=' + encodeURIComponent('الحميدية'), headers: { cookie: writer.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('private, no-store');
    expect(page.body).toContain('<html lang="ar" dir="rtl">');
    expect(page.body).toContain('value="سوق الحميدية"');
    expect(page.body).toContain('<picture>');
    const id = /action="\/newsroom\/media\/(\d+)"/.exec(page.body)![1];

    const saved = await app.inject({
      method: 'POST',
      url: `/newsroom/media/${id}`,
      headers: { ...FORM, cookie: writer.cookie },
      payload: form({ _csrf: writer.csrf, caption: 'باب الجابية', credit: 'نشرة', alt: 'مدخل السوق' }),
    });
    expect(saved.statusCode).toBe(303);
    const found = await app.inject({ url: '/newsroom/media?q=' + encodeURIComponent('الجابية'), headers: { cookie: writer.cookie } });
    expect(found.body).toContain('value="مدخل السوق"');
    expect((await app.inject({ url: '/newsroom/media?q=zzz', headers: { cookie: writer.cookie } })).body).toContain('لا توجد صور تطابق البحث');
  });

  it('refuses a disguised file with an Arabic message and a wrong CSRF token with 403, writing nothing', async () => {
    const before = readdirSync(site.config.mediaDir, { recursive: true }).length;
    const html = await upload(Buffer.from('<html><script>alert(1)</script></html>'), 'photo.png');
    expect(html.statusCode).toBe(400);
    expect(html.body).toContain('<html lang="ar" dir="rtl">');
    const png = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#000' } }).png().toBuffer();
    expect((await upload(png, 'x.png', 'wrong-token')).statusCode).toBe(403);
    expect(readdirSync(site.config.mediaDir, { recursive: true }).length).toBe(before);
  });
});
