import type { Config } from '../config.js';
import { articleChangeKeys, articleKey, FEEDS_KEY, HOME_KEY, SITEMAPS_KEY } from '../domain/surrogateKeys.js';
import { getArticle } from '../store/articles.js';
import type { Store } from '../store/db.js';
import type { ContentChange, ContentEvents } from './events.js';

/** The pino methods the purger logs with; a Fastify or pino logger fits. */
export interface PurgeLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const silent: PurgeLogger = { info() {}, warn() {}, error() {} };

export interface PurgeOptions {
  url: string;
  /** Sent as `Authorization: Bearer …`; never logged. */
  token?: string;
  logger?: PurgeLogger;
  /** First retry delay; each next one doubles, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Attempts per batch, the first included, before it is dropped with an error log. */
  maxAttempts?: number;
  /** A Retry-After above this is cut to it: a CDN asking for an hour would otherwise stall every purge. */
  maxRetryAfterMs?: number;
  timeoutMs?: number;
}

/** The webhook's body: keys to drop, or everything. */
export type PurgePayload = { keys: string[]; reason: string } | { purgeAll: true; reason: string };

/** Statuses worth another try: the CDN is busy or failing, not refusing us. */
const retryable = (status: number) => status === 429 || status >= 500;

/**
 * Tells the CDN what changed. Subscribed to content events, which are emitted after the commit,
 * so the keys it reads are durable state. Never on a request's path: an event only queues keys;
 * one call is in flight at a time, and whatever piles up meanwhile (or while a failed call waits
 * to be retried) goes out together in the next call.
 */
export class CdnPurger {
  readonly #keys = new Set<string>();
  readonly #reasons = new Set<string>();
  #all = false;
  #running: Promise<void> | undefined;
  readonly #lookups = new Set<Promise<void>>();
  #closed = false;
  #wake: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #abort = new AbortController();
  readonly #unsubscribe: () => void;
  readonly #log: PurgeLogger;
  readonly #o: Required<Omit<PurgeOptions, 'token' | 'logger'>> & { token: string | undefined };

  constructor(
    private readonly store: Store,
    events: ContentEvents,
    options: PurgeOptions,
  ) {
    this.#log = options.logger ?? silent;
    this.#o = {
      url: options.url,
      token: options.token,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 60_000,
      maxAttempts: options.maxAttempts ?? 8,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 300_000,
      timeoutMs: options.timeoutMs ?? 10_000,
    };
    this.#unsubscribe = events.subscribe((change) => this.#onChange(change));
  }

  /** Resolves once every change announced so far has been read and its keys queued. */
  async queued(): Promise<void> {
    while (this.#lookups.size) await Promise.allSettled([...this.#lookups]);
  }

  /** Resolves once nothing is queued or in flight (tests, and a graceful shutdown that wants to wait). */
  async idle(): Promise<void> {
    while (this.#lookups.size || this.#running) {
      await Promise.all([...this.#lookups]);
      await this.#running;
    }
  }

  /** Stops: no new purges, the wait for a retry ends, an in-flight call is aborted. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    clearTimeout(this.#timer);
    this.#wake?.();
    this.#abort.abort();
    await Promise.allSettled([...this.#lookups]);
    await this.#running;
    if (this.#all || this.#keys.size) {
      this.#log.warn({ keys: [...this.#keys], purgeAll: this.#all }, 'purge: closed with purges not sent');
    }
  }

  #onChange(change: ContentChange): void {
    if (this.#closed) return;
    if (change.type === 'site') {
      // Every page shows the site's chrome (the section menu, shared media): nothing is left unaffected.
      this.#queue(undefined, 'site');
      return;
    }
    const lookup = this.#keysFor(change.id)
      .then((keys) => keys && this.#queue(keys, articleKey(change.id)))
      .catch((err: unknown) => this.#log.error({ err, article: change.id }, 'purge: could not read the changed article'))
      .finally(() => this.#lookups.delete(lookup));
    this.#lookups.add(lookup);
  }

  /**
   * What a change to this article makes stale, from its state now. A draft or an article in
   * review or scheduled was never on a public page, so it needs no purge; an unpublished one
   * still names its section and tags (its pages must go). A deleted one is gone: its own key
   * still reaches every page that listed it, since lists name each article they show.
   */
  async #keysFor(id: number): Promise<string[] | undefined> {
    const a = await getArticle(this.store.db, id);
    if (!a) return [articleKey(id), HOME_KEY, FEEDS_KEY, SITEMAPS_KEY];
    if (a.status !== 'published' && a.status !== 'unpublished') return undefined;
    return articleChangeKeys(a);
  }

  #queue(keys: string[] | undefined, reason: string): void {
    if (this.#closed) return;
    if (keys) for (const k of keys) this.#keys.add(k);
    else this.#all = true;
    this.#reasons.add(reason);
    this.#running ??= this.#drain();
  }

  /** Takes what is queued as one payload, or undefined when nothing is. */
  #take(into?: PurgePayload): PurgePayload | undefined {
    if (!this.#all && !this.#keys.size && !into) return undefined;
    const reasons = new Set(into ? into.reason.split(' ') : []);
    for (const r of this.#reasons) reasons.add(r);
    const all = this.#all || (into !== undefined && 'purgeAll' in into);
    const keys = new Set(into && 'keys' in into ? into.keys : []);
    for (const k of this.#keys) keys.add(k);
    this.#keys.clear();
    this.#reasons.clear();
    this.#all = false;
    const reason = [...reasons].join(' ');
    return all ? { purgeAll: true, reason } : { keys: [...keys], reason };
  }

  async #drain(): Promise<void> {
    // Let the events of one request (or one import batch) land before the first call.
    await Promise.resolve();
    try {
      await this.#sendAll();
    } finally {
      // Cleared in the same turn as the last (empty) take: a key queued after it starts a new drain.
      this.#running = undefined;
    }
  }

  async #sendAll(): Promise<void> {
    let payload: PurgePayload | undefined;
    while (!this.#closed && (payload = this.#take())) {
      for (let attempt = 1; ; attempt++) {
        const result = await this.#send(payload, attempt);
        if (result.ok) break;
        if (this.#closed) {
          // Aborted by close(): counted with what close() reports as not sent.
          this.#requeue(payload);
          break;
        }
        if (!result.retry || attempt >= this.#o.maxAttempts) {
          this.#log.error({ ...summary(payload), attempts: attempt }, 'purge: gave up; cached copies expire by s-maxage');
          break;
        }
        const delayMs = result.retryAfterMs ?? Math.min(this.#o.baseDelayMs * 2 ** (attempt - 1), this.#o.maxDelayMs);
        this.#log.warn({ ...summary(payload), attempt, delayMs }, 'purge: retrying');
        await this.#sleep(delayMs);
        if (this.#closed) {
          this.#requeue(payload);
          break;
        }
        // What arrived during the wait rides along with the retry.
        payload = this.#take(payload)!;
      }
    }
  }

  async #send(payload: PurgePayload, attempt: number): Promise<{ ok: boolean; retry: boolean; retryAfterMs?: number }> {
    const started = Date.now();
    try {
      const res = await fetch(this.#o.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.#o.token ? { authorization: `Bearer ${this.#o.token}` } : {}),
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#o.timeoutMs)]),
      });
      // The body is not needed, but must be read or discarded for the connection to be reused.
      await res.body?.cancel();
      const entry = { ...summary(payload), attempt, status: res.status, ms: Date.now() - started };
      if (res.ok) {
        this.#log.info(entry, 'purge: sent');
        return { ok: true, retry: false };
      }
      this.#log.warn(entry, 'purge: refused');
      return { ok: false, retry: retryable(res.status), retryAfterMs: this.#retryAfter(res.headers.get('retry-after')) };
    } catch (err) {
      if (this.#closed) return { ok: false, retry: false };
      const e = err as Error;
      this.#log.warn({ ...summary(payload), attempt, error: e.name === 'TimeoutError' ? 'timeout' : e.message, ms: Date.now() - started }, 'purge: failed');
      return { ok: false, retry: true };
    }
  }

  /** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3); absent or unreadable: undefined. */
  #retryAfter(value: string | null): number | undefined {
    if (!value) return undefined;
    const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - Date.now();
    if (Number.isNaN(ms)) return undefined;
    return Math.min(Math.max(ms, 0), this.#o.maxRetryAfterMs);
  }

  #requeue(payload: PurgePayload): void {
    if ('purgeAll' in payload) this.#all = true;
    else for (const k of payload.keys) this.#keys.add(k);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((done) => {
      this.#wake = done;
      this.#timer = setTimeout(done, ms);
    }).finally(() => {
      this.#wake = undefined;
      this.#timer = undefined;
    });
  }
}

function summary(p: PurgePayload) {
  return 'purgeAll' in p ? { purgeAll: true, reason: p.reason } : { keys: p.keys, reason: p.reason };
}

/** The purger for this process, or none when no purge URL is set (no CDN to tell). */
export function startCdnPurger(
  services: { store: Store; events: ContentEvents; config: Pick<Config, 'purgeUrl' | 'purgeToken'> },
  options: Omit<PurgeOptions, 'url' | 'token'> = {},
): CdnPurger | undefined {
  const { purgeUrl, purgeToken } = services.config;
  if (!purgeUrl) return undefined;
  return new CdnPurger(services.store, services.events, { url: purgeUrl, token: purgeToken, ...options });
}
