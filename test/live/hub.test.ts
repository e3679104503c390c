import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveCoverage } from '../../src/domain/live.js';
import type { Actor } from '../../src/domain/user.js';
import { LiveHub, type HubOptions, type HubSource } from '../../src/live/hub.js';
import { PREAMBLE } from '../../src/live/sse.js';
import type { Services } from '../../src/services/index.js';
import { LiveEventFormatter } from '../../src/web/reader/liveEventData.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { SseClient, until } from '../helpers/sse.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

/**
 * The hub on a bare node:http server over real services: what it costs (database reads, formats)
 * and how it behaves when events race, repeat or pile up.
 */
describe.each(storeTargets())('LiveHub on $name', (target) => {
  let site: TestSite;
  let s: Services;
  let editor: Actor;
  let n = 0;
  const calls = { replay: 0, format: 0, formatted: 0 };
  const open = () => s.live.createCoverage(editor, { title: `مؤتمر صحفي ${++n}` });
  const post = (c: LiveCoverage, text: string) => s.live.postEntry(editor, c.id, { text });

  beforeAll(async () => {
    site = await openTestSite(target);
    s = site.services;
    editor = actorFor(await insertTestUser(s.store, 'editor'));
  });
  afterAll(() => site.dispose());

  /** A hub serving `/<coverage id>` on a fresh port, its source the real services, counted. */
  async function hubServer(opts: Partial<HubOptions> = {}): Promise<{ hub: LiveHub; url: (c: LiveCoverage) => string; close(): Promise<void> }> {
    const formatter = new LiveEventFormatter(s);
    const source: HubSource = {
      replay: (id, after) => (calls.replay++, s.live.eventsAfter(id, after, 500)),
      format: (events) => ((calls.format++, (calls.formatted += events.length)), formatter.json(events)),
    };
    const hub = new LiveHub({ bus: s.liveBus, source, ...opts });
    const server: Server = createServer(async (req, res) => {
      const c = (await s.live.getCoverage(Number(req.url!.slice(1))))!;
      const raw = req.headers['last-event-id'];
      res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'close' });
      res.write(PREAMBLE);
      hub.connect(res, { coverageId: c.id, lastEventId: c.lastEventId, ended: c.status === 'ended', after: raw === undefined ? c.lastEventId : Number(raw) });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    return {
      hub,
      url: (c) => `http://127.0.0.1:${port}/${c.id}`,
      async close() {
        await hub.close();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  it('formats each event once, however many readers, and writes them the same bytes', async () => {
    const h = await hubServer();
    try {
      const c = await open();
      const readers = await Promise.all(Array.from({ length: 20 }, () => SseClient.open(h.url(c))));
      expect(h.hub.stats()).toMatchObject({ connections: 20, channels: 1 });
      calls.formatted = 0;
      for (let i = 0; i < 5; i++) await post(c, `تصريح ${i}`);
      for (const r of readers) await r.waitFor(() => r.liveIds().length >= 5);
      expect(calls.formatted).toBe(5);
      const first = JSON.stringify(readers[0]!.messages);
      for (const r of readers) {
        expect(r.liveIds()).toEqual([1, 2, 3, 4, 5]);
        expect(JSON.stringify(r.messages)).toBe(first);
        r.close();
      }
      // The last reader leaving unsubscribes the coverage's channel.
      await until(() => h.hub.stats().channels === 0, 5000, 'the channel to close');
      expect(h.hub.stats()).toMatchObject({ connections: 0, channels: 0 });
    } finally {
      await h.close();
    }
  });

  it('drops events it has sent (our own back from Redis) and orders those that race', async () => {
    const h = await hubServer();
    try {
      const c = await open();
      const r = await SseClient.open(h.url(c));
      const e1 = await post(c, 'أول');
      const e2 = await post(c, 'ثان');
      s.liveBus.deliver(e1);
      s.liveBus.deliver(e2);
      s.liveBus.deliver({ ...e1 });
      await post(c, 'ثالث');
      await r.waitFor(() => r.liveIds().length >= 3);
      expect(r.liveIds()).toEqual([1, 2, 3]);
      r.close();
    } finally {
      await h.close();
    }
  });

  it('replays a recent reconnection from memory, without reading the database', async () => {
    const h = await hubServer();
    try {
      const c = await open();
      const a = await SseClient.open(h.url(c));
      for (let i = 0; i < 4; i++) await post(c, `خبر ${i}`);
      await a.waitFor(() => a.liveIds().length >= 4);
      calls.replay = 0;
      calls.format = 0;
      const b = await SseClient.open(h.url(c), { 'last-event-id': '1' });
      await b.waitFor(() => b.liveIds().length >= 3);
      expect(b.liveIds()).toEqual([2, 3, 4]);
      expect(calls).toMatchObject({ replay: 0, format: 0 });
      a.close();
      b.close();
    } finally {
      await h.close();
    }
  });

  it('sends a reader catching up on a long backlog every event once, in order, while new ones arrive', async () => {
    // Few frames kept, so the catch-up goes to the database, in pages, while live frames wait.
    const h = await hubServer({ keepFrames: 8 });
    try {
      const c = await open();
      const watcher = await SseClient.open(h.url(c)); // keeps the channel live throughout
      const backlog = 520; // more than one replay page (500)
      // The watcher shares this event loop: it is given the turn to read after each post.
      const postSeen = async (text: string) => {
        const e = await post(c, text);
        await watcher.waitFor(() => watcher.liveIds().length >= e.eventId);
      };
      for (let i = 0; i < backlog; i++) await postSeen(`خبر ${i}`);
      const late = await SseClient.open(h.url(c), { 'last-event-id': '0' });
      for (let i = 0; i < 10; i++) await postSeen(`خبر جديد ${i}`);
      const total = backlog + 10;
      await late.waitFor(() => late.liveIds().length >= total, 30_000, `${total} events`);
      await watcher.waitFor(() => watcher.liveIds().length >= total, 30_000, `${total} events`);
      expect(late.liveIds()).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(watcher.liveIds()).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      late.close();
      watcher.close();
    } finally {
      await h.close();
    }
  }, 120_000);

  it('writes one heartbeat comment to every reader per interval', async () => {
    const h = await hubServer({ heartbeatMs: 50 });
    try {
      const c = await open();
      const r = await SseClient.open(h.url(c));
      await r.waitFor(() => r.comments >= 2, 5000, 'heartbeats');
      expect(r.messages.filter((m) => m.event)).toEqual([]);
      r.close();
    } finally {
      await h.close();
    }
  });

  it('closes even when a reader has stopped reading', async () => {
    const h = await hubServer();
    const c = await open();
    const { port } = new URL(h.url(c));
    const stuck = connect(Number(port), '127.0.0.1');
    stuck.on('error', () => {});
    stuck.write(`GET /${c.id} HTTP/1.1\r\nHost: x\r\n\r\n`);
    stuck.pause();
    const normal = await SseClient.open(h.url(c));
    await until(() => h.hub.stats().connections === 2, 5000, 'two connections');
    await h.close();
    await normal.waitForEnd();
    expect(normal.messages.at(-1)).toEqual({ event: 'retry', data: '{"reason":"shutdown"}' });
    expect(h.hub.stats().connections).toBe(0);
    stuck.destroy();
  });

  it('tells a reader whose catch-up fails to retry, and keeps serving the others', async () => {
    const errors: unknown[] = [];
    // No frames kept: every catch-up reads the database.
    const h = await hubServer({ keepFrames: 0, onError: (err) => errors.push(err) });
    const source = h.hub.source;
    const replay = source.replay;
    let failNext = false;
    source.replay = (id, after) => {
      if (!failNext) return replay(id, after);
      failNext = false;
      return Promise.reject(new Error('database gone'));
    };
    try {
      const c = await open();
      const ok = await SseClient.open(h.url(c));
      await post(c, 'أول');
      await ok.waitFor(() => ok.liveIds().length >= 1);
      failNext = true;
      const unlucky = await SseClient.open(h.url(c), { 'last-event-id': '0' });
      await unlucky.waitForEnd();
      expect(unlucky.messages.at(-1)).toEqual({ event: 'retry', data: '{"reason":"unavailable"}' });
      expect(errors).toHaveLength(1);
      await post(c, 'ثان');
      await ok.waitFor(() => ok.liveIds().length >= 2);
      expect(ok.liveIds()).toEqual([1, 2]);
      ok.close();
    } finally {
      await h.close();
    }
  });
});
