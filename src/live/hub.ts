import type { ServerResponse } from 'node:http';
import type { LiveEvent } from '../domain/live.js';
import type { LiveBus } from './bus.js';
import { HEARTBEAT, liveFrame, resyncFrame, retryFrame, type Frame, type RetryReason } from './sse.js';

/**
 * Where the hub gets what it does not hold: past events and their rendering. Passed in, so
 * `src/live` depends on neither the services nor the web layer.
 */
export interface HubSource {
  /** One page of the events after `after`, in order; resync when `after` was never issued. */
  replay(coverageId: number, after: number): Promise<{ resync: true; lastEventId: number } | { resync: false; events: LiveEvent[]; lastEventId: number }>;
  /** Each event's one-line `LiveEventData` JSON, in order. A batch, so replays share one context query. */
  format(events: readonly LiveEvent[]): Promise<string[]>;
}

export interface HubOptions {
  bus: LiveBus;
  source: HubSource;
  /** A connection with more unsent bytes than this is dropped; it reconnects and replays. */
  maxBuffered?: number;
  heartbeatMs?: number;
  /** Formatted frames kept per coverage, so reconnecting readers replay from memory. */
  keepFrames?: number;
  onError?: (err: unknown, what: string) => void;
}

/** Where a new stream starts. */
export interface StreamStart {
  coverageId: number;
  /** The coverage's counter as the handler read it. */
  lastEventId: number;
  ended: boolean;
  /** The last event the client holds; null when its position was never issued (it gets `resync`). */
  after: number | null;
}

export interface HubStats {
  connections: number;
  channels: number;
  /** Connections dropped for reading too slowly, since the hub started. */
  dropped: number;
  /** Events broadcast to a channel's readers, and the frames that made (one per reader), since the hub started. */
  events: number;
  frames: number;
}

/**
 * One open stream. Kept tiny, since there may be tens of thousands: no timers, no closures;
 * the response finds its connection through a symbol property, and one shared function
 * handles every response's `close`.
 */
interface Conn {
  res: ServerResponse;
  channel: Channel;
  /** The highest event id written to this connection. */
  sent: number;
  /** Live frames held while this connection catches up from the database; null once live. */
  pending: Frame[] | null;
  held: number;
}

const CONN = Symbol('liveConn');
type HubResponse = ServerResponse & { [CONN]?: Conn };

function onResponseClose(this: HubResponse): void {
  const conn = this[CONN];
  if (conn) conn.channel.hub.drop(conn);
}
// A write racing a peer's reset reports here; the 'close' that follows does the cleanup.
function ignore(): void {}

/**
 * The live SSE fan-out of one process. Per coverage with readers, a channel subscribes to the
 * bus, orders what arrives by event id (dropping duplicates, filling gaps from the database),
 * formats each event once and writes the same bytes to every connection, synchronously: a slow
 * reader is never awaited, it is dropped when its buffer passes the limit.
 */
export class LiveHub {
  readonly #channels = new Map<number, Channel>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #offAvailability: () => void;
  #closing = false;
  #dropped = 0;
  #events = 0;
  #frames = 0;
  readonly bus: LiveBus;
  readonly source: HubSource;
  readonly maxBuffered: number;
  readonly keepFrames: number;
  readonly onError: (err: unknown, what: string) => void;

  constructor(o: HubOptions) {
    this.bus = o.bus;
    this.source = o.source;
    this.maxBuffered = o.maxBuffered ?? 256 * 1024;
    this.keepFrames = o.keepFrames ?? 256;
    this.onError = o.onError ?? ((err, what) => console.error(`live hub: ${what}`, err));
    // One timer for every connection: per-connection timers would cost memory at 10,000 readers.
    this.#heartbeat = setInterval(() => this.#beat(), o.heartbeatMs ?? 15_000);
    this.#heartbeat.unref();
    this.#offAvailability = o.bus.onAvailability((up) => {
      // Events from other instances can no longer reach us: send readers to poll rather than go stale.
      if (!up) this.#closeAll('unavailable');
    });
  }

  stats(): HubStats {
    let connections = 0;
    for (const ch of this.#channels.values()) connections += ch.conns.size;
    return { connections, channels: this.#channels.size, dropped: this.#dropped, events: this.#events, frames: this.#frames };
  }

  /** Counts a broadcast for `stats()`: two additions, as it runs once per event per channel. */
  counted(readers: number): void {
    this.#events++;
    this.#frames += readers;
  }

  /**
   * Takes over a response whose head and preamble are written. An ended coverage gets what the
   * client missed, then `coverage.ended`, then the end; a live one joins its channel.
   */
  connect(res: ServerResponse, start: StreamStart): void {
    if (this.#closing || !this.bus.available) {
      res.end(retryFrame(this.#closing ? 'shutdown' : 'unavailable'));
      return;
    }
    let channel = this.#channels.get(start.coverageId);
    if (!channel) {
      channel = new Channel(this, start.coverageId, start.lastEventId);
      this.#channels.set(start.coverageId, channel);
    }
    const conn: Conn = { res, channel, sent: start.after ?? start.lastEventId, pending: null, held: 0 };
    const r = res as HubResponse;
    r[CONN] = conn;
    res.on('close', onResponseClose);
    res.on('error', ignore);
    channel.conns.add(conn);
    if (start.after == null) this.write(conn, resyncFrame(start.lastEventId));

    const cached = start.ended ? null : channel.framesAfter(conn.sent);
    if (cached) {
      for (const f of cached) if (!this.send(conn, f)) return;
    } else {
      conn.pending = [];
      void this.#catchUp(conn, start.ended);
    }
  }

  /** Writes a frame unless the connection already has it; false once the connection is gone. */
  send(conn: Conn, frame: Frame): boolean {
    if (conn.pending) {
      conn.pending.push(frame);
      conn.held += frame.bytes.length;
      if (conn.held > this.maxBuffered) return this.#tooSlow(conn), false;
      return true;
    }
    if (frame.id <= conn.sent) return true;
    conn.sent = frame.id;
    if (!this.write(conn, frame.bytes)) return false;
    if (frame.ends) {
      this.drop(conn);
      conn.res.end();
      return false;
    }
    return true;
  }

  /** Never waits: bytes the socket cannot take are buffered, up to the limit. */
  write(conn: Conn, bytes: Buffer): boolean {
    const res = conn.res;
    if (res.destroyed || res.writableEnded) return this.drop(conn), false;
    res.write(bytes);
    if (res.writableLength > this.maxBuffered) return this.#tooSlow(conn), false;
    return true;
  }

  drop(conn: Conn): void {
    const ch = conn.channel;
    if (!ch.conns.delete(conn)) return;
    conn.pending = null;
    if (ch.conns.size === 0) this.removeChannel(ch);
  }

  removeChannel(ch: Channel): void {
    ch.close();
    if (this.#channels.get(ch.coverageId) === ch) this.#channels.delete(ch.coverageId);
  }

  /** Ends every stream of a channel with a retry (e.g. its events could not be loaded). */
  retryChannel(ch: Channel, reason: RetryReason): void {
    for (const conn of [...ch.conns]) this.#retry(conn, reason);
    this.removeChannel(ch);
  }

  /** On shutdown: every reader is told to retry, so `app.close()` does not wait on open streams. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#heartbeat);
    this.#offAvailability();
    const open = [...this.#channels.values()].flatMap((ch) => [...ch.conns].map((c) => c.res));
    this.#closeAll('shutdown');
    // A reader that stopped reading would keep its socket open forever: a second, then cut.
    await new Promise<void>((resolve) => {
      let left = open.filter((res) => !res.closed).length;
      if (left === 0) return resolve();
      const timer = setTimeout(() => {
        for (const res of open) res.destroy();
        resolve();
      }, 1000);
      for (const res of open) {
        if (res.closed) continue;
        res.once('close', () => {
          if (--left === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
    });
  }

  #closeAll(reason: RetryReason): void {
    for (const ch of [...this.#channels.values()]) this.retryChannel(ch, reason);
  }

  #retry(conn: Conn, reason: RetryReason): void {
    this.drop(conn);
    const res = conn.res;
    if (res.destroyed || res.writableEnded) return;
    // A reader far behind would not read the frame for a long time, if ever: cut it instead.
    if (res.writableLength > this.maxBuffered / 4) res.destroy();
    else res.end(retryFrame(reason));
  }

  #tooSlow(conn: Conn): void {
    this.#dropped++;
    this.drop(conn);
    conn.res.destroy();
  }

  #beat(): void {
    for (const ch of [...this.#channels.values()]) for (const conn of [...ch.conns]) this.write(conn, HEARTBEAT);
  }

  /**
   * Replays from the database what a connection missed, while the channel's live frames wait in
   * `pending`; then sends the pending frames it did not replay. Ids are consecutive, so "the
   * first pending frame is the next id" is exactly the moment the two meet without a gap.
   */
  async #catchUp(conn: Conn, ended: boolean): Promise<void> {
    const ch = conn.channel;
    try {
      let caughtUp = false;
      let endedSent = false;
      for (;;) {
        const next = conn.pending?.find((f) => f.id > conn.sent)?.id;
        if (next !== undefined ? next === conn.sent + 1 : caughtUp) break;
        const r = await this.source.replay(ch.coverageId, conn.sent);
        if (!ch.conns.has(conn)) return;
        if (r.resync) {
          // Only possible if the database moved under us (restored): the client reloads.
          if (!this.write(conn, resyncFrame(r.lastEventId))) return;
          conn.sent = r.lastEventId;
          caughtUp = true;
          continue;
        }
        if (r.events.length === 0) {
          if (next !== undefined) this.onError(new Error(`events ${conn.sent + 1}..${next - 1} missing`), `replay of coverage ${ch.coverageId}`);
          break;
        }
        const frames = await ch.framesFor(r.events);
        if (!ch.conns.has(conn)) return;
        for (const f of frames) {
          if (f.id <= conn.sent) continue;
          conn.sent = f.id;
          if (!this.write(conn, f.bytes)) return;
          if (f.ends) endedSent = true;
          // A backlog can exceed the buffer limit on its own: this task, and only it, waits.
          if (conn.res.writableLength > this.maxBuffered / 4 && !((await drained(conn.res)) && ch.conns.has(conn))) return;
        }
        if (endedSent) break;
        caughtUp = conn.sent >= r.lastEventId;
      }
      if (ended && !endedSent) {
        // The client has every event yet reconnected: remind it the coverage ended so it stops.
        const last = await this.source.replay(ch.coverageId, Math.max(0, conn.sent - 1));
        if (!ch.conns.has(conn)) return;
        const f = !last.resync && last.events.at(-1);
        if (f && f.type === 'coverage.ended') this.write(conn, (await ch.framesFor([f]))[0]!.bytes);
        endedSent = true;
      }
      if (endedSent) {
        if (ch.conns.has(conn)) {
          this.drop(conn);
          conn.res.end();
        }
        return;
      }
      const pending = conn.pending ?? [];
      conn.pending = null;
      conn.held = 0;
      for (const f of pending) if (!this.send(conn, f)) return;
    } catch (err) {
      this.onError(err, `replay of coverage ${ch.coverageId}`);
      if (ch.conns.has(conn)) this.#retry(conn, 'unavailable');
    }
  }
}

/**
 * The readers of one coverage. `cursor` is the last event id broadcast; events are handled one
 * at a time through `chain`, so a gap being filled from the database holds later events back
 * and order is kept.
 */
class Channel {
  readonly conns = new Set<Conn>();
  /** Formatted frames by event id, oldest first (a Map keeps insertion order), bounded. */
  readonly #frames = new Map<number, Frame>();
  #chain: Promise<void> = Promise.resolve();
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(
    readonly hub: LiveHub,
    readonly coverageId: number,
    public cursor: number,
  ) {
    this.#unsubscribe = hub.bus.subscribe(coverageId, (e) => this.#onEvent(e));
    // An event committed between the handler's read of the counter and this subscription was
    // published to no one: look once, so it goes out now rather than with the next event.
    this.#enqueue(cursor + 1);
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
  }

  /** The frames after `after` when memory holds all of them (nothing missing), else null. */
  framesAfter(after: number): Frame[] | null {
    if (after >= this.cursor) return [];
    const out: Frame[] = [];
    for (let id = after + 1; id <= this.cursor; id++) {
      const f = this.#frames.get(id);
      if (!f) return null;
      out.push(f);
    }
    return out;
  }

  /** Frames for events in order, formatting only those not already formatted. */
  async framesFor(events: readonly LiveEvent[]): Promise<Frame[]> {
    // Taken before awaiting: the bounded map may evict them while the others are formatted.
    const frames = events.map((e) => this.#frames.get(e.eventId));
    const missing = events.filter((_, i) => !frames[i]);
    if (missing.length === 0) return frames as Frame[];
    const json = await this.hub.source.format(missing);
    if (json.length !== missing.length) throw new Error(`format returned ${json.length} of ${missing.length} events`);
    let k = 0;
    return events.map((e, i) => {
      if (frames[i]) return frames[i];
      const f = liveFrame(e.eventId, e.type, json[k++]!);
      this.#keep(f);
      return f;
    });
  }

  #keep(f: Frame): void {
    this.#frames.set(f.id, f);
    if (this.#frames.size > this.hub.keepFrames) this.#frames.delete(this.#frames.keys().next().value!);
  }

  #onEvent(e: LiveEvent): void {
    // A duplicate (our own event back from Redis) costs a comparison, not a queued task.
    if (e.eventId <= this.cursor || this.#closed) return;
    this.#enqueue(e.eventId, e);
  }

  #enqueue(upTo: number, event?: LiveEvent): void {
    this.#chain = this.#chain
      .then(() => this.#advance(upTo, event))
      .catch((err) => {
        this.hub.onError(err, `events of coverage ${this.coverageId}`);
        // Readers would silently stall: send them to reconnect, which replays from the database.
        if (!this.#closed) this.hub.retryChannel(this, 'unavailable');
      });
  }

  /** Broadcasts every event up to `upTo`; the next one directly, missing ones from the database. */
  async #advance(upTo: number, event?: LiveEvent): Promise<void> {
    while (!this.#closed && this.cursor < upTo) {
      let events: LiveEvent[];
      if (event && event.eventId === this.cursor + 1) {
        events = [event];
      } else {
        const r = await this.hub.source.replay(this.coverageId, this.cursor);
        if (r.resync || r.events.length === 0) return;
        events = r.events;
      }
      const frames = await this.framesFor(events);
      for (const f of frames) {
        if (this.#closed) return;
        if (f.id === this.cursor + 1) this.#broadcast(f);
      }
    }
  }

  #broadcast(f: Frame): void {
    this.cursor = f.id;
    this.hub.counted(this.conns.size);
    for (const conn of [...this.conns]) this.hub.send(conn, f);
    // Connections still catching up hold the frame; live ones were ended by `send`.
    if (f.ends && this.conns.size === 0) this.hub.removeChannel(this);
  }
}

/** Resolves true once the response's buffer has drained, false if it closed first. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
