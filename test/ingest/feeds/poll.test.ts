import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/domain/user.js';
import { startIngestPoller } from '../../../src/services/ingest.js';
import { openTestSite, storeTargets, type TestSite } from '../../helpers/services.js';
import { actorFor, insertTestUser } from '../../helpers/users.js';
import { atom, jsonFeed, rss, send, startFeedServer, withEtag, type FeedServer } from './feedServer.js';

const cli: Actor = { user: null, label: 'cli', ip: null };

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(() => server.close());

describe.each(storeTargets())('feed polling (%s)', (target) => {
  let site: TestSite;
  beforeEach(async () => {
    site = await openTestSite(target);
  });
  afterEach(() => site.dispose());

  const add = (path: string, name = path) => site.services.ingest.addSource(cli, { name, url: server.url(path), every: '5m' });
  const row = (id: number) => site.services.store.db.selectFrom('ingest_sources').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it.each([
    ['RSS 2.0', rss, 'application/rss+xml'],
    ['Atom', atom, 'application/atom+xml'],
    ['JSON Feed', jsonFeed, 'application/feed+json'],
  ] as const)('reads %s items into the queue, newest first, deduplicated across polls', async (kind, build, type) => {
    const path = `/dedupe-${kind.replace(/\W/g, '')}.feed`;
    const first = [
      { id: 'a-1', title: 'الخبر الأول', link: 'https://agency.test/1', html: '<p>نص <b>الخبر</b> الأول</p>', date: '2026-11-29T08:00:00Z' },
      { id: 'a-2', title: 'الخبر الثاني', link: 'https://agency.test/2', html: '<p>نص الخبر الثاني</p>', date: '2026-11-29T09:00:00Z' },
    ];
    server.route(path, send(build(first), type));
    const source = await add(path, kind);
    expect(await site.services.ingest.pollDue()).toEqual([{ sourceId: source.id, status: 'ok', added: 2, seen: 2 }]);

    // The same items again, plus one new: only the new one is added.
    server.route(path, send(build([...first, { id: 'a-3', title: 'الخبر الثالث', link: 'https://agency.test/3', html: '<p>ثالث</p>', date: '2026-11-29T10:00:00Z' }]), type));
    expect(await site.services.ingest.pollNow(cli, source.id)).toEqual([{ sourceId: source.id, status: 'ok', added: 1, seen: 3 }]);

    const queue = await site.services.ingest.queue(cli);
    expect(queue.map((i) => i.title)).toEqual(['الخبر الثالث', 'الخبر الثاني', 'الخبر الأول']);
    expect(queue[2]).toMatchObject({ sourceName: kind, link: 'https://agency.test/1', excerpt: 'نص الخبر الأول', publishedAt: '2026-11-29T08:00:00.000Z' });
    const health = await site.services.ingest.source(cli, source.id);
    expect(health).toMatchObject({ lastError: null, failures: 0, lastSuccessAt: expect.any(String) });
  });

  it('dedupes by link when an item has no GUID', async () => {
    server.route('/noguid.xml', send(rss([{ title: 'بلا معرّف', link: 'https://agency.test/x', html: 'نص' }])));
    const s = await add('/noguid.xml');
    await site.services.ingest.pollNow(cli, s.id);
    expect(await site.services.ingest.pollNow(cli, s.id)).toEqual([{ sourceId: s.id, status: 'ok', added: 0, seen: 1 }]);
    expect(await site.services.ingest.queue(cli)).toHaveLength(1);
  });

  it('sends the stored ETag back and does nothing on 304', async () => {
    server.route('/etag.xml', withEtag(rss([{ id: 'e1', title: 'خبر', link: 'https://agency.test/e1', html: 'نص' }]), 'application/rss+xml', '"v1"'));
    const s = await add('/etag.xml');
    await site.services.ingest.pollNow(cli, s.id);
    const before = await row(s.id);
    expect(before.etag).toBe('"v1"');
    expect(await site.services.ingest.pollNow(cli, s.id)).toEqual([{ sourceId: s.id, status: 'not-modified' }]);
    const seen = server.seen('/etag.xml');
    expect(seen[0]!['if-none-match']).toBeUndefined();
    expect(seen.at(-1)!['if-none-match']).toBe('"v1"');
    expect(await site.services.ingest.queue(cli)).toHaveLength(1);
    const after = await row(s.id);
    expect(after).toMatchObject({ etag: '"v1"', failures: 0, last_error: null });
  });

  it('sends Last-Modified back as If-Modified-Since', async () => {
    const lm = 'Sun, 29 Nov 2026 08:00:00 GMT';
    server.route('/lm.xml', (req, res) => {
      if (req.headers['if-modified-since'] === lm) return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'last-modified': lm }).end(rss([{ id: 'l1', title: 'خبر', html: 'نص' }]));
    });
    const s = await add('/lm.xml');
    await site.services.ingest.pollNow(cli, s.id);
    expect(await site.services.ingest.pollNow(cli, s.id)).toEqual([{ sourceId: s.id, status: 'not-modified' }]);
  });

  it('backs off exponentially on errors, shows the error, and resets on success', async () => {
    let fail = true;
    server.route('/flaky.xml', (_req, res) => {
      if (fail) return void res.writeHead(500).end('oops');
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ id: 'f1', title: 'عاد', html: 'نص' }]));
    });
    const s = await add('/flaky.xml');
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [r] = await site.services.ingest.pollNow(cli, s.id);
      expect(r).toMatchObject({ status: 'error', error: 'HTTP 500' });
      const x = await row(s.id);
      waits.push(Date.parse(x.next_poll_at) - Date.parse(x.last_polled_at!));
    }
    expect(waits[1]).toBeGreaterThan(waits[0]!);
    expect(waits[2]).toBeGreaterThan(waits[1]!);
    expect(waits[0]).toBeGreaterThan(300_000);
    expect(await site.services.ingest.source(cli, s.id)).toMatchObject({ lastError: 'HTTP 500', failures: 3, lastSuccessAt: null });

    fail = false;
    await site.services.ingest.pollNow(cli, s.id);
    const ok = await row(s.id);
    expect(ok.failures).toBe(0);
    expect(Date.parse(ok.next_poll_at) - Date.parse(ok.last_polled_at!)).toBe(300_000);
    expect(ok.last_success_at).toBe(ok.last_polled_at);
    // The last error stays visible with its time, beside the newer success.
    expect(ok.last_error).toBe('HTTP 500');
  });

  it('lets one poller claim a source at a time', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const path = `/slow-once-${target.name}.xml`;
    server.route(path, (_req, res) => void gate.then(() => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ id: 's1', title: 'خبر', html: 'نص' }]))));
    const s = await add(path);
    const first = site.services.ingest.pollDue();
    // Wait for the first poll's request to reach the server: the claim is taken by then.
    while (server.seen(path).length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(await site.services.ingest.poll(s.id)).toEqual({ sourceId: s.id, status: 'busy' });
    expect(await site.services.ingest.pollNow(cli, s.id)).toEqual([{ sourceId: s.id, status: 'busy' }]);
    release();
    expect(await first).toEqual([{ sourceId: s.id, status: 'ok', added: 1, seen: 1 }]);
    expect(server.seen(path)).toHaveLength(1);
  });

  it('stops the background loop mid-poll without counting a failure', async () => {
    const path = `/hang-${target.name}.xml`;
    server.route(path, () => {});
    const s = await add(path);
    const poller = startIngestPoller(site.services.ingest, { intervalMs: 50 });
    while (server.seen(path).length === 0) await new Promise((r) => setTimeout(r, 10));
    await poller.stop();
    expect(await row(s.id)).toMatchObject({ claimed_until: null, failures: 0, last_error: null, last_error_at: null });
    // Still due: the next server start polls it at once.
    expect(Date.parse((await row(s.id)).next_poll_at)).toBeLessThanOrEqual(Date.now());
  });

  it('makes one draft of two concurrent takes', async () => {
    server.route('/race.xml', send(rss([{ id: 'r1', title: 'خبر السباق', link: 'https://agency.test/r1', html: '<p>نص</p>' }])));
    const s = await add('/race.xml', 'وكالة السباق');
    await site.services.ingest.pollNow(cli, s.id);
    const [item] = await site.services.ingest.queue(cli);
    const a = actorFor(await insertTestUser(site.services.store, 'editor'));
    const b = actorFor(await insertTestUser(site.services.store, 'admin'));
    const [x, y] = await Promise.all([site.services.ingest.take(a, item!.id), site.services.ingest.take(b, item!.id)]);
    expect(x.articleId).toBe(y.articleId);
    expect([x.created, y.created].sort()).toEqual([false, true]);
    const n = await site.services.store.db.selectFrom('articles').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
    await expect(site.services.ingest.take(actorFor(await insertTestUser(site.services.store, 'contributor')), item!.id)).rejects.toThrow('للمحررين');
    await expect(site.services.ingest.dismiss(a, item!.id)).rejects.toThrow('أُخذ');
  });

  it('stores item HTML only through the allow-list sanitizer', async () => {
    const html = '<p onclick="steal()">نص <script>alert(1)</script><a href="javascript:alert(2)">رابط</a> <a href="https://ok.test/">آمن</a></p><iframe src="https://evil.test"></iframe><img src=x onerror=alert(3)>';
    server.route('/xss.xml', send(rss([{ id: 'x1', title: 'عنوان <b>عريض</b>', link: 'javascript:alert(4)', html }])));
    const s = await add('/xss.xml');
    await site.services.ingest.pollNow(cli, s.id);
    const item = await site.services.store.db.selectFrom('incoming_items').selectAll().executeTakeFirstOrThrow();
    expect(item.link).toBeNull();
    expect(item.body).not.toMatch(/script|onclick|javascript|iframe|onerror|alert/);
    expect(JSON.parse(item.body)).toEqual([{ type: 'paragraph', spans: [{ text: 'نص رابط ' }, { text: 'آمن', href: 'https://ok.test/' }] }]);
    expect(item.excerpt).toBe('نص رابط آمن');
  });
});
