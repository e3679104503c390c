import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishDue } from '../../src/services/scheduler.js';
import { migrations } from '../../src/store/migrations/index.js';
import { buildApp } from '../../src/web/app.js';
import { runNashra, startNashra, type ServerProcess } from '../helpers/serverProcess.js';
import { openTestSite, storeTargets } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';
import { until } from '../helpers/until.js';

describe.each(storeTargets())('/healthz and /readyz ($name)', (target) => {
  it('are 200 on a migrated store, and /readyz is 503 with a reason while a migration is pending', async () => {
    const site = await openTestSite(target);
    const app = await buildApp({ services: site.services });
    try {
      const alive = await app.inject('/healthz');
      expect(alive.statusCode).toBe(200);
      expect(alive.json()).toEqual({ status: 'ok' });
      const ready = await app.inject('/readyz');
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready' });
      expect(ready.headers['cache-control']).toBe('no-store');

      // As if this code were newer than the database: its newest migration is not recorded as run.
      const newest = Object.keys(migrations).sort().at(-1)!;
      await sql`delete from kysely_migration where name = ${newest}`.execute(site.services.store.db);
      const pending = await app.inject('/readyz');
      expect(pending.statusCode).toBe(503);
      expect(pending.headers['retry-after']).toBe('5');
      expect(pending.headers['content-type']).toMatch(/^application\/json/);
      expect(pending.json()).toEqual({ status: 'unavailable', reason: 'migrations pending', pending: [newest] });
      // Alive all the same: a restart would not help, a migration would.
      expect((await app.inject('/healthz')).statusCode).toBe(200);
    } finally {
      await app.close();
      await site.dispose();
    }
  });

  it('/readyz is 503 when the database does not answer', async () => {
    const site = await openTestSite(target);
    const app = await buildApp({ services: site.services });
    try {
      await site.services.store.close();
      const res = await app.inject('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toEqual({ status: 'unavailable', reason: 'database unavailable' });
    } finally {
      await app.close();
      await site.dispose().catch(() => {});
    }
  });
});

describe.each(storeTargets())('the scheduler stopping for a shutdown ($name)', (target) => {
  it('finishes the article in hand and leaves the rest due for the next start', async () => {
    const site = await openTestSite(target);
    try {
      const { services } = site;
      const editor = actorFor(await insertTestUser(services.store, 'editor'));
      const ids: number[] = [];
      for (const headline of ['خبر مجدول أول', 'خبر مجدول ثان']) {
        const a = await services.workflow.create(editor, {
          headline,
          body: [{ type: 'paragraph', spans: [{ text: 'نص الخبر.' }] }],
          section: 'سياسة',
          timeZone: 'Asia/Damascus',
          city: 'دمشق',
        });
        await services.workflow.schedule(editor, a.id, new Date(Date.now() + 60_000).toISOString());
        ids.push(a.id);
      }
      const later = new Date(Date.now() + 120_000);
      // The stop comes while the first article is being published.
      let asked = 0;
      const first = await publishDue(services, later, () => asked++ > 0);
      expect(first).toHaveLength(1);
      const next = await publishDue(services, later);
      expect([...first, ...next].sort()).toEqual([...ids].sort());
      for (const id of ids) expect((await services.workflow.get(editor, id)).status).toBe('published');
    } finally {
      await site.dispose();
    }
  });
});

/** A raw connection that sends a request in parts, so it is in flight for as long as the test wants. */
function rawRequest(url: string): Promise<{ socket: Socket; send(s: string): void; response(): Promise<string> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (data += d));
      const closed = new Promise<string>((r) => socket.once('close', () => r(data)));
      resolve({ socket, send: (s) => void socket.write(s), response: () => closed });
    });
    socket.once('error', reject);
  });
}

/** Whether a new TCP connection to the server is refused (its listener closed). */
function refused(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname);
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('nashra serve on SIGTERM', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nashra-shutdown-'));
  const env = { PORT: '0', NASHRA_DATA_DIR: dataDir };
  let server: ServerProcess | undefined;
  let token = '';

  beforeAll(async () => {
    const run = async (args: string[], input?: string) => {
      const r = await runNashra(args, env, input);
      if (r.code !== 0) throw new Error(`nashra ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    };
    await run(['migrate']);
    await run(['user', 'add', 'editor@nashra.test', '--role', 'editor', '--password-stdin'], 'Qamar-Zaytun-Bahr-7731\n');
    token = (await run(['token', 'create', 'editor@nashra.test', '--scope', 'write'])).trim();
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses new connections, finishes in-flight requests, sends live readers away, and exits 0', async () => {
    server = await startNashra({ ...env, LOG_LEVEL: 'info' });
    const base = server.url;
    let log = '';
    server.child.stderr.on('data', (d: Buffer) => (log += d));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      server!.child.once('exit', (code, signal) => r({ code, signal })),
    );
    const authed = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const coverageRes = await fetch(`${base}/api/v1/live`, { method: 'POST', headers: authed, body: JSON.stringify({ title: 'تغطية قبل الإيقاف' }) });
    expect(coverageRes.status).toBe(201);
    const coverage = (await coverageRes.json()) as { slug: string };
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // A live reader, holding its stream open.
    const frames: string[] = [];
    let streamEnded = false;
    await new Promise<void>((resolve, reject) => {
      const req = httpGet(`${base}/live/${encodeURIComponent(coverage.slug)}/events`, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
        expect(res.statusCode).toBe(200);
        res.setEncoding('utf8');
        res.on('data', (d: string) => frames.push(d));
        res.once('close', () => (streamEnded = true));
        resolve();
      });
      req.once('error', reject);
    });
    await until(() => frames.join('').includes('retry: 3000'), 'the stream preamble');

    // An upload in flight: the headers and half the body sent.
    const body = JSON.stringify({ headline: 'خبر أُرسل أثناء الإيقاف', body: [{ type: 'paragraph', spans: [{ text: 'نص الخبر كاملاً.' }] }], section: 'سياسة', timeZone: 'Asia/Damascus', city: 'دمشق' });
    const bytes = Buffer.from(body);
    const upload = await rawRequest(base);
    const host = new URL(base).host;
    upload.send(`POST /api/v1/articles HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`);
    upload.socket.write(bytes.subarray(0, 40));
    // A readiness probe in flight too: only half its head sent.
    const probe = await rawRequest(base);
    probe.send(`GET /readyz HTTP/1.1\r\nHost: ${host}\r\n`);
    // A round trip on another connection, so the server has surely read both partial requests
    // (a connection it has read nothing from is idle, and closing closes idle connections).
    expect((await fetch(`${base}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);

    server.child.kill('SIGTERM');

    // The live reader is told why its stream ends, so it reconnects (to another instance) at once.
    await until(() => streamEnded, 'the live stream to end');
    expect(frames.join('')).toContain('event: retry\ndata: {"reason":"shutdown"}\n\n');
    // The listener is closed: a load balancer's new connections go elsewhere.
    await until(() => refused(base), 'new connections to be refused');

    // The in-flight requests still get their answers: the probe says "not me", the upload is saved.
    probe.send('\r\n');
    const probeAnswer = await probe.response();
    expect(probeAnswer).toMatch(/^HTTP\/1\.1 503 /);
    expect(probeAnswer).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(probeAnswer).toContain('"reason":"shutting down"');
    upload.socket.write(bytes.subarray(40));
    const uploadAnswer = await upload.response();
    expect(uploadAnswer).toMatch(/^HTTP\/1\.1 201 /);
    const created = JSON.parse(uploadAnswer.slice(uploadAnswer.indexOf('\r\n\r\n') + 4)) as { id: number; headline: string };
    expect(created.headline).toBe('خبر أُرسل أثناء الإيقاف');

    // Exit 0 means it finished within the grace period: past it, the process exits 1 by itself.
    expect(await exit, log).toEqual({ code: 0, signal: null });

    // The write it acknowledged while draining is there after the next start.
    server = await startNashra(env);
    const again = await fetch(`${server.url}/api/v1/articles/${created.id}`, { headers: authed });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { headline: string }).headline).toBe('خبر أُرسل أثناء الإيقاف');
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  }, 90_000);
});
