import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/domain/live.js';
import { LiveBus } from '../../src/live/bus.js';
import { reconnectDelay, startRedisBridge, type RedisBridge } from '../../src/live/redisBridge.js';
import { available } from '../helpers/services.js';
import { redisTarget, startTcpProxy, viaProxy, type TcpProxy } from '../helpers/tcpProxy.js';

const REDIS_URL = process.env.REDIS_URL;
const hasRedis = available('Redis', !!REDIS_URL, 'REDIS_URL is not set');

/** Polls until `check` holds; generous, since it waits on real connections, not on a clock. */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const uniquePrefix = () => `nashra_t_${process.pid}_${randomBytes(4).toString('hex')}:`;

function event(coverageId: number, eventId: number): LiveEvent {
  return {
    coverageId,
    eventId,
    type: 'entry.created',
    entryId: eventId,
    payload: { id: eventId, blocks: [{ type: 'paragraph', spans: [{ text: `مدخل ${eventId}` }] }] },
    createdAt: new Date().toISOString(),
  };
}

interface Instance {
  bus: LiveBus;
  bridge: RedisBridge;
  /** Every event this instance's subscribers of coverage 1 saw, local and remote. */
  seen: number[];
  logs: { level: string; msg: string }[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function instance(url: string, prefix: string, opts: { waitUp?: boolean } = {}): Promise<Instance> {
  const bus = new LiveBus();
  const logs: Instance['logs'] = [];
  const seen: number[] = [];
  bus.subscribe(1, (e) => seen.push(e.eventId));
  const bridge = startRedisBridge(bus, {
    url,
    prefix,
    logger: { info: (_o, msg) => logs.push({ level: 'info', msg }), warn: (_o, msg) => logs.push({ level: 'warn', msg }) },
  });
  cleanups.push(() => bridge.close());
  if (opts.waitUp !== false) await until(() => bus.available, 'the bridge to subscribe');
  return { bus, bridge, seen, logs };
}

async function proxy(): Promise<TcpProxy> {
  const p = await startTcpProxy(redisTarget(REDIS_URL!));
  cleanups.push(() => p.close());
  return p;
}

describe.runIf(hasRedis)('Redis bridge', () => {
  it('is unavailable until subscribed, and after close', async () => {
    const bus = new LiveBus();
    const bridge = startRedisBridge(bus, { url: REDIS_URL!, prefix: uniquePrefix(), logger: { info() {}, warn() {} } });
    expect(bus.available).toBe(false);
    await until(() => bus.available, 'the bridge to subscribe');
    await bridge.close();
    expect(bus.available).toBe(false);
  });

  it('delivers an event to the other instance once, without echoing it back', async () => {
    const prefix = uniquePrefix();
    const a = await instance(REDIS_URL!, prefix);
    const b = await instance(REDIS_URL!, prefix);
    a.bus.publish(event(1, 1));
    await until(() => b.seen.length === 1, 'B to receive event 1');
    // B answers: one Redis channel keeps order, so once A has B's event, any echo of its own
    // event 1 would already have arrived before it.
    b.bus.publish(event(1, 2));
    await until(() => a.seen.length === 2, 'A to receive event 2');
    expect(a.seen).toEqual([1, 2]);
    expect(b.seen).toEqual([1, 2]);
  });

  it('keeps sites with different prefixes apart', async () => {
    const a = await instance(REDIS_URL!, uniquePrefix());
    const otherPrefix = uniquePrefix();
    const c = await instance(REDIS_URL!, otherPrefix);
    const d = await instance(REDIS_URL!, otherPrefix);
    a.bus.publish(event(1, 1));
    // A message on C's own channel published afterwards: Redis sends C's messages in the order it
    // handled the publishes, so had event 1 reached C, it would be there first.
    d.bus.publish(event(1, 7));
    await until(() => c.seen.length >= 1, 'C to receive D’s event');
    expect(c.seen).toEqual([7]);
  });

  it('reports an outage as unavailable on both sides and resumes after it', async () => {
    const prefix = uniquePrefix();
    const [pa, pb] = [await proxy(), await proxy()];
    const a = await instance(viaProxy(REDIS_URL!, pa.port), prefix);
    const b = await instance(viaProxy(REDIS_URL!, pb.port), prefix);
    pa.cut();
    pb.cut();
    await until(() => !a.bus.available && !b.bus.available, 'both buses to report the outage');
    expect(a.logs.some((l) => l.level === 'warn' && l.msg.startsWith('Redis link down'))).toBe(true);
    // Publishing into the outage must not throw into the service: the write has committed.
    expect(() => a.bus.publish(event(1, 1))).not.toThrow();
    pa.restore();
    pb.restore();
    await until(() => a.bus.available && b.bus.available, 'both buses to recover');
    expect(a.logs.at(-1)?.msg).toMatch(/^Redis link up/);
    a.bus.publish(event(1, 2));
    await until(() => b.seen.includes(2), 'delivery to resume');
  });

  it('sends what was published while only its own link was down once the link is back', async () => {
    const prefix = uniquePrefix();
    const pa = await proxy();
    const a = await instance(viaProxy(REDIS_URL!, pa.port), prefix);
    const b = await instance(REDIS_URL!, prefix);
    pa.cut();
    await until(() => !a.bus.available, 'A to notice the outage');
    a.bus.publish(event(1, 1));
    a.bus.publish(event(1, 2));
    pa.restore();
    await until(() => b.seen.length === 2, 'B to receive what A kept');
    expect(b.seen).toEqual([1, 2]);
  });

  it('ignores and logs malformed messages on the channel', async () => {
    const prefix = uniquePrefix();
    const b = await instance(REDIS_URL!, prefix);
    const raw = new Redis(REDIS_URL!);
    cleanups.push(async () => void (await raw.quit()));
    await raw.publish(`${prefix}live`, 'not json');
    await raw.publish(`${prefix}live`, JSON.stringify({ origin: 'x', event: { coverageId: '1', eventId: 1 } }));
    await raw.publish(`${prefix}live`, JSON.stringify({ origin: 'x', event: { ...event(1, 3), type: 'entry.exploded' } }));
    await raw.publish(`${prefix}live`, JSON.stringify({ origin: 'x', event: event(1, 4) }));
    await until(() => b.seen.length === 1, 'the valid message');
    expect(b.seen).toEqual([4]);
    expect(b.logs.filter((l) => l.msg === 'ignored a malformed live message')).toHaveLength(3);
  });
});

describe('reconnect backoff', () => {
  it('grows by 200 ms per attempt up to 2 s', () => {
    expect([1, 2, 5, 10, 11, 100].map(reconnectDelay)).toEqual([200, 400, 1000, 2000, 2000, 2000]);
  });
});
