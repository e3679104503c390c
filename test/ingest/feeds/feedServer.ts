import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local feed server for ingest tests: each path answers with a handler the test sets. */
export interface FeedServer {
  url(path: string): string;
  /** Sets what a path answers; requests to unknown paths get 404. */
  route(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  /** Requests seen per path, with their headers, in order. */
  seen(path: string): IncomingMessage['headers'][];
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const log = new Map<string, IncomingMessage['headers'][]>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    log.set(path, [...(log.get(path) ?? []), req.headers]);
    const h = routes.get(path);
    if (!h) return void res.writeHead(404).end();
    h(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    route: (path, handler) => void routes.set(path, handler),
    seen: (path) => log.get(path) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers `body` with an ETag, and 304 to a request that sends that ETag back. */
export function withEtag(body: string, type: string, etag: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-type': type, etag }).end(body);
  };
}

export const send = (body: string, type = 'application/rss+xml; charset=utf-8', status = 200) => (_req: IncomingMessage, res: ServerResponse) =>
  void res.writeHead(status, { 'content-type': type }).end(body);

export interface FixtureItem {
  id?: string;
  title: string;
  link?: string;
  html?: string;
  date?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function rss(items: FixtureItem[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>وكالة الاختبار</title><link>https://agency.test/</link><description>x</description>
${items
  .map(
    (i) => `<item><title>${esc(i.title)}</title>${i.link ? `<link>${esc(i.link)}</link>` : ''}${i.id ? `<guid isPermaLink="false">${esc(i.id)}</guid>` : ''}
<description>${esc(i.html ?? '')}</description>${i.date ? `<pubDate>${new Date(i.date).toUTCString()}</pubDate>` : ''}</item>`,
  )
  .join('\n')}
</channel></rss>`;
}

export function atom(items: FixtureItem[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>شريك أتوم</title><id>urn:test:atom</id><updated>2026-11-29T10:00:00Z</updated>
${items
  .map(
    (i) => `<entry><id>${esc(i.id ?? i.link ?? '')}</id><title>${esc(i.title)}</title>${i.link ? `<link rel="alternate" href="${esc(i.link)}"/>` : ''}
<updated>${i.date ?? '2026-11-29T10:00:00Z'}</updated><content type="html">${esc(i.html ?? '')}</content></entry>`,
  )
  .join('\n')}
</feed>`;
}

export function jsonFeed(items: FixtureItem[]): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'شريك جيسون',
    items: items.map((i) => ({ id: i.id ?? i.link, url: i.link, title: i.title, content_html: i.html, date_published: i.date })),
  });
}
