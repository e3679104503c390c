import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/domain/user.js';
import { openTestSite, storeTargets, type TestSite } from '../../helpers/services.js';
import { rss, send, startFeedServer, type FeedServer } from './feedServer.js';

const cli: Actor = { user: null, label: 'cli', ip: null };

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><guid>b1</guid><description>&lol9;</description></item></channel></rss>`;

/** Ten megabytes in 64 KB chunks, with no Content-Length: only counting the stream catches it. */
function huge(res: ServerResponse, declare: boolean) {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  res.writeHead(200, { 'content-type': 'application/rss+xml', ...(declare ? { 'content-length': String(160 * chunk.length) } : {}) });
  let sent = 0;
  const more = () => {
    while (sent < 160) {
      sent++;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end();
  };
  res.write('<rss version="2.0"><channel><title>');
  more();
  res.on('error', () => {});
}

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
  server.route('/good.xml', send(rss([{ id: 'g1', title: 'خبر سليم', link: 'https://agency.test/g1', html: '<p>نص</p>' }])));
  server.route('/huge.xml', (_req, res) => huge(res, false));
  server.route('/huge-declared.xml', (_req, res) => huge(res, true));
  server.route('/malformed.xml', send('<<<this is >< not a feed & at all'));
  server.route('/html.xml', send('<html><body><p>not a feed</p></body></html>', 'text/html'));
  server.route('/laughs.xml', send(BILLION_LAUGHS));
  server.route('/bad.json', send('{"version": "https://jsonfeed.org/version/1.1", "items": ', 'application/feed+json'));
  // A byte every 300 ms, forever: each read arrives well inside any idle timeout.
  server.route('/trickle.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    const t = setInterval(() => res.write(' '), 300);
    res.on('close', () => clearInterval(t));
    res.on('error', () => clearInterval(t));
  });
  server.route('/hang.xml', () => {});
});
afterAll(() => server.close());

describe.each(storeTargets())('hostile feeds (%s)', (target) => {
  let site: TestSite;
  beforeEach(async () => {
    site = await openTestSite(target);
    // A short deadline keeps the slow cases quick; the limit itself is the same code path.
    site.services.ingest.limits = { timeoutMs: 2000, maxBytes: 5 * 1024 * 1024 };
  });
  afterEach(() => site.dispose());

  it.each([
    ['a 10 MB body without Content-Length', '/huge.xml', /larger than 5242880 bytes/],
    ['a 10 MB body that declares its length', '/huge-declared.xml', /larger than 5242880 bytes/],
    ['malformed XML', '/malformed.xml', /not a readable RSS or Atom feed/],
    ['an HTML page', '/html.xml', /not a readable RSS or Atom feed|not an RSS or Atom feed/],
    ['billion laughs', '/laughs.xml', /entity/],
    ['truncated JSON', '/bad.json', /not valid JSON/],
    ['a body trickling in slower than the deadline', '/trickle.xml', /no complete answer within 2 s/],
    ['a server that never answers', '/hang.xml', /no complete answer within 2 s/],
  ])('cuts off %s with an error on that source only', async (_what, path, error) => {
    const { ingest } = site.services;
    const bad = await ingest.addSource(cli, { name: 'معادٍ', url: server.url(path) });
    const good = await ingest.addSource(cli, { name: 'سليم', url: server.url('/good.xml') });
    const results = await ingest.pollDue();
    expect(results).toContainEqual({ sourceId: good.id, status: 'ok', added: 1, seen: 1 });
    const r = results.find((x) => x.sourceId === bad.id)!;
    expect(r).toMatchObject({ status: 'error', error: expect.stringMatching(error) });
    expect(await ingest.source(cli, bad.id)).toMatchObject({ lastError: expect.stringMatching(error), failures: 1, lastSuccessAt: null });
    expect(await ingest.source(cli, good.id)).toMatchObject({ lastError: null, failures: 0 });
    expect((await ingest.queue(cli)).map((i) => i.sourceId)).toEqual([good.id]);
  });
});
