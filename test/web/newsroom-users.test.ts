import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/store/audit.js';
import { buildApp } from '../../src/web/app.js';
import { addUser, FORM, form, signIn, type Signed } from '../helpers/newsroom.js';
import { openTestSite, type TestSite } from '../helpers/services.js';

let site: TestSite;
let app: FastifyInstance;
let a: Signed;

const post = (url: string, fields: Record<string, string>, who: Signed = a) =>
  app.inject({ method: 'POST', url, headers: { ...FORM, cookie: who.cookie }, payload: form({ _csrf: who.csrf, ...fields }) });
const get = (url: string, who: Signed = a) => app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });

beforeAll(async () => {
  site = await openTestSite();
  app = await buildApp({ services: site.services });
  const admin = await addUser(site.services, 'chief@nashra.example', 'admin');
  a = await signIn(app, admin.email, admin.password);
});
afterAll(async () => {
  await app?.close();
  await site?.dispose();
});

describe('user administration', () => {
  it('adds a user from the form, escaping what it shows', async () => {
    const res = await post('/newsroom/users', { email: 'Reem@Nashra.example', displayName: '<script>alert(1)</script> ريم', role: 'editor', password: 'حديقة الياسمين الدمشقي' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/newsroom/users?ok=created');
    const page = await get('/newsroom/users?ok=created');
    expect(page.body).toContain('أُضيف المستخدم.');
    expect(page.body).toContain('reem@nashra.example');
    expect(page.body).toContain('&lt;script>alert(1)&lt;/script> ريم');
    expect(page.body).not.toContain('<script>alert(1)');
  });

  it('re-renders the form with an Arabic message on bad input, keeping what was typed except the password', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ email: 'new1@nashra.example', role: 'editor', password: 'short' }, 'كلمة المرور قصيرة'],
      [{ email: 'new1@nashra.example', role: 'editor', password: 'password1234' }, 'شيوعاً'],
      [{ email: 'not an email', role: 'editor', password: 'حديقة الياسمين الدمشقي' }, 'بريد إلكتروني غير صالح'],
      [{ email: 'new1@nashra.example', role: 'owner', password: 'حديقة الياسمين الدمشقي' }, 'دور غير معروف'],
      [{ email: 'reem@nashra.example', role: 'editor', password: 'حديقة الياسمين الدمشقي' }, 'يوجد حساب'],
    ];
    for (const [fields, message] of cases) {
      const res = await post('/newsroom/users', fields);
      expect(res.statusCode, message).toBe(400);
      expect(res.body).toContain(message);
      expect(res.body).toContain(`value="${fields.email}"`);
      expect(res.body).not.toContain(fields.password);
    }
    const arrays = await app.inject({ method: 'POST', url: '/newsroom/users', headers: { ...FORM, cookie: a.cookie }, payload: `_csrf=${a.csrf}&email=a&email=b` });
    expect(arrays.statusCode).toBe(400);
  });

  it('changes roles, disables (ending the sessions at once) and enables', async () => {
    const { user, email, password } = await addUser(site.services, 'sami@nashra.example', 'contributor');
    const s = await signIn(app, email, password);
    expect((await post(`/newsroom/users/${user.id}/role`, { role: 'editor' })).headers.location).toBe('/newsroom/users?ok=role');
    expect((await site.services.accounts.getUser(user.id))?.role).toBe('editor');
    expect((await post(`/newsroom/users/${user.id}/role`, { role: 'root' })).statusCode).toBe(400);
    expect((await post('/newsroom/users/999999/role', { role: 'editor' })).statusCode).toBe(404);
    expect((await post('/newsroom/users/abc/disable', {})).statusCode).toBe(404);

    expect((await post(`/newsroom/users/${user.id}/disable`, {})).headers.location).toBe('/newsroom/users?ok=disabled');
    expect((await get('/newsroom', s)).statusCode).toBe(303);
    expect((await post(`/newsroom/users/${user.id}/enable`, {})).headers.location).toBe('/newsroom/users?ok=enabled');
    await signIn(app, email, password);
  });

  it('refuses to disable oneself or demote the last admin', async () => {
    const me = (await site.services.accounts.userByEmail('chief@nashra.example'))!;
    const self = await post(`/newsroom/users/${me.id}/disable`, {});
    expect(self.statusCode).toBe(403);
    expect(self.body).toContain('لا يمكنك تعطيل حسابك');
    const demote = await post(`/newsroom/users/${me.id}/role`, { role: 'editor' });
    expect(demote.statusCode).toBe(403);
    expect(demote.body).toContain('آخر مشرف');
  });
});

describe('audit log page', () => {
  it('lists entries newest first, filtered by action, user and date range', async () => {
    const all = await get('/newsroom/audit');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('<code>user.create</code>');
    expect(all.body).toContain('<code>login</code>');

    const logins = await get('/newsroom/audit?action=user.role');
    expect(logins.body).toContain('<code>user.role</code>');
    expect(logins.body).not.toContain('<code>login</code>');

    const me = (await site.services.accounts.userByEmail('chief@nashra.example'))!;
    const mine = await get(`/newsroom/audit?user=${me.id}&action=user.create`);
    expect(mine.body).toContain('<code>user.create</code>');
    const cliRows = await get('/newsroom/audit?action=user.create&user=999');
    expect(cliRows.body).toContain('لا توجد سجلات مطابقة');

    expect((await get('/newsroom/audit?from=2000-01-01&to=2000-01-02')).body).toContain('لا توجد سجلات مطابقة');
    // Days are the newsroom's (Damascus) days; "to" includes its whole day.
    const today = DateTime.now().setZone(site.config.timeZone).toISODate()!;
    expect((await get(`/newsroom/audit?from=${today}&to=${today}&action=login`)).body).toContain('<code>login</code>');
    expect((await get(`/newsroom/audit?to=${DateTime.fromISO(today).minus({ days: 1 }).toISODate()}&action=login`)).body).toContain('لا توجد سجلات مطابقة');
  });

  it('answers bad filters with 400 and the page, and pages through long logs', async () => {
    for (const q of ['from=yesterday', 'to=2024-13-45', 'user=abc', 'page=0', 'action=a&action=b']) {
      const res = await get(`/newsroom/audit?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.body).toContain('تصفية غير صالحة');
    }
    for (let i = 0; i < 60; i++) await appendAudit(site.services.store.db, { action: 'test.filler', actor: 'cli' });
    const first = await get('/newsroom/audit?action=test.filler');
    expect(first.body.match(/<code>test.filler<\/code>/g)).toHaveLength(50);
    expect(first.body).toContain('href="/newsroom/audit?action=test.filler&amp;page=2"');
    const second = await get('/newsroom/audit?action=test.filler&page=2');
    expect(second.body.match(/<code>test.filler<\/code>/g)).toHaveLength(10);
    expect(second.body).toContain('href="/newsroom/audit?action=test.filler"');
  });
});
