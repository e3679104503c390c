import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveCoverage } from '../../src/domain/live.js';
import type { Actor } from '../../src/domain/user.js';
import { createServices, type Services } from '../../src/services/index.js';
import { buildApp } from '../../src/web/app.js';
import { liveHubOf } from '../../src/web/reader/liveStream.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { SseClient } from '../helpers/sse.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

async function serve(services: Services): Promise<{ app: FastifyInstance; base: string }> {
  const app = await buildApp({ services });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return { app, base: `http://127.0.0.1:${addr.port}` };
}

describe.each(storeTargets())('live stream and polling over HTTP on $name', (target) => {
  let site: TestSite;
  let s: Services;
  let app: FastifyInstance;
  let base: string;
  let editor: Actor;
  let n = 0;
  const clients: SseClient[] = [];
  const open = () => s.live.createCoverage(editor, { title: `غارات على ريف حلب ${++n}`, timeZone: 'Asia/Beirut', city: 'بيروت' });
  const sse = async (c: Pick<LiveCoverage, 'slug' | 'id'> | string, headers: Record<string, string> = {}, query = '') => {
    const path = typeof c === 'string' ? c : encodeURIComponent(c.slug);
    const client = await SseClient.open(`${base}/live/${path}/events${query}`, headers);
    clients.push(client);
    return client;
  };
  const post = (c: LiveCoverage, text: string) => s.live.postEntry(editor, c.id, { text });

  beforeAll(async () => {
    site = await openTestSite(target);
    s = site.services;
    editor = actorFor(await insertTestUser(s.store, 'editor', 'ليلى'));
    ({ app, base } = await serve(s));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await app.close();
    await site.dispose();
  });

  it('sends a posted entry to two connected readers exactly once, then its edit and deletion', async () => {
    const c = await open();
    const a = await sse(c);
    const b = await sse(String(c.id)); // by numeric id too
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(a.headers['cache-control']).toBe('no-store');
    expect(a.headers['x-accel-buffering']).toBe('no');
    expect(a.headers['x-content-type-options']).toBe('nosniff');
    await a.waitFor(() => a.body.startsWith('retry: 3000\n\n'), 5000, 'the preamble');

    const created = await post(c, 'سقوط <b>قذائف</b> على الأحياء الشرقية');
    const edited = await s.live.editEntry(editor, c.id, created.entryId!, { text: 'سقوط قذائف على الأحياء الشرقية والغربية', keyEvent: true });
    const deleted = await s.live.deleteEntry(editor, c.id, created.entryId!);
    for (const r of [a, b]) {
      await r.waitFor(() => r.liveIds().length >= 3, 10_000, 'three events');
      expect(r.liveIds()).toEqual([1, 2, 3]);
      expect(r.messages.filter((m) => m.event === 'live').map((m) => m.id)).toEqual(['1', '2', '3']);
      const [e1, e2, e3] = r.live();
      expect(e1).toMatchObject({ eventId: created.eventId, type: 'entry.created', entry: { id: created.entryId, keyEvent: false, pinned: false, editedAt: null } });
      expect(Object.keys(e1!.entry as object).sort()).toEqual(['blocks', 'createdAt', 'editedAt', 'id', 'keyEvent', 'pinned']);
      // The page's own markup, escaped, with the time in the coverage's zone.
      expect(e1!.html).toMatch(new RegExp(`^<article class="live-entry" id="entry-${created.entryId}"`));
      expect(e1!.html).toContain('&lt;b>قذائف&lt;/b>');
      expect(e1!.html).toContain('ليلى');
      expect(e2).toMatchObject({ eventId: edited.eventId, type: 'entry.updated', entry: { keyEvent: true } });
      expect(e2!.html).toContain('key-event');
      expect(e3).toEqual({ eventId: deleted.eventId, type: 'entry.deleted', entryId: created.entryId });
    }
    // Nothing more arrives for the same events (no duplicates from a later event either).
    await post(c, 'تحديث رابع');
    await a.waitFor(() => a.liveIds().length >= 4);
    expect(a.liveIds()).toEqual([1, 2, 3, 4]);
  });

  it('replays exactly the missed events after Last-Event-ID (or ?after=), then continues live', async () => {
    const c = await open();
    for (let i = 1; i <= 6; i++) await post(c, `خبر ${i}`);
    const r = await sse(c, { 'last-event-id': '3' });
    await r.waitFor(() => r.liveIds().length >= 3);
    await post(c, 'خبر 7');
    await r.waitFor(() => r.liveIds().length >= 4);
    expect(r.liveIds()).toEqual([4, 5, 6, 7]);
    expect(r.messages.some((m) => m.event === 'resync')).toBe(false);

    const q = await sse(c, {}, '?after=5');
    await q.waitFor(() => q.liveIds().length >= 2);
    expect(q.liveIds()).toEqual([6, 7]);
    // The header wins over the query, as a reconnecting EventSource keeps its original URL.
    const h = await sse(c, { 'last-event-id': '6' }, '?after=0');
    await h.waitFor(() => h.liveIds().length >= 1);
    await post(c, 'خبر 8');
    await h.waitFor(() => h.liveIds().length >= 2);
    expect(h.liveIds()).toEqual([7, 8]);
    // No position: from now, nothing replayed.
    const now = await sse(c);
    await post(c, 'خبر 9');
    await now.waitFor(() => now.liveIds().length >= 1);
    expect(now.liveIds()).toEqual([9]);
  });

  it('answers a position the coverage never issued with resync, never an error', async () => {
    const c = await open();
    await post(c, 'أول');
    await post(c, 'ثان');
    for (const bogus of ['abc', '-1', '999999', '1.5', '']) {
      const r = await sse(c, { 'last-event-id': bogus });
      expect(r.status, bogus).toBe(200);
      await r.waitFor(() => r.messages.some((m) => m.event), 5000, `resync for ${bogus}`);
      expect(r.messages.find((m) => m.event), bogus).toEqual({ id: '2', event: 'resync', data: '{"lastEventId":2}' });
      r.close();
    }
    const q = await sse(c, {}, '?after=zz');
    await q.waitFor(() => q.messages.some((m) => m.event));
    expect(q.messages.find((m) => m.event)!.event).toBe('resync');
    await post(c, 'ثالث');
    await q.waitFor(() => q.liveIds().length >= 1);
    expect(q.liveIds()).toEqual([3]);
  });

  it('answers an unknown coverage with a 404 in JSON', async () => {
    for (const path of ['/live/لا-توجد/events', '/live/99999/events', '/live/لا-توجد/updates?after=0']) {
      const res = await fetch(base + encodeURI(path));
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect((await res.json()).error).toBe('التغطية غير موجودة');
    }
  });

  it('closes every stream with coverage.ended, and replays the end to readers who come later', async () => {
    const c = await open();
    await post(c, 'قبل النهاية');
    const live = [await sse(c), await sse(c)];
    await post(c, 'آخر خبر');
    const ended = await s.live.endCoverage(editor, c.id);
    for (const r of live) {
      await r.waitForEnd();
      expect(r.liveIds()).toEqual([2, 3]);
      expect(r.live().at(-1)).toEqual({ eventId: ended.eventId, type: 'coverage.ended', endedAt: ended.payload.endedAt });
    }
    const late = await sse(c, { 'last-event-id': '1' });
    await late.waitForEnd();
    expect(late.liveIds()).toEqual([2, 3]);
    // A reader that already has everything still learns the coverage ended, so it stops reconnecting.
    const again = await sse(c, { 'last-event-id': '3' });
    await again.waitForEnd();
    expect(again.liveIds()).toEqual([3]);
  });

  it('sends open streams away to retry when the bus is unavailable, and refuses new ones with 503', async () => {
    const c = await open();
    const r = await sse(c);
    await r.waitFor(() => r.body.startsWith('retry: 3000'));
    s.liveBus.setAvailable(false);
    try {
      await r.waitForEnd();
      expect(r.messages.at(-1)).toEqual({ event: 'retry', data: '{"reason":"unavailable"}' });
      const res = await fetch(`${base}/live/${encodeURIComponent(c.slug)}/events`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect((await res.json()).error).toBeTruthy();
    } finally {
      s.liveBus.setAvailable(true);
    }
    const back = await sse(c);
    expect(back.status).toBe(200);
    await post(c, 'عاد البث');
    await back.waitFor(() => back.liveIds().length >= 1);
    expect(back.liveIds()).toEqual([1]);
  });

  it('drops a reader that stops reading, while a normal reader still gets every event', async () => {
    const c = await open();
    const normal = await sse(c);
    const slow = connect(Number(new URL(base).port), '127.0.0.1');
    slow.on('error', () => {});
    await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
    slow.write(`GET /live/${encodeURIComponent(c.slug)}/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
    slow.pause(); // never read: the kernel buffers fill, then the server's
    const hub = liveHubOf(s)!;
    const before = hub.stats().dropped;
    const big = 'عاجل: '.padEnd(19_000, 'خبر طويل جدا ');
    let posted = 0;
    while (hub.stats().dropped === before && posted < 1000) {
      await post(c, `${posted} ${big}`);
      posted++;
      // A normal reader keeps pace (here it shares the test's event loop, so it is given the turn).
      await normal.waitFor(() => normal.liveIds().length >= posted, 30_000, `event ${posted}`);
    }
    expect(hub.stats().dropped).toBe(before + 1);
    expect(normal.ended).toBe(false);
    console.log(`slow reader dropped after ${posted} entries of ~19,000 characters`);
    expect(normal.liveIds()).toEqual(Array.from({ length: posted }, (_, i) => i + 1));
    slow.destroy();
  }, 120_000);

  it('replays the missed events once after a restart of the server on the same database', async () => {
    const c = await open();
    const before = createServices(s.store, site.config);
    const first = await serve(before);
    const r = await SseClient.open(`${first.base}/live/${encodeURIComponent(c.slug)}/events`);
    clients.push(r);
    await before.live.postEntry(editor, c.id, { text: 'قبل الإغلاق' });
    await r.waitFor(() => r.liveIds().length >= 1);
    await first.app.close(); // must not hang on the open stream
    await r.waitForEnd();
    expect(r.messages.at(-1)).toEqual({ event: 'retry', data: '{"reason":"shutdown"}' });
    await post(c, 'أثناء التوقف 1');
    await post(c, 'أثناء التوقف 2');
    const second = await serve(createServices(s.store, site.config));
    try {
      const again = await SseClient.open(`${second.base}/live/${encodeURIComponent(c.slug)}/events`, { 'last-event-id': r.messages.filter((m) => m.event === 'live').at(-1)!.id! });
      clients.push(again);
      await again.waitFor(() => again.liveIds().length >= 2);
      expect(again.liveIds()).toEqual([2, 3]);
      expect(again.live().map((e) => e.type)).toEqual(['entry.created', 'entry.created']);
    } finally {
      await second.app.close();
    }
  });

  it('fills a gap from the database when an event arrives before its predecessor', async () => {
    const c = await open();
    await post(c, 'أول');
    const r = await sse(c);
    // Another instance commits two events this process hears nothing of...
    const elsewhere = createServices(s.store, site.config);
    const e2 = await elsewhere.live.postEntry(editor, c.id, { text: 'ثان من خادم آخر' });
    const e3 = await elsewhere.live.postEntry(editor, c.id, { text: 'ثالث من خادم آخر' });
    // ...until the later one arrives first, then the earlier one, then the later one again.
    s.liveBus.deliver(e3);
    s.liveBus.deliver(e2);
    s.liveBus.deliver(e3);
    await r.waitFor(() => r.liveIds().length >= 2);
    await post(c, 'رابع');
    await r.waitFor(() => r.liveIds().length >= 3);
    expect(r.liveIds()).toEqual([2, 3, 4]);
    expect(r.live()[0]!.html).toContain('ثان من خادم آخر');
  });

  describe('/updates', () => {
    const url = (c: LiveCoverage, q: string) => `${base}/live/${encodeURIComponent(c.slug)}/updates${q}`;

    it('answers the events after `after` as JSON with cache headers, an ETag and 304', async () => {
      const c = await open();
      const p1 = await post(c, 'أول');
      await post(c, 'ثان');
      await s.live.deleteEntry(editor, c.id, p1.entryId!);
      const res = await fetch(url(c, '?after=1'));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=2, stale-while-revalidate=30');
      expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
      const etag = res.headers.get('etag')!;
      expect(etag).toMatch(/^"[^"]+"$/);
      const body = await res.json();
      expect(body).toMatchObject({
        coverage: { id: c.id, slug: c.slug, status: 'live', lastEventId: 3 },
        resync: false,
        lastEventId: 3,
        more: false,
      });
      expect(body.events.map((e: { eventId: number; type: string }) => [e.eventId, e.type])).toEqual([
        [2, 'entry.created'],
        [3, 'entry.deleted'],
      ]);
      expect(body.events[0].html).toMatch(/^<article class="live-entry"/);

      const same = await fetch(url(c, '?after=1'), { headers: { 'if-none-match': etag } });
      expect(same.status).toBe(304);
      expect(same.headers.get('etag')).toBe(etag);
      await post(c, 'ثالث');
      const changed = await fetch(url(c, '?after=1'), { headers: { 'if-none-match': etag } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);

      const none = await (await fetch(url(c, '?after=4'))).json();
      expect(none).toMatchObject({ resync: false, lastEventId: 4, events: [], more: false });
    });

    it('pages long backlogs with `more`', async () => {
      const c = await open();
      for (let i = 0; i < 55; i++) await post(c, `خبر ${i}`);
      const page1 = await (await fetch(url(c, '?after=0'))).json();
      expect(page1.events).toHaveLength(50);
      expect(page1).toMatchObject({ more: true, lastEventId: 50 });
      const page2 = await (await fetch(url(c, `?after=${page1.lastEventId}`))).json();
      expect(page2.events.map((e: { eventId: number }) => e.eventId)).toEqual([51, 52, 53, 54, 55]);
      expect(page2.more).toBe(false);
    });

    it('answers a bad `after` with a resync, and an ended coverage with its status', async () => {
      const c = await open();
      await post(c, 'أول');
      for (const q of ['?after=abc', '?after=-1', '?after=999', '', '?after=1&after=2']) {
        const res = await fetch(url(c, q));
        expect(res.status, q).toBe(200);
        expect(await res.json(), q).toMatchObject({ resync: true, lastEventId: 1, events: [], more: false });
      }
      expect((await fetch(url(c, '?after=0&format=xml'))).status).toBe(400);
      await s.live.endCoverage(editor, c.id);
      const ended = await (await fetch(url(c, '?after=1'))).json();
      expect(ended).toMatchObject({ coverage: { status: 'ended', lastEventId: 2 }, events: [{ eventId: 2, type: 'coverage.ended' }] });
    });

    it('answers ?format=html with the entries\' markup and deletions as templates', async () => {
      const c = await open();
      const p1 = await post(c, 'خبر <script>alert(1)</script>');
      await post(c, 'ثان');
      await s.live.deleteEntry(editor, c.id, p1.entryId!);
      const res = await fetch(url(c, '?after=0&format=html'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toMatch(/^<div class="live-updates" data-last-event-id="3" data-status="live" data-resync="false" data-more="false">/);
      expect(html).toContain(`<article class="live-entry" id="entry-${p1.entryId}"`);
      expect(html).toContain('&lt;script>');
      expect(html).not.toContain('<script>');
      expect(html).toMatch(new RegExp(`<template data-deleted-entry="${p1.entryId}"></template></div>$`));
      const json = await fetch(url(c, '?after=0'));
      expect(json.headers.get('etag')).not.toBe(res.headers.get('etag'));
    });
  });
});
