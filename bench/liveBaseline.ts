/**
 * The baseline of bench/live.ts: a bare node:http Server-Sent Events fan-out, forked as its own
 * process so its memory and CPU are measured the way Nashra's are. No database, no framework,
 * no auth: a POST numbers the entry and writes one frame of Nashra's shape and size to every
 * open stream in one loop. It is as fast and as small as this machine and Node do SSE, so
 * Nashra's numbers are read against it.
 *
 * BENCH_FRAME_BYTES pads each frame to the size of the one Nashra sent in the same run.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const frameBytes = Number(process.env.BENCH_FRAME_BYTES ?? 0);
const streams = new Set<ServerResponse>();
let lastEventId = 0;

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

function frame(text: string): string {
  const eventId = ++lastEventId;
  const createdAt = new Date().toISOString();
  const entry = { id: eventId, createdAt, editedAt: null, keyEvent: false, pinned: false, blocks: [{ type: 'paragraph', spans: [{ text }] }] };
  const html = `<article class="live-entry" id="entry-${eventId}"><time datetime="${createdAt}"></time><p>${escapeHtml(text)}</p></article>`;
  const build = (pad: string) =>
    `id: ${eventId}\nevent: live\ndata: ${JSON.stringify({ eventId, type: 'entry.created', entry, html: pad ? html.replace('<p>', `<p data-pad="${pad}">`) : html })}\n\n`;
  const plain = build('');
  const missing = frameBytes - Buffer.byteLength(plain);
  return missing > 16 ? build('x'.repeat(missing - 11)) : plain;
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/events')) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
    return;
  }
  if (req.method === 'POST' && req.url === '/entries') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (s: string) => (body += s));
    req.on('end', () => {
      // Encoded once, not once per stream: the cheapest write node:http offers.
      const data = Buffer.from(frame((JSON.parse(body) as { text: string }).text));
      for (const s of streams) s.write(data);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: lastEventId, eventId: lastEventId }));
    });
    return;
  }
  res.writeHead(404).end();
});
// The same heartbeat as Nashra's streams, so both carry the same idle traffic.
setInterval(() => {
  for (const s of streams) s.write(':\n\n');
}, 15_000).unref();

server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
  process.exit(0);
});
