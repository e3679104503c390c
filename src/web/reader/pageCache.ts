import { createHash } from 'node:crypto';
import { Socket } from 'node:net';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Services } from '../../services/index.js';
import { isDatabaseUnavailable } from '../unavailable.js';

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

/** What a response says about itself beyond its bytes: its surrogate keys and change time. */
export interface Described {
  keys?: readonly string[];
  /** UTC ISO instant; sent as `Last-Modified`. */
  lastModified?: string;
}

/** Fastly reads `Surrogate-Key` (space-separated), Cloudflare and others `Cache-Tag` (commas). */
export function sendKeys(reply: FastifyReply, keys: readonly string[] | undefined): FastifyReply {
  if (keys?.length) reply.header('surrogate-key', keys.join(' ')).header('cache-tag', keys.join(','));
  return reply;
}

/** `Last-Modified` is whole seconds: compare in seconds, or a page changed within the same second as its last send would look newer than itself. */
const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * RFC 9110 §13.2.2: If-None-Match decides when present (weak comparison, §13.1.2: any encoding
 * of the same body matches); If-Modified-Since counts only without it, and only with a
 * Last-Modified to compare against. An unparsable date is ignored, as the RFC asks.
 */
function notModified(req: FastifyRequest, etagBase: string, lastModified: string | undefined): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return inm.includes(etagBase) || inm.trim() === '*';
  const ims = req.headers['if-modified-since'];
  if (ims === undefined || lastModified === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && seconds(Date.parse(lastModified)) <= seconds(since);
}

/**
 * Sends a precompressed body. Content-Encoding is set here, so @fastify/compress leaves the
 * payload alone (it skips replies that already carry one). A 304 keeps every header a cache
 * updates its stored copy from: ETag, Last-Modified, Cache-Control, Vary and the surrogate keys.
 */
export function sendEncoded(
  req: FastifyRequest,
  reply: FastifyReply,
  body: Encoded & Described,
  contentType: string,
  cacheControl: string,
  status = 200,
): FastifyReply {
  const coding = pickEncoding(req.headers['accept-encoding']);
  reply.header('vary', 'Accept-Encoding').header('cache-control', cacheControl);
  sendKeys(reply, body.keys);
  if (status === 200) {
    reply.header('etag', body.etagBase + SUFFIX[coding]);
    if (body.lastModified) reply.header('last-modified', new Date(body.lastModified).toUTCString());
    if (notModified(req, body.etagBase, body.lastModified)) return reply.code(304).send();
  }
  if (coding !== 'identity') reply.header('content-encoding', coding);
  return reply.code(status).header('content-type', contentType).send(body[coding]);
}

const directives = new WeakMap<Config['cache'], string>();

/**
 * Reader pages' Cache-Control from the settings: browsers keep a page `max-age` seconds, a CDN
 * `s-maxage` (purges end it early), and either may serve a stale copy while revalidating or
 * while the origin fails. Built once per settings object: it is on every cache hit's path.
 */
export function pageCacheControl(config: Pick<Config, 'cache'>): string {
  const c = config.cache;
  let v = directives.get(c);
  if (!v) {
    v = `public, max-age=${c.maxAge}, s-maxage=${c.sMaxAge}, stale-while-revalidate=${c.staleWhileRevalidate}, stale-if-error=${c.staleIfError}`;
    directives.set(c, v);
  }
  return v;
}

/** Not-found pages: a cache must ask again, so a page published at that URL shows at once. */
export const NOT_FOUND_CACHE_CONTROL = 'no-cache';

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

export interface Page extends Encoded, Described {
  status: 200 | 404;
  /** From the settings for a page, `no-cache` for a 404: what sendPage sends. */
  cacheControl: string;
  slug: string | undefined;
  version: string;
  /** The cache's generation when rendered: an event from this process ends it (see PageCache). */
  generation: number;
}

/**
 * Rendered pages keyed by a normalised path. An entry is good only while the content version
 * it was rendered under is current. The version is checked for every request (see
 * #currentVersion), so writes made by another process (the CLI importer) show up at once;
 * events from this process end every entry's life too. Ended entries are kept, not deleted,
 * until they are replaced or pushed out: when the database is out of reach they are what a
 * reader gets instead of a 503 (a write just before an outage must not empty the cache).
 */
export class PageCache {
  readonly #pages = new Map<string, Page>();
  readonly #pending = new Map<string, Promise<Page | undefined>>();
  /** What each key was last sent with, kept across content changes (pages are not): see monotonicLastModified. */
  readonly #validators = new Map<string, Validators>();
  readonly unsubscribe: () => void;

  #version: Promise<string> | undefined;
  #generation = 0;

  constructor(
    private readonly services: Services,
    private readonly maxEntries = 500,
  ) {
    this.unsubscribe = services.events.subscribe(() => {
      this.#generation++;
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
    let version: string;
    try {
      version = await this.#currentVersion(req.raw.socket instanceof Socket);
    } catch (e) {
      // The database is out of reach: a page rendered before the outage is served as it was
      // (what `stale-if-error` lets a CDN do too); a page never rendered gets the 503.
      const stale = this.#pages.get(key);
      if (stale && isDatabaseUnavailable(e)) return stale;
      throw e;
    }
    const hit = this.#pages.get(key);
    if (hit && hit.version === version && hit.generation === this.#generation) {
      // Re-inserting moves the key to the end of the Map's order: oldest-used goes first.
      this.#pages.delete(key);
      this.#pages.set(key, hit);
      return hit;
    }
    // Concurrent misses for one page share a single render.
    const generation = this.#generation;
    const pendingKey = `${version}\n${generation}\n${key}`;
    let pending = this.#pending.get(pendingKey);
    if (!pending) {
      pending = this.#render(key, version, generation, render).finally(() => this.#pending.delete(pendingKey));
      this.#pending.set(pendingKey, pending);
    }
    return pending;
  }

  async #render(key: string, version: string, generation: number, render: () => Promise<Rendered | undefined>) {
    const out = await render();
    if (!out) return undefined;
    const encoded = await encode(out.html);
    const lastModified = monotonicLastModified(this.#validators.get(key), encoded.etagBase, out.lastModified);
    if (lastModified) {
      this.#validators.delete(key);
      this.#validators.set(key, { etagBase: encoded.etagBase, lastModified });
      if (this.#validators.size > this.maxEntries * 4) this.#validators.delete(this.#validators.keys().next().value!);
    }
    const status = out.status ?? 200;
    const cacheControl = status === 200 ? pageCacheControl(this.services.config) : NOT_FOUND_CACHE_CONTROL;
    const page: Page = { ...encoded, status, cacheControl, slug: out.slug, keys: out.keys, lastModified, version, generation };
    // The version was read before rendering, so a write made meanwhile makes this entry stale, not wrong.
    this.#pages.delete(key);
    this.#pages.set(key, page);
    if (this.#pages.size > this.maxEntries) this.#pages.delete(this.#pages.keys().next().value!);
    return page;
  }
}

/**
 * A page's Last-Modified comes from its content's times, which can stay put while the page
 * changes (an article leaves a list, a section is renamed). So a body that differs from the one
 * this key last had never keeps or lowers its time: it gets the render time instead, and an
 * unchanged body keeps the time it was first sent with. Within this process only; the ETag is
 * the exact validator, and clients sending both are judged by it alone.
 */
interface Validators {
  etagBase: string;
  lastModified: string;
}

function monotonicLastModified(previous: Validators | undefined, etagBase: string, lastModified: string | undefined): string | undefined {
  if (!lastModified || !previous?.lastModified) return lastModified;
  if (previous.etagBase === etagBase) return previous.lastModified;
  const before = seconds(Date.parse(previous.lastModified));
  if (seconds(Date.parse(lastModified)) > before) return lastModified;
  return new Date(Math.max(Date.now(), (before + 1) * 1000)).toISOString();
}

export const HTML = 'text/html; charset=utf-8';
/** @deprecated The fixed policy from before the cache settings; use pageCacheControl(config). */
export const PAGE_CACHE_CONTROL = 'public, max-age=60';

export function sendPage(req: FastifyRequest, reply: FastifyReply, page: Page): FastifyReply {
  return sendEncoded(req, reply, page, HTML, page.cacheControl, page.status);
}

interface Dated {
  publishedAt: string | null;
  revisedAt: string | null;
  updatedAt: string;
}

/**
 * A page's Last-Modified from what it shows: the latest publication, revision or row change
 * (unpublish, republish, a section move) among its articles. Never later than now: an editor
 * may date a publication ahead, and RFC 9110 §8.8.2.1 forbids a Last-Modified after the Date.
 */
export function newestChange(articles: Iterable<Dated>): string | undefined {
  let newest: string | undefined;
  for (const a of articles) {
    for (const t of [a.publishedAt, a.revisedAt, a.updatedAt]) if (t && (!newest || t > newest)) newest = t;
  }
  if (!newest) return undefined;
  const now = new Date().toISOString();
  return newest > now ? now : newest;
}
