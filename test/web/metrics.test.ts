import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/user.js';
import { buildApp } from '../../src/web/app.js';
import { listenForMetrics } from '../../src/web/metrics.js';
import { freePort, startNashra } from '../helpers/serverProcess.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { SseClient, until } from '../helpers/sse.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

const TOKEN = 'metrics-token-for-tests-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const ARTICLE = {
  headline: 'خبر لعداد النشر',
  section: 'أخبار',
  tags: [],
  authors: ['كاتب'],
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
  body: [{ type: 'paragraph' as const, spans: [{ text: 'فقرة عن الأسواق في دمشق.' }] }],
};

/** The samples of a Prometheus text answer: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** Every sample of a metric whose labels include all of `labels`. */
function find(s: Map<string, number>, name: string, labels: Record<string, string> = {}): number[] {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return [...s].filter(([k]) => (k === name || k.startsWith(`${name}{`)) && want.every((w) => k.includes(w))).map(([, v]) => v);
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe.each(storeTargets())('/metrics on $name', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  let base: string;
  let editor: Actor;
  const scrape = async () => {
    const res = await app.inject({ url: '/metrics', headers: AUTH });
    expect(res.statusCode).toBe(200);
    return samples(res.body);
  };

  beforeAll(async () => {
    site = await openTestSite(target, { NASHRA_METRICS_TOKEN: TOKEN });
    editor = actorFor(await insertTestUser(site.services.store, 'editor'));
    app = await buildApp({ services: site.services });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  it('serves the Prometheus text format with process metrics and no cache', async () => {
    const res = await app.inject({ url: '/metrics', headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    for (const name of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_gc_duration_seconds', 'nashra_http_requests_total', 'nashra_live_connections', 'nashra_publishes_total', 'nashra_search_duration_seconds', 'nashra_db_query_errors_total']) {
      expect(res.body, name).toContain(`# TYPE ${name} `);
    }
  });

  it('counts requests by route pattern, never by URL, with a latency histogram by status class', async () => {
    const a = await site.services.workflow.create(editor, ARTICLE);
    await site.services.workflow.publish(editor, a.id);
    for (let i = 0; i < 5; i++) expect((await app.inject(`/news/${a.id}/slug-${i}`)).statusCode).toBeLessThan(400);
    for (let i = 0; i < 3; i++) expect((await app.inject(`/no/such/page/${i}?x=${i}`)).statusCode).toBe(404);
    const s = await scrape();
    const keys = [...s.keys()].filter((k) => k.startsWith('nashra_http_'));
    expect(keys.some((k) => k.includes('slug-') || k.includes('/no/such'))).toBe(false);
    expect(sum(find(s, 'nashra_http_requests_total', { route: '/news/:id/:slug', method: 'GET' }))).toBe(5);
    expect(find(s, 'nashra_http_requests_total', { route: 'unmatched', status: '404' })).toEqual([3]);
    expect(find(s, 'nashra_http_request_duration_seconds_count', { route: 'unmatched', status_class: '4xx' })).toEqual([3]);
    expect(find(s, 'nashra_http_request_duration_seconds_bucket', { route: 'unmatched', le: '+Inf' })).toEqual([3]);
  });

  it('counts publishes by how they happened, and times searches by outcome', async () => {
    const before = await scrape();
    const a = await site.services.workflow.create(editor, { ...ARTICLE, headline: 'خبر ثان' });
    await site.services.workflow.publish(editor, a.id);
    expect((await app.inject(`/search?q=${encodeURIComponent('الأسواق')}`)).statusCode).toBe(200);
    expect((await app.inject(`/search?q=x&page=0`)).statusCode).toBe(400);
    const s = await scrape();
    expect(sum(find(s, 'nashra_publishes_total', { via: 'editor' })) - sum(find(before, 'nashra_publishes_total', { via: 'editor' }))).toBe(1);
    expect(find(s, 'nashra_publishes_total', { via: 'scheduler' })).toEqual([0]);
    expect(find(s, 'nashra_search_duration_seconds_count', { outcome: 'ok' })).toEqual([1]);
    expect(find(s, 'nashra_search_duration_seconds_count', { outcome: 'invalid' })).toEqual([1]);
  });

  it('shows open live streams and the events fanned out to them; streams are counted but not timed', async () => {
    const c = await site.services.live.createCoverage(editor, { title: 'تغطية للعدادات', timeZone: 'Asia/Beirut', city: 'بيروت' });
    const readers = [await SseClient.open(`${base}/live/${c.id}/events`), await SseClient.open(`${base}/live/${c.id}/events`)];
    try {
      await until(() => readers.every((r) => r.body.startsWith('retry:')), 10_000, 'the streams to open');
      let s = await scrape();
      expect(find(s, 'nashra_live_connections')).toEqual([2]);
      const events = find(s, 'nashra_live_events_total')[0]!;
      const frames = find(s, 'nashra_live_frames_sent_total')[0]!;
      await site.services.live.postEntry(editor, c.id, { text: 'خبر عاجل' });
      for (const r of readers) await r.waitFor(() => r.live().length === 1, 10_000, 'the entry');
      s = await scrape();
      expect(find(s, 'nashra_live_events_total')).toEqual([events + 1]);
      expect(find(s, 'nashra_live_frames_sent_total')).toEqual([frames + 2]);
    } finally {
      for (const r of readers) r.close();
    }
    const s = await scrape();
    expect(find(s, 'nashra_http_request_duration_seconds_count', { route: '/live/:slug/events' })).toEqual([]);
  });

  it('counts failed database statements, and on PostgreSQL shows the pool', async () => {
    const before = sum(find(await scrape(), 'nashra_db_query_errors_total'));
    await expect(sql`select * from no_such_table_here`.execute(site.services.store.db)).rejects.toThrow();
    const s = await scrape();
    expect(sum(find(s, 'nashra_db_query_errors_total'))).toBe(before + 1);
    if (target.name === 'postgres') {
      const total = find(s, 'nashra_db_pool_connections', { state: 'total' })[0]!;
      expect(total).toBeGreaterThanOrEqual(1);
      expect(total).toBeLessThanOrEqual(10);
      expect(find(s, 'nashra_db_pool_connections', { state: 'idle' })[0]! + find(s, 'nashra_db_pool_connections', { state: 'in_use' })[0]!).toBe(total);
      expect(find(s, 'nashra_db_pool_waiting')).toEqual([0]);
    } else {
      expect(find(s, 'nashra_db_pool_connections')).toEqual([]);
    }
  });
});

describe('who may read /metrics', () => {
  const sites: TestSite[] = [];
  const apps: FastifyInstance[] = [];
  const appWith = async (env: Record<string, string>) => {
    const site = await openTestSite(undefined, env);
    sites.push(site);
    const app = await buildApp({ services: site.services });
    apps.push(app);
    return app;
  };
  afterAll(async () => {
    for (const a of apps) await a.close();
    for (const s of sites) await s.dispose();
  });

  it('is not served without a token (the default): the site’s ordinary 404', async () => {
    const app = await appWith({});
    const res = await app.inject({ url: '/metrics', headers: AUTH });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('nashra_');
  });

  it('asks for the token with 401, and refuses a wrong one the same way', async () => {
    const app = await appWith({ NASHRA_METRICS_TOKEN: TOKEN });
    for (const headers of [{}, { authorization: 'Bearer wrong-token-of-the-same-kind-0000' }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }]) {
      const res = await app.inject({ url: '/metrics', headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(res.body).not.toContain('nashra_');
    }
    expect((await app.inject({ url: '/metrics', headers: AUTH })).statusCode).toBe(200);
  });

  it('is off with NASHRA_METRICS=off even with a token, and open to anyone with NASHRA_METRICS=open', async () => {
    const off = await appWith({ NASHRA_METRICS: 'off', NASHRA_METRICS_TOKEN: TOKEN });
    expect((await off.inject({ url: '/metrics', headers: AUTH })).statusCode).toBe(404);
    const open = await appWith({ NASHRA_METRICS: 'open' });
    const res = await open.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('nashra_http_requests_total');
  });

  it('with NASHRA_METRICS_PORT, answers on its own listener only, by the same rules', async () => {
    const app = await appWith({ NASHRA_METRICS_TOKEN: TOKEN, NASHRA_METRICS_PORT: '9464' });
    expect((await app.inject({ url: '/metrics', headers: AUTH })).statusCode).toBe(404);
    const server = await listenForMetrics(app, { port: 0, host: '127.0.0.1' });
    try {
      const port = (server.address() as AddressInfo).port;
      const get = (path: string, headers: Record<string, string> = {}) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          request({ host: '127.0.0.1', port, path, headers }, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          })
            .on('error', reject)
            .end();
        });
      expect((await get('/metrics')).status).toBe(401);
      expect((await get('/', AUTH)).status).toBe(404);
      const ok = await get('/metrics', AUTH);
      expect(ok.status).toBe(200);
      expect(ok.body).toContain('# TYPE nashra_http_requests_total counter');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps each app’s counts in its own registry', async () => {
    const env = { NASHRA_METRICS: 'open' };
    const [a, b] = [await appWith(env), await appWith(env)];
    await a.inject('/no-such-page');
    await a.inject('/no-such-page');
    await b.inject('/no-such-page');
    const count = async (app: FastifyInstance) => find(samples((await app.inject('/metrics')).body), 'nashra_http_requests_total', { route: 'unmatched' });
    expect(await count(a)).toEqual([2]);
    expect(await count(b)).toEqual([1]);
  });
});

describe('nashra serve with NASHRA_METRICS_PORT', () => {
  it('answers /metrics on the metrics port only, counting the site’s requests, and stops it on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nashra-metrics-'));
    const [port, metricsPort] = [await freePort(), await freePort()];
    const server = await startNashra({ NASHRA_DATA_DIR: dataDir, PORT: String(port), NASHRA_METRICS: 'open', NASHRA_METRICS_PORT: String(metricsPort), DATABASE_URL: '', REDIS_URL: '' });
    try {
      const page = await fetch(`${server.url}/no-such-page`, { headers: { 'x-request-id': 'probe-0001-abcd' } });
      expect(page.status).toBe(404);
      expect(page.headers.get('x-request-id')).toBe('probe-0001-abcd');
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      const m = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(m.status).toBe(200);
      const s = samples(await m.text());
      expect(find(s, 'nashra_http_requests_total', { route: 'unmatched', status: '404' })).toEqual([1]);
      // The site's /metrics is a route that answers 404 here, counted under its pattern.
      expect(find(s, 'nashra_http_requests_total', { route: '/metrics', status: '404' })).toEqual([1]);
      expect(find(s, 'process_resident_memory_bytes')[0]).toBeGreaterThan(0);
    } finally {
      await server.stop('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(server.child.exitCode).toBe(0);
  }, 60_000);
});
