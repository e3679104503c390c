import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available } from '../helpers/services.js';
import { runNashra, startNashra, type ServerProcess } from '../helpers/serverProcess.js';
import { redisTarget, startTcpProxy, viaProxy, type TcpProxy } from '../helpers/tcpProxy.js';
import { article, until } from './outageHelpers.js';

/**
 * Redis down: live streams wait for it (test/live/twoInstances.test.ts shows them refused and
 * resumed); everything else does not need it. A `nashra serve` process reaches Redis through a
 * proxy the test cuts: the home page, an article, search and a live page still answer 200, and
 * the newsroom still publishes (the article shows on the home page at once) and posts live
 * entries. Once Redis is back, live streams are accepted again.
 */
const REDIS_URL = process.env.REDIS_URL;
const runs = available('Redis', !!REDIS_URL, 'REDIS_URL is not set');

describe.runIf(runs)('Redis outage', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nashra-redis-outage-'));
  let proxy: TcpProxy | undefined;
  let server: ServerProcess | undefined;
  let token = '';

  beforeAll(async () => {
    // SQLite: the database is not what this test is about.
    const env = { NASHRA_DATA_DIR: dataDir, DATABASE_URL: undefined, REDIS_URL: undefined };
    const run = async (args: string[], input?: string) => {
      const r = await runNashra(args, env, input);
      if (r.code !== 0) throw new Error(`nashra ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    };
    await run(['user', 'add', 'editor@nashra.test', '--role', 'editor', '--password-stdin'], 'Qamar-Zaytun-Bahr-7731\n');
    token = (await run(['token', 'create', 'editor@nashra.test', '--scope', 'write', '--name', 'redis outage test'])).trim();
    proxy = await startTcpProxy(redisTarget(REDIS_URL!));
    server = await startNashra({
      ...env,
      PORT: '0',
      REDIS_URL: viaProxy(REDIS_URL!, proxy.port),
      NASHRA_REDIS_PREFIX: `nashra_t_${process.pid}_${randomBytes(4).toString('hex')}:`,
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('keeps pages serving and the newsroom publishing while Redis is cut off', async () => {
    const base = server!.url;
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown = {}) => {
      const res = await fetch(`${base}/api/v1${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
      const json = (await res.json()) as Record<string, unknown>;
      expect([200, 201], `${path}: ${JSON.stringify(json)}`).toContain(res.status);
      return json;
    };
    const publish = async (headline: string) => {
      const { id } = await post('/articles', article(headline));
      return new URL(String((await post(`/articles/${id}/publish`)).url)).pathname;
    };
    /** The live stream's status: 200 once the Redis bridge is subscribed, 503 while it is not. */
    const streamStatus = async (slug: string) => {
      const res = await fetch(`${base}/live/${slug}/events`, { headers: { accept: 'text/event-stream' } });
      await res.body?.cancel();
      return res.status;
    };
    const status = async (path: string) => {
      const res = await fetch(base + path);
      await res.arrayBuffer();
      return res.status;
    };

    const first = await publish('انقطاع الكهرباء عن أحياء في دمشق');
    const coverage = await post('/live', { title: 'تغطية حية: الانقطاع' });
    const slug = encodeURIComponent(String(coverage.slug));
    await until(async () => (await streamStatus(slug)) === 200, 'live streams to be accepted');

    proxy!.cut();
    // Streams are refused once the bridge has noticed: the outage is on for this server.
    await until(async () => (await streamStatus(slug)) === 503, 'the server to notice Redis is gone');

    for (const p of ['/', first, `/search?q=${encodeURIComponent('الكهرباء')}`, `/live/${slug}`, '/healthz', '/readyz']) {
      expect(await status(p), p).toBe(200);
    }
    // The newsroom writes on: an article published now is on the home page at once, a live entry is stored and polled.
    const second = await publish('عودة التيار الكهربائي إلى معظم الأحياء');
    expect(await status(second)).toBe(200);
    expect(await (await fetch(base + '/')).text()).toContain('عودة التيار الكهربائي');
    const entry = await post(`/live/${coverage.id}/entries`, { text: 'فرق الصيانة تبدأ العمل في الأحياء الشرقية' });
    const polled = (await (await fetch(`${base}/live/${slug}/updates?after=0`)).json()) as { events: { eventId: number }[] };
    expect(polled.events.map((e) => e.eventId)).toContain(entry.eventId);

    proxy!.restore();
    await until(async () => (await streamStatus(slug)) === 200, 'live streams to be accepted again');
    expect(server!.child.exitCode).toBeNull();
  }, 120_000);
});
