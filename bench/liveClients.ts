/**
 * The load process of bench/live.ts: holds thousands of Server-Sent Events connections and
 * records, per client, which event ids arrived and how long after they were posted.
 *
 * Raw `node:net` sockets with a minimal HTTP/1.1 (chunked) + SSE parser, not fetch or an
 * EventSource per connection: those cost tens of KB and real CPU each, and at 10,000 clients
 * the load process, not the server, would become what we measure. Sockets decode as latin1:
 * one char per byte, so chunk sizes stay byte counts, and every field we read is ASCII.
 *
 * Driven over IPC by the parent (messages below); one parent may fork several of these.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export type ClientCommand =
  | { type: 'open'; host: string; port: number; path: string; count: number; batch: number; firstId: number; expected: number }
  /** A new window of expected ids on the connections already open (another posting phase). */
  | { type: 'expect'; firstId: number; expected: number }
  | { type: 'wait'; timeoutMs: number }
  | { type: 'report' }
  | { type: 'close' };

export interface OpenResult {
  type: 'opened';
  connected: number;
  failed: number;
  /** Failure reasons (HTTP status, error code) and how many clients had each. */
  reasons: Record<string, number>;
  openMs: number;
}

export interface ClientReport {
  type: 'report';
  clients: number;
  /** Receipt − send, ms, one per (client, entry.created event carrying a send time). */
  latencies: number[];
  /** Per expected id, the latency of the first and of the last client that received it. */
  firstReaderMs: number[];
  lastReaderMs: number[];
  /** Sum over clients of expected ids never received. */
  missed: number;
  /** Sum over clients of extra copies of an id. */
  duplicated: number;
  /** Numbered events outside the expected window (e.g. replayed older ones). */
  unexpected: number;
  /** Events arriving with an id lower than one already received on that connection. */
  outOfOrder: number;
  resyncs: number;
  retries: number;
  heartbeats: number;
  /** Connections the server closed or broke while we held them. */
  dropped: number;
  /** Payloads that did not match the wire contract (checked in full on one client). */
  contractErrors: string[];
  /** Bytes of one entry.created event frame as received (SSE lines, without chunk framing). */
  frameBytes: number;
  /** CPU this load process used since the last report, ms (user + system). */
  cpuMs: number;
  wallMs: number;
}

export const SEND_MARK = 'bench-t=';

const now = () => performance.timeOrigin + performance.now();

class Client {
  raw = '';
  sse = '';
  headersDone = false;
  chunked = false;
  /** Bytes left in the current chunk; -1 while reading a chunk-size line. */
  chunkLeft = -1;
  ready = false;
  closing = false;
  /** Holds the last expected id, or was dropped: nothing more to wait for on this client. */
  finished = false;
  lastId = 0;
  counts: Uint8Array;
  constructor(
    readonly socket: net.Socket,
    expected: number,
    /** The one client that checks every payload in full against the contract. */
    readonly inspector: boolean,
  ) {
    this.counts = new Uint8Array(expected);
  }
}

let clients: Client[] = [];
let firstId = 1;
let expected = 0;
let latencies: number[] = [];
let firstReader = new Float64Array(0);
let lastReader = new Float64Array(0);
let stats = blankStats();
let cpuMark = process.cpuUsage();
let wallMark = now();
let waiters: Array<() => void> = [];
let finished = 0;

function blankStats() {
  return { unexpected: 0, outOfOrder: 0, resyncs: 0, retries: 0, heartbeats: 0, dropped: 0, contractErrors: [] as string[], frameBytes: 0 };
}

function send(msg: OpenResult | ClientReport | { type: 'waited'; complete: boolean } | { type: 'expecting' } | { type: 'closed' }): void {
  process.send!(msg);
}

/** Feeds bytes through the HTTP head, then chunked decoding, into the SSE buffer. */
function onData(c: Client, text: string, at: number, fail: (reason: string) => void): void {
  c.raw += text;
  if (!c.headersDone) {
    const end = c.raw.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = c.raw.slice(0, end);
    c.raw = c.raw.slice(end + 4);
    c.headersDone = true;
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 'no-status';
    if (status !== '200') return fail(`HTTP ${status}`);
    if (!/\r\ncontent-type: *text\/event-stream/i.test(head)) return fail('not text/event-stream');
    c.chunked = /\r\ntransfer-encoding: *chunked/i.test(head);
  }
  if (c.chunked) {
    while (c.raw.length) {
      if (c.chunkLeft < 0) {
        const eol = c.raw.indexOf('\r\n');
        if (eol < 0) return;
        const size = parseInt(c.raw.slice(0, eol), 16);
        // A size line plus its data's trailing CRLF: wait until the CRLF is here too.
        if (size === 0) return fail('stream ended');
        c.raw = c.raw.slice(eol + 2);
        c.chunkLeft = size + 2;
      }
      const take = Math.min(c.chunkLeft, c.raw.length);
      // The last two bytes of each chunk are its CRLF, not data.
      const dataLeft = c.chunkLeft - 2;
      c.sse += c.raw.slice(0, Math.min(take, Math.max(dataLeft, 0)));
      c.raw = c.raw.slice(take);
      c.chunkLeft -= take;
      if (c.chunkLeft === 0) c.chunkLeft = -1;
    }
  } else {
    c.sse += c.raw;
    c.raw = '';
  }
  let end: number;
  while ((end = c.sse.indexOf('\n\n')) >= 0) {
    const message = c.sse.slice(0, end);
    c.sse = c.sse.slice(end + 2);
    onMessage(c, message, at);
  }
}

function onMessage(c: Client, message: string, at: number): void {
  let id = -1;
  let event = 'message';
  let data = '';
  let comment = false;
  for (const line of message.split('\n')) {
    if (line.startsWith(':')) comment = true;
    else if (line.startsWith('id: ')) id = Number(line.slice(4));
    else if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data = line.slice(6);
    else if (line.startsWith('retry: ')) c.ready = true;
  }
  if (event === 'resync') stats.resyncs++;
  else if (event === 'retry') stats.retries++;
  else if (event === 'live') onLive(c, id, data, message.length + 2, at);
  else if (comment) stats.heartbeats++;
}

function onLive(c: Client, id: number, data: string, bytes: number, at: number): void {
  if (id <= c.lastId) stats.outOfOrder++;
  c.lastId = Math.max(c.lastId, id);
  const slot = id - firstId;
  if (!Number.isInteger(slot) || slot < 0 || slot >= expected) {
    stats.unexpected++;
    return;
  }
  if (c.counts[slot]! < 255) c.counts[slot]!++;
  // A scan rather than JSON.parse on every client: the inspector parses in full below, and the
  // other 9,999 stand for separate machines whose parsing would not share one CPU.
  const mark = data.indexOf(SEND_MARK);
  if (mark >= 0 && data.includes('"type":"entry.created"')) {
    const sent = parseFloat(data.slice(mark + SEND_MARK.length, mark + SEND_MARK.length + 24));
    if (Number.isFinite(sent)) {
      const ms = at - sent;
      latencies.push(ms);
      if (ms < firstReader[slot]!) firstReader[slot] = ms;
      if (ms > lastReader[slot]!) lastReader[slot] = ms;
    }
    if (!stats.frameBytes) stats.frameBytes = bytes;
  }
  if (c.inspector) checkContract(id, data);
  if (slot === expected - 1) finish(c);
}

/** The full wire-contract check for entry.created, done on one client per process. */
function checkContract(id: number, data: string): void {
  const problem = (what: string) => {
    if (stats.contractErrors.length < 5) stats.contractErrors.push(`event ${id}: ${what}`);
  };
  let d: {
    eventId?: unknown;
    type?: unknown;
    entry?: { id?: unknown; blocks?: Array<{ spans?: Array<{ text?: unknown }> }> };
    html?: unknown;
  };
  try {
    // The data was decoded as latin1; the JSON's structure is ASCII, so it parses all the same.
    d = JSON.parse(data);
  } catch {
    return problem('data is not one line of JSON');
  }
  if (d.eventId !== id) problem(`eventId ${String(d.eventId)} ≠ SSE id ${id}`);
  if (d.type !== 'entry.created') return;
  const text = d.entry?.blocks?.[0]?.spans?.[0]?.text;
  if (typeof text !== 'string' || !text.includes(SEND_MARK)) problem('entry.blocks[0].spans[0].text lacks the send time');
  if (typeof d.html !== 'string' || !d.html.startsWith('<article class="live-entry"') || !d.html.includes(`id="entry-${String(d.entry?.id)}"`)) {
    problem('html is not <article class="live-entry" id="entry-ID" …>');
  }
}

function finish(c: Client): void {
  if (c.finished) return;
  c.finished = true;
  finished++;
  wake();
}

/** True once every connected client holds the last expected id (or was dropped). */
function complete(): boolean {
  return finished >= clients.length;
}

function wake(): void {
  if (!waiters.length || !complete()) return;
  const w = waiters;
  waiters = [];
  for (const fn of w) fn();
}

function openOne(host: string, port: number, path: string, inspector: boolean): Promise<{ client?: Client; reason?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const c = new Client(socket, expected, inspector);
    let settled = false;
    const settle = (reason?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (reason) {
        c.closing = true;
        socket.destroy();
        resolve({ reason });
      } else resolve({ client: c });
    };
    const timer = setTimeout(() => settle('timeout waiting for retry: preamble'), 20_000);
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    socket.on('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n`);
    });
    socket.on('data', (text: string) => {
      // One clock read per read(), before parsing: this socket's own parsing is not billed to it.
      onData(c, text, now(), (reason) => {
        if (!settled) settle(reason);
        else if (!c.closing) {
          stats.dropped++;
          c.closing = true;
          socket.destroy();
          finish(c);
        }
      });
      if (c.ready) settle();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? err.message));
    socket.on('close', () => {
      if (!settled) return settle('closed before the preamble');
      if (!c.closing) {
        stats.dropped++;
        c.closing = true;
        finish(c);
      }
    });
  });
}

/** Starts counting a new window of ids [first, first + count) afresh on every client. */
function expect(first: number, count: number): void {
  firstId = first;
  expected = count;
  latencies = [];
  firstReader = new Float64Array(count).fill(Infinity);
  lastReader = new Float64Array(count).fill(-Infinity);
  stats = blankStats();
  finished = 0;
  for (const c of clients) {
    c.counts = new Uint8Array(count);
    c.finished = c.closing;
    if (c.closing) finished++;
  }
}

async function open(cmd: Extract<ClientCommand, { type: 'open' }>): Promise<OpenResult> {
  const started = now();
  expect(cmd.firstId, cmd.expected);
  const reasons: Record<string, number> = {};
  let failed = 0;
  for (let done = 0; done < cmd.count; done += cmd.batch) {
    const size = Math.min(cmd.batch, cmd.count - done);
    const results = await Promise.all(
      Array.from({ length: size }, (_, i) => openOne(cmd.host, cmd.port, cmd.path, done + i === 0)),
    );
    for (const r of results) {
      if (r.client) clients.push(r.client);
      else {
        failed++;
        reasons[r.reason!] = (reasons[r.reason!] ?? 0) + 1;
      }
    }
  }
  cpuMark = process.cpuUsage();
  wallMark = now();
  return { type: 'opened', connected: clients.length, failed, reasons, openMs: now() - started };
}

function report(): ClientReport {
  let missed = 0;
  let duplicated = 0;
  for (const c of clients) {
    for (const n of c.counts) {
      if (n === 0) missed++;
      else duplicated += n - 1;
    }
  }
  const cpu = process.cpuUsage(cpuMark);
  const r: ClientReport = {
    type: 'report',
    clients: clients.length,
    latencies,
    // JSON has no Infinity: an id nobody received is null, and the parent skips it.
    firstReaderMs: Array.from(firstReader, (x) => (Number.isFinite(x) ? x : (null as unknown as number))),
    lastReaderMs: Array.from(lastReader, (x) => (Number.isFinite(x) ? x : (null as unknown as number))),
    missed,
    duplicated,
    ...stats,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: now() - wallMark,
  };
  cpuMark = process.cpuUsage();
  wallMark = now();
  return r;
}

process.on('message', (msg: ClientCommand) => {
  void (async () => {
    switch (msg.type) {
      case 'open':
        send(await open(msg));
        break;
      case 'expect':
        expect(msg.firstId, msg.expected);
        send({ type: 'expecting' });
        break;
      case 'wait': {
        const done = new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), msg.timeoutMs);
          waiters.push(() => {
            clearTimeout(timer);
            resolve(true);
          });
          wake();
        });
        send({ type: 'waited', complete: await done });
        break;
      }
      case 'report':
        send(report());
        break;
      case 'close':
        for (const c of clients) {
          c.closing = true;
          c.socket.destroy();
        }
        clients = [];
        send({ type: 'closed' });
        break;
    }
  })();
});
// The parent went away (done or dead): nothing left to hold connections for.
process.on('disconnect', () => process.exit(0));
