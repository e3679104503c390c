/**
 * One bounded HTTP GET of a feed. Whatever the server does — a huge body, a body that trickles
 * in a byte at a time, a connection that never answers — this returns or throws within
 * `timeoutMs` and never holds more than `maxBytes` of body in memory.
 */

export const FEED_LIMITS = { timeoutMs: 15_000, maxBytes: 5 * 1024 * 1024 } as const;

/** A feed that could not be fetched or read: the message is what the source's health shows. */
export class FeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedError';
  }
}

export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export type FetchResult =
  | { notModified: true }
  | { notModified: false; body: string; contentType: string; validators: Validators };

export interface FetchOptions extends Validators {
  timeoutMs?: number;
  maxBytes?: number;
  userAgent?: string;
  /** Aborts the fetch from outside (a server shutting down). */
  signal?: AbortSignal;
}

export async function fetchFeed(url: string, o: FetchOptions): Promise<FetchResult> {
  const timeoutMs = o.timeoutMs ?? FEED_LIMITS.timeoutMs;
  const maxBytes = o.maxBytes ?? FEED_LIMITS.maxBytes;
  // One deadline for the whole exchange (headers and body): a slow-loris server is cut at it.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new FeedError(`no complete answer within ${timeoutMs / 1000} s`)), timeoutMs);
  const stop = () => controller.abort(new FeedError('interrupted: the server is stopping'));
  if (o.signal?.aborted) stop();
  o.signal?.addEventListener('abort', stop, { once: true });
  try {
    const headers: Record<string, string> = {
      accept: 'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1',
      'user-agent': o.userAgent ?? 'Nashra feed ingest',
    };
    if (o.etag) headers['if-none-match'] = o.etag;
    if (o.lastModified) headers['if-modified-since'] = o.lastModified;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: controller.signal, redirect: 'follow' });
    } catch (e) {
      throw asFeedError(e, controller.signal);
    }
    if (res.status === 304) {
      await res.body?.cancel().catch(() => {});
      return { notModified: true };
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new FeedError(`HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new FeedError(`the feed is larger than ${maxBytes} bytes`);
    }
    const bytes = await readCapped(res, maxBytes, controller);
    const contentType = res.headers.get('content-type') ?? '';
    return {
      notModified: false,
      body: decode(bytes, contentType),
      contentType,
      validators: { etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified') },
    };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', stop);
  }
}

/**
 * Text by the charset the server names, else the XML declaration's, else UTF-8: Arabic feeds
 * still come in windows-1256 now and then.
 */
export function decode(bytes: Buffer, contentType: string): string {
  const named = /charset="?([\w.:-]+)/i.exec(contentType)?.[1] ?? /^\s*<\?xml[^>]*encoding=["']([\w.:-]+)["']/i.exec(bytes.subarray(0, 200).toString('latin1'))?.[1];
  try {
    return new TextDecoder(named ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

async function readCapped(res: Response, maxBytes: number, controller: AbortController): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        const err = new FeedError(`the feed is larger than ${maxBytes} bytes`);
        controller.abort(err);
        throw err;
      }
      chunks.push(value);
    }
  } catch (e) {
    throw asFeedError(e, controller.signal);
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks);
}

function asFeedError(e: unknown, signal: AbortSignal): FeedError {
  if (e instanceof FeedError) return e;
  if (signal.aborted && signal.reason instanceof FeedError) return signal.reason;
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return new FeedError(`fetch failed: ${cause?.code ?? cause?.message ?? (e as Error).message ?? String(e)}`);
}
