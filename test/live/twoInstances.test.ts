import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get as httpGet } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available } from '../helpers/services.js';
import { runNashra, startNashra, type ServerProcess } from '../helpers/serverProcess.js';
import { redisTarget, startTcpProxy, viaProxy, type TcpProxy } from '../helpers/tcpProxy.js';
import { until } from '../helpers/until.js';

/**
 * The acceptance for scale-out: two `nashra serve` processes on two ports share one
 * PostgreSQL database and one Redis; an entry posted through one reaches SSE readers of the
 * other, and a Redis outage on the second is survived without losing or repeating an entry.
 */
const PG_URL = process.env.DATABASE_URL_TEST;
const REDIS_URL = process.env.REDIS_URL;
const runs =
  available('PostgreSQL', !!PG_URL, 'DATABASE_URL_TEST is not set') && available('Redis', !!REDIS_URL, 'REDIS_URL is not set');

interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
}

/** A reader's EventSource, by hand: `fetch` streaming, frames parsed as they arrive. */
interface SseReader {
  status: number;
  frames: SseFrame[];
  /** The `event: live` payloads, parsed. */
  live(): { eventId: number; type: string; entry?: { id: number }; html?: string }[];
  /** Whether the stream has closed. */
  ended(): boolean;
  close(): void;
}

/**
 * A dedicated socket per stream (`agent: false`, not fetch's shared pool), so closing a reader
 * closes its connection at once and no pooled socket outlives the test.
 */
function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const frames: SseFrame[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: SseFrame = {};
          for (const line of block.split('\n')) {
            const m = /^(id|event|data): ?(.*)$/.exec(line);
            if (m) frame[m[1] as keyof SseFrame] = m[2];
          }
          if (frame.event || frame.data) frames.push(frame);
        }
      });
      let ended = false;
      res.once('close', () => (ended = true));
      resolve({
        status: res.statusCode ?? 0,
        frames,
        live: () => frames.filter((f) => f.event === 'live').map((f) => JSON.parse(f.data!)),
        ended: () => ended,
        close: () => void req.destroy(),
      });
    });
    req.once('error', reject);
  });
}

describe.runIf(runs)('two instances sharing PostgreSQL and Redis', () => {
  const database = `nashra_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const prefix = `nashra_t_${process.pid}_${randomBytes(4).toString('hex')}:`;
  const dataDirs: string[] = [];
  const readers: SseReader[] = [];
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;
  let proxy: TcpProxy;
  let token = '';

  const env = (redisUrl: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'nashra-two-'));
    dataDirs.push(dir);
    const url = new URL(PG_URL!);
    url.pathname = `/${database}`;
    return { PORT: '0', NASHRA_DATA_DIR: dir, DATABASE_URL: url.toString(), REDIS_URL: redisUrl, NASHRA_REDIS_PREFIX: prefix };
  };
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const api = async (base: string, path: string, body: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 201 && res.status !== 200) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  beforeAll(async () => {
    await admin(`create database ${database}`);
    proxy = await startTcpProxy(redisTarget(REDIS_URL!));
    const setup = env(REDIS_URL!);
    const run = async (args: string[], input?: string) => {
      const r = await runNashra(args, setup, input);
      if (r.code !== 0) throw new Error(`nashra ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    };
    await run(['migrate']);
    await run(['user', 'add', 'editor@nashra.test', '--role', 'editor', '--password-stdin'], 'Qamar-Zaytun-Bahr-7731\n');
    token = (await run(['token', 'create', 'editor@nashra.test', '--scope', 'write', '--name', 'two instances test'])).trim();
    // B reaches Redis only through the proxy, so the test can cut B off while A stays connected.
    const started = await Promise.allSettled([startNashra(env(REDIS_URL!)), startNashra(env(viaProxy(REDIS_URL!, proxy.port)))]);
    // Kept even if the other failed to start, so afterAll stops whatever runs.
    [a, b] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  }, 120_000);

  afterAll(async () => {
    for (const r of readers) r.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await proxy?.close();
    await admin(`drop database if exists ${database} with (force)`);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('carries entries from one to the other, and survives a Redis outage on the second', async () => {
    const coverage = await api(a!.url, '/live', { title: `تغطية حية ${randomBytes(3).toString('hex')}` });
    const slug = encodeURIComponent(String(coverage.slug));
    const events = `${b!.url}/live/${slug}/events`;
    const reader = async (headers: Record<string, string> = {}) => {
      // B accepts streams once its bridge has subscribed; until then it answers 503.
      const r = await until(async () => {
        const s = await openSse(events, headers);
        if (s.status === 200) return s;
        s.close();
        return null;
      }, 'B to accept live streams');
      readers.push(r);
      return r;
    };
    const post = async (text: string) => (await api(a!.url, `/live/${coverage.id}/entries`, { text })) as { id: number; eventId: number };

    // 1. An entry posted through A reaches a reader of B, once.
    const first = await reader();
    const e1 = await post('انقطاع الكهرباء عن أحياء في المدينة');
    await until(() => first.live().some((e) => e.eventId === e1.eventId), 'B’s reader to get the entry posted through A');
    const got = first.live().find((e) => e.eventId === e1.eventId)!;
    expect(got.type).toBe('entry.created');
    expect(got.entry?.id).toBe(e1.id);
    expect(got.html).toContain(`id="entry-${e1.id}"`);
    // A second entry, then: had the first been sent twice, the copy would come before it.
    const e2 = await post('عودة التيار جزئياً');
    await until(() => first.live().some((e) => e.eventId === e2.eventId), 'the second entry');
    expect(first.live().map((e) => e.eventId)).toEqual([e1.eventId, e2.eventId]);

    // 2. Redis is cut off from B: its open stream is told to retry, new ones are refused, pages still serve.
    proxy.cut();
    await until(() => first.ended(), 'B to end its open stream');
    expect(first.frames.at(-1)).toMatchObject({ event: 'retry' });
    expect(JSON.parse(first.frames.at(-1)!.data!)).toEqual({ reason: 'unavailable' });
    const refused = await fetch(events);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    await refused.body?.cancel();
    for (const page of ['/', `/live/${slug}`, '/healthz']) {
      const res = await fetch(`${b!.url}${page}`);
      await res.arrayBuffer();
      expect(res.status, page).toBe(200);
    }

    // Entries posted through A meanwhile: B's readers poll for them from the database.
    const e3 = await post('اشتباكات في الريف الشمالي');
    const e4 = await post('إغلاق الطريق الدولي');
    const poll = (await (await fetch(`${b!.url}/live/${slug}/updates?after=${e2.eventId}`)).json()) as { events: { eventId: number }[] };
    expect(poll.events.map((e) => e.eventId)).toEqual([e3.eventId, e4.eventId]);

    // 3. Redis back: B accepts streams again, and a reader resuming from what it saw gets the
    // outage's entries once each, then new ones as they come.
    proxy.restore();
    const resumed = await reader({ 'last-event-id': String(e2.eventId) });
    const e5 = await post('الهدوء يعود إلى المدينة');
    await until(() => resumed.live().some((e) => e.eventId === e5.eventId), 'the entry posted after the outage');
    expect(resumed.live().map((e) => e.eventId)).toEqual([e3.eventId, e4.eventId, e5.eventId]);
    expect(resumed.live().map((e) => e.entry?.id)).toEqual([e3.id, e4.id, e5.id]);
  }, 120_000);
});
