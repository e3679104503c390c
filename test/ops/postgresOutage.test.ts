import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available } from '../helpers/services.js';
import { startNashra, type ServerProcess } from '../helpers/serverProcess.js';
import { startTcpProxy, viaProxy, type TcpProxy } from '../helpers/tcpProxy.js';
import { article, freshPostgresSite, startLoad, until } from './outageHelpers.js';

/**
 * The "PostgreSQL restarted under load". The shared test server cannot be restarted, so
 * a `nashra serve` process reaches it through a TCP proxy that the test cuts (every connection
 * dropped, new ones reset: what clients see of a restart) and restores. While cut, requests that
 * need the database get a 503 with Retry-After at once, pages rendered before stay served, the
 * process stays alive (/healthz) but not ready (/readyz); once restored it serves again by itself.
 */
const PG_URL = process.env.DATABASE_URL_TEST;
const runs = available('PostgreSQL', !!PG_URL, 'DATABASE_URL_TEST is not set');

describe.runIf(runs)('PostgreSQL outage under load', () => {
  let site: Awaited<ReturnType<typeof freshPostgresSite>> | undefined;
  let proxy: TcpProxy | undefined;
  let server: ServerProcess | undefined;
  let stderr = '';

  beforeAll(async () => {
    site = await freshPostgresSite(PG_URL!);
    const target = new URL(PG_URL!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    server = await startNashra({ PORT: '0', NASHRA_DATA_DIR: site.dataDir, DATABASE_URL: viaProxy(site.databaseUrl, proxy.port), REDIS_URL: undefined });
    server.child.stderr.on('data', (d: Buffer) => (stderr += d));
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await site?.drop();
  }, 60_000);

  it('answers 503 with Retry-After while the database is cut off, and recovers without a restart', async () => {
    const base = server!.url;
    const auth = { authorization: `Bearer ${site!.token}`, 'content-type': 'application/json' };
    const post = (path: string, body: unknown = {}) => fetch(`${base}/api/v1${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    const publish = async (headline: string) => {
      const created = await post('/articles', article(headline));
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: number };
      const published = await post(`/articles/${id}/publish`);
      expect(published.status).toBe(200);
      return new URL(((await published.json()) as { url: string }).url).pathname;
    };
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const res = await fetch(base + path, { headers });
      return { status: res.status, headers: res.headers, body: await res.text() };
    };

    // Before: an article, and the home page and the article rendered once (so in the page cache).
    const articlePath = await publish('انقطاع الكهرباء عن أحياء في دمشق');
    for (const p of ['/', articlePath]) expect((await get(p)).status, p).toBe(200);
    expect((await get('/readyz')).status).toBe(200);

    let phase = 'before';
    let n = 0;
    const load = startLoad(
      base,
      () => [
        { path: '/' },
        { path: articlePath },
        // A new query each time: never answered from a cache.
        { path: `/search?q=${encodeURIComponent('الكهرباء')}&page=${(n++ % 5) + 1}` },
        { path: '/api/v1/articles', init: { headers: auth } },
        // Writes too: a draft created through the API.
        { path: '/api/v1/articles', init: { method: 'POST', headers: auth, body: JSON.stringify(article(`مسودة تحت الحمل ${n}`)) } },
        { path: '/healthz' },
      ],
      () => phase,
    );

    try {
      await until(() => load.samples.length >= 20, 'the load to get going');

      // The cut: every pooled connection dropped, new ones reset.
      proxy!.cut();
      phase = 'cut';
      const cutAt = load.samples.length;
      await until(async () => (await get('/readyz')).status === 503, '/readyz to report the outage');

      // An API write: JSON problem, 503, Retry-After.
      const refused = await post('/articles', article('خبر أثناء الانقطاع'));
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
      expect(((await refused.json()) as { title: string }).title).toBe('الخدمة غير متاحة مؤقتاً');

      // A reader page never rendered: the Arabic 503 page for a browser, JSON for a script.
      const page = await get(`/search?q=${encodeURIComponent('انقطاع')}`, { accept: 'text/html,application/xhtml+xml' });
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).toBe('5');
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.body).toContain('lang="ar"');
      expect(page.body).toContain('الخدمة غير متاحة مؤقتاً');
      const script = await get('/section/%D9%85%D8%AD%D9%84%D9%8A%D8%A7%D8%AA');
      expect(script.status).toBe(503);
      expect(JSON.parse(script.body)).toEqual({ error: expect.stringContaining('غير متاحة') });

      // Pages rendered before the cut keep serving from the page cache; the process is alive.
      for (const p of ['/', articlePath, '/healthz']) expect((await get(p)).status, p).toBe(200);

      // The load meanwhile got its 503s (fast: the loops kept turning), and nothing else went wrong.
      await until(() => load.samples.slice(cutAt).filter((s) => s.status === 503).length >= 10, 'the load to see 503s');

      // Restored: no restart, the pool makes new connections as requests come.
      proxy!.restore();
      phase = 'after';
      const afterAt = load.samples.length;
      await until(async () => (await get('/readyz')).status === 200, '/readyz to recover');
      const laterPath = await publish('عودة التيار الكهربائي إلى معظم الأحياء');
      expect((await get(laterPath)).status).toBe(200);
      expect((await get('/')).body).toContain('عودة التيار الكهربائي');
      await until(
        () => ['/api/v1/articles', '/search'].every((p) => load.samples.slice(afterAt).some((s) => s.path.startsWith(p) && s.status === 200)),
        'the load to be served again',
      );
    } finally {
      phase = 'done';
      await load.stop();
    }

    const tally = (phase: string) => {
      const counts = new Map<number, number>();
      for (const s of load.samples) if (s.phase === phase) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
      return [...counts].map(([status, n]) => `${status}×${n}`);
    };
    console.log(`load: before ${tally('before').join(' ')}; cut ${tally('cut').join(' ')}; after ${tally('after').join(' ')}`);
    const bad = load.samples.filter((s) => ![200, 201, 503].includes(s.status) || (s.status === 503 && s.phase === 'before'));
    expect(bad, JSON.stringify(bad.slice(0, 5))).toEqual([]);
    expect(load.samples.filter((s) => s.path === '/healthz').every((s) => s.status === 200)).toBe(true);
    expect(server!.child.exitCode).toBeNull();
    expect(stderr).not.toMatch(/uncaught|unhandled/i);
  }, 180_000);
});
