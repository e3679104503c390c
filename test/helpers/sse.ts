import { request, type IncomingHttpHeaders } from 'node:http';

export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
}

/**
 * A Server-Sent Events reader over a real HTTP connection (node:http, no agent, so every client
 * has its own socket), recording what arrives for tests to wait on.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  /** Comment lines (heartbeats) seen. */
  comments = 0;
  ended = false;
  /** The first kilobyte or so of the body (a flood test would otherwise keep megabytes). */
  body = '';
  #buf = '';
  #cur: SseMessage = {};
  #waiters = new Set<() => void>();
  #destroy: () => void = () => {};

  private constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
  ) {}

  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
        const c = new SseClient(res.statusCode ?? 0, res.headers);
        c.#destroy = () => req.destroy();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => c.#feed(chunk));
        const end = () => {
          c.ended = true;
          c.#wake();
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
        resolve(c);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** The numbered `live` events' data, parsed. */
  live(): Array<{ eventId: number; type: string; [k: string]: unknown }> {
    return this.messages.filter((m) => m.event === 'live').map((m) => JSON.parse(m.data!));
  }

  liveIds(): number[] {
    return this.live().map((d) => d.eventId);
  }

  /** Resolves once `ok()` holds; rejects after `ms` with what was received, for the failure message. */
  waitFor(ok: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
    if (ok()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!ok()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.map((m) => [m.id, m.event]))} ended=${this.ended}`));
      }, ms);
      this.#waiters.add(check);
    });
  }

  waitForEnd(ms = 10_000): Promise<void> {
    return this.waitFor(() => this.ended, ms, 'the end of the stream');
  }

  close(): void {
    this.#destroy();
  }

  #feed(chunk: string): void {
    if (this.body.length < 1024) this.body += chunk;
    this.#buf += chunk;
    let i: number;
    while ((i = this.#buf.indexOf('\n')) >= 0) {
      const line = this.#buf.slice(0, i);
      this.#buf = this.#buf.slice(i + 1);
      if (line === '') {
        if (Object.keys(this.#cur).length) this.messages.push(this.#cur);
        this.#cur = {};
      } else if (line.startsWith(':')) {
        this.comments++;
      } else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id' || field === 'event' || field === 'data' || field === 'retry') this.#cur[field] = value;
      }
    }
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}

/** Polls `ok` until it holds (for state no stream event announces, such as a server's counters). */
export async function until(ok: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
