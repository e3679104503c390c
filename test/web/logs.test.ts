import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { createLogger } from '../../src/web/requestLog.js';
import { addUser, FORM, form, loginForm, signIn } from '../helpers/newsroom.js';
import { startPurgeReceiver } from '../helpers/purgeReceiver.js';
import { openTestSite, type TestSite } from '../helpers/services.js';
import { until } from '../helpers/sse.js';

const PURGE_TOKEN = 'purge-secret-A1B2C3D4E5';
const METRICS_TOKEN = 'metrics-secret-F6G7H8I9J0';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request logs', () => {
  const lines: string[] = [];
  const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  let site: TestSite;
  let app: FastifyInstance;
  let receiver: Awaited<ReturnType<typeof startPurgeReceiver>>;

  beforeAll(async () => {
    receiver = await startPurgeReceiver();
    site = await openTestSite(undefined, { NASHRA_PURGE_URL: receiver.url, NASHRA_PURGE_TOKEN: PURGE_TOKEN, NASHRA_METRICS_TOKEN: METRICS_TOKEN });
    // What `nashra serve` logs with, writing into the array instead of stderr.
    const logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } });
    app = await buildApp({ services: site.services, logger });
  });
  afterAll(async () => {
    await app?.close();
    await site?.dispose();
    await receiver?.close();
  });

  it('logs a sign-in, API calls, a failed sign-in and purges without a secret, every request line with its id', async () => {
    const password = 'كلمة سر طويلة للاختبار 123';
    const member = await addUser(site.services, 'logs-editor@nashra.test', 'editor', password);
    const session = await signIn(app, member.email, password);
    const { token } = await site.services.accounts.createToken(member.user.id, { name: 'logs', scope: 'write' });
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/articles',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        headline: 'خبر السجلات',
        section: 'أخبار',
        tags: [],
        authors: ['كاتب'],
        timeZone: 'Asia/Damascus',
        city: 'دمشق',
        body: [{ type: 'paragraph', spans: [{ text: 'فقرة.' }] }],
      }),
    });
    expect(created.statusCode).toBe(201);
    const id = (JSON.parse(created.body) as { id: number }).id;
    const published = await app.inject({ method: 'POST', url: `/api/v1/articles/${id}/publish`, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } });
    expect(published.statusCode).toBe(200);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/articles', headers: { authorization: 'Bearer not-a-real-token-XYZ987' } });
    expect(bad.statusCode).toBe(401);
    const { token: loginToken, loginCookie } = await loginForm(app);
    const failed = await app.inject({
      method: 'POST',
      url: '/newsroom/login?next=%2Fnewsroom%3Fsecret%3Dleaked-in-query',
      headers: { ...FORM, cookie: loginCookie! },
      payload: form({ email: member.email, password: 'wrong password entirely', _csrf: loginToken }),
    });
    expect(failed.statusCode).toBe(401);
    expect((await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).statusCode).toBe(200);
    await until(() => receiver.calls.length > 0 && logged().some((l) => String(l.msg).startsWith('purge: sent')), 10_000, 'the purge and its log line');
    expect(receiver.calls[0]!.authorization).toBe(`Bearer ${PURGE_TOKEN}`);

    const all = lines.join('');
    const secrets = {
      password,
      'the wrong password': 'wrong password entirely',
      'the session id': session.sessionId,
      'the CSRF token': session.csrf,
      'the API token': token,
      'the refused token': 'not-a-real-token-XYZ987',
      'the login form token': loginToken,
      'the login cookie': loginCookie!.split('=')[1]!,
      'the purge token': PURGE_TOKEN,
      'the metrics token': METRICS_TOKEN,
      'a query string': 'leaked-in-query',
    };
    for (const [what, secret] of Object.entries(secrets)) expect(all.includes(secret), what).toBe(false);

    const requestLines = logged().filter((l) => 'req' in l || 'res' in l);
    // Two lines per request (incoming, completed), and the sign-in alone made several requests.
    expect(requestLines.length).toBeGreaterThanOrEqual(16);
    for (const l of requestLines) expect(typeof l.reqId === 'string' && l.reqId.length >= 8, JSON.stringify(l)).toBe(true);
    const loginLine = requestLines.find((l) => (l.req as { path?: string } | undefined)?.path === '/newsroom/login' && (l.req as { method: string }).method === 'POST');
    expect(loginLine?.req).toEqual({ method: 'POST', path: '/newsroom/login', ip: '127.0.0.1' });
  });

  it('keeps a safe X-Request-Id from a proxy and echoes it; replaces an unsafe one', async () => {
    const kept = await app.inject({ url: '/', headers: { 'x-request-id': 'edge-7f3a9c21.b' } });
    expect(kept.headers['x-request-id']).toBe('edge-7f3a9c21.b');
    expect(logged().filter((l) => l.reqId === 'edge-7f3a9c21.b').length).toBeGreaterThanOrEqual(2);
    for (const unsafe of ['short', 'has spaces in it', 'x'.repeat(200), '{"forged":"json"}', 'id\u00e9\u00e9\u00e9\u00e9\u00e9']) {
      const res = await app.inject({ url: '/', headers: { 'x-request-id': unsafe } });
      expect(res.headers['x-request-id'], unsafe).toMatch(UUID);
    }
    expect((await app.inject('/')).headers['x-request-id']).toMatch(UUID);
  });

  it('censors credentials wherever an object carrying them is logged', () => {
    lines.length = 0;
    app.log.warn(
      {
        req: { method: 'GET', url: '/x?token=abc' },
        headers: { authorization: 'Bearer leak-1', cookie: 'nashra_session=leak-2', 'x-csrf-token': 'leak-3', 'set-cookie': 'leak-4' },
        user: { password: 'leak-5', sessionId: 'leak-6' },
        config: { purgeToken: 'leak-7', databaseUrl: 'postgres://user:leak-8@db/nashra', metrics: { token: 'leak-9' } },
        token: 'leak-10',
      },
      'an object with secrets',
    );
    const out = lines.join('');
    for (let i = 1; i <= 10; i++) expect(out, `leak-${i}`).not.toContain(`leak-${i}`);
    expect(out).toContain('[redacted]');
  });
});
