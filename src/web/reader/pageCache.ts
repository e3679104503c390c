import { createHash } from 'node:crypto';
import { Socket } from 'node:net';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** One body in every encoding we serve, compressed once so hits only pick a buffer. */
export interface Encoded {
  identity: Buffer;
  br: Buffer;
  gzip: Buffer;
  /** The quoted hash without the closing quote; each encoding appends its own suffix. */
  etagBase: string;
}

export async function encode(body: string | Buffer): Promise<Encoded> {
  const identity = typeof body === 'string' ? Buffer.from(body) : body;
  const [br, gzipped] = await Promise.all([
    brotli(identity, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 10,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
    gz(identity, { level: 9 }),
  ]);
  const etagBase = `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}`;
  return { identity, br, gzip: gzipped, etagBase };
}

type Coding = 'br' | 'gzip' | 'identity';

/** br > gzip > identity, honouring `q=0` (a client may refuse one explicitly) and `*`. */
export function pickEncoding(header: string | undefined): Coding {
  if (!header) return 'identity';
  let br: boolean | undefined;
  let gzipOk: boolean | undefined;
  let star: boolean | undefined;
  for (const part of header.split(',')) {
    const semi = part.indexOf(';');
    const name = (semi < 0 ? part : part.slice(0, semi)).trim().toLowerCase();
    const ok = semi < 0 || !/q\s*=\s*0(\.0*)?\s*$/i.test(part.slice(semi + 1));
    if (name === 'br') br = ok;
    else if (name === 'gzip' || name === 'x-gzip') gzipOk = ok;
    else if (name === '*') star = ok;
  }
  // `*` stands for the codings the header does not name.
  if ((br ?? star) === true) return 'br';
  if ((gzipOk ?? star) === true) return 'gzip';
  return 'identity';
}

const SUFFIX: Record<Coding, string> = { br: '-br"', gzip: '-gz"', identity: '"' };

/**
 * Sends a precompressed body. Content-Encoding is set here, so @fastify/compress leaves the
 * payload alone (it skips replies that already carry one).
 */
export function sendEncoded(
  req: FastifyRequest,
  reply: FastifyReply,
  body: Encoded,
  contentType: string,
  cacheControl: string,
  status = 200,
): FastifyReply {
  const coding = pickEncoding(req.headers['accept-encoding']);
  const etag = body.etagBase + SUFFIX[coding];
  reply.header('vary', 'Accept-Encoding').header('cache-control', cacheControl);
  if (status === 200) {
    reply.header('etag', etag);
    const inm = req.headers['if-none-match'];
    // Weak comparison (RFC 9110 §13.1.2): any encoding of the same body counts as a match.
    if (inm && (inm.includes(body.etagBase) || inm.trim() === '*')) return reply.code(304).send();
  }
  if (coding !== 'identity') reply.header('content-encoding', coding);
  return reply.code(status).header('content-type', contentType).send(body[coding]);
}

export interface Rendered {
  html: string;
  status?: 200 | 404;
  /** The article's current slug, kept so a hit can answer the 301 for an old URL without a query. */
  slug?: string;
  /** Surrogate keys naming what the page shows (src/domain/surrogateKeys.ts), for CDN purges. */
  keys?: readonly string[];
  /** UTC ISO instant the shown content last changed, for `Last-Modified`; absent: not sent. */
  lastModified?: string;
}

export interface Page extends Encoded {
  status: 200 | 404;
  slug: string | undefined;
  version: string;
}

/**
 * Rendered pages keyed by a normalised path. An entry is good only while the content version
 * it was rendered under is current. The version is checked for every request (see
 * #currentVersion), so writes made by another process (the CLI importer) show up at once;
 * events from this process clear the cache too.
 */
export class PageCache {
  readonly #pages = new Map<string, Page>();
  readonly #pending = new Map<string, Promise<Page | undefined>>();
  readonly unsubscribe: () => void;

  #version: Promise<string> | undefined;

  constructor(
    private readonly services: Services,
    private readonly maxEntries = 500,
  ) {
    this.unsubscribe = services.events.subscribe(() => {
      this.#pages.clear();
      this.#version = undefined;
    });
  }

  /**
   * The content version, read at most once per event-loop turn for requests off the network.
   * Those handled in one turn were already received when the read ran (they came out of the
   * same poll), so a write that finished before any of them arrived is still seen; a busy server
   * reads once per batch instead of once per request, which was half the cost of a cache hit.
   * In-process callers (`inject`) have no such ordering and always read.
   */
  #currentVersion(shared: boolean): Promise<string> {
    if (!shared) return this.services.reader.contentVersion();
    if (!this.#version) {
      this.#version = this.services.reader.contentVersion();
      setImmediate(() => (this.#version = undefined));
      // A failed read must not stick for the rest of the turn.
      this.#version.catch(() => (this.#version = undefined));
    }
    return this.#version;
  }

  /** The page for `key`, rendering it on a miss; undefined when `render` finds nothing (a 404). */
  async get(req: FastifyRequest, key: string, render: () => Promise<Rendered | undefined>): Promise<Page | undefined> {
    const version = await this.#currentVersion(req.raw.socket instanceof Socket);
    const hit = this.#pages.get(key);
    if (hit && hit.version === version) {
      // Re-inserting moves the key to the end of the Map's order: oldest-used goes first.
      this.#pages.delete(key);
      this.#pages.set(key, hit);
      return hit;
    }
    // Concurrent misses for one page share a single render.
    const pendingKey = `${version}\n${key}`;
    let pending = this.#pending.get(pendingKey);
    if (!pending) {
      pending = this.#render(key, version, render).finally(() => this.#pending.delete(pendingKey));
      this.#pending.set(pendingKey, pending);
    }
    return pending;
  }

  async #render(key: string, version: string, render: () => Promise<Rendered | undefined>) {
    const out = await render();
    if (!out) return undefined;
    const page: Page = { ...(await encode(out.html)), status: out.status ?? 200, slug: out.slug, version };
    // The version was read before rendering, so a write made meanwhile makes this entry stale, not wrong.
    this.#pages.delete(key);
    this.#pages.set(key, page);
    if (this.#pages.size > this.maxEntries) this.#pages.delete(this.#pages.keys().next().value!);
    return page;
  }
}

export const HTML = 'text/html; charset=utf-8';
export const PAGE_CACHE_CONTROL = 'public, max-age=60';

export function sendPage(req: FastifyRequest, reply: FastifyReply, page: Page): FastifyReply {
  return sendEncoded(req, reply, page, HTML, page.status === 200 ? PAGE_CACHE_CONTROL : 'no-cache', page.status);
}
