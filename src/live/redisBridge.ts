import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { LIVE_EVENT_TYPES, type LiveEvent } from '../domain/live.js';
import type { LiveBus } from './bus.js';

/** What the bridge logs through: pino's methods, so `serve` passes its logger as is. */
export interface BridgeLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RedisBridgeOptions {
  url: string;
  /** Channel prefix (`NASHRA_REDIS_PREFIX`): only instances with the same one hear each other. */
  prefix: string;
  logger: BridgeLogger;
  /**
   * How many events committed while the publisher was offline are kept to send once it is back.
   * Beyond it the oldest are dropped: readers elsewhere still recover them from the database.
   */
  maxPending?: number;
}

export interface RedisBridge {
  close(): Promise<void>;
}

const EventSchema = z.object({
  coverageId: z.number().int().positive(),
  eventId: z.number().int().positive(),
  type: z.enum(LIVE_EVENT_TYPES),
  entryId: z.number().int().positive().nullable(),
  payload: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

const MessageSchema = z.object({ origin: z.string().min(1), event: EventSchema });

/** Reconnect quickly after a blip, then every 2 s: a down Redis is not hammered, and a back one is found soon. */
export const reconnectDelay = (attempt: number): number => Math.min(attempt * 200, 2000);

/**
 * Carries live events between instances over Redis pub/sub: each event this process commits is
 * published on `{prefix}live`; events other instances published are delivered to this bus only.
 *
 * Pub/sub is fire-and-forget, so the bridge does not try to be reliable; the consecutive event
 * ids are. The hub fills any gap from the database, and while the subscriber is not subscribed
 * the bus is marked unavailable so the hub sends readers away (to poll, then reconnect with
 * Last-Event-ID) instead of letting their streams go silently stale.
 */
export function startRedisBridge(bus: LiveBus, opts: RedisBridgeOptions): RedisBridge {
  const { logger } = opts;
  const channel = `${opts.prefix}live`;
  // Per process: a message from our own origin is one we already delivered locally.
  const origin = randomBytes(8).toString('hex');
  const maxPending = opts.maxPending ?? 1000;
  const common: RedisOptions = {
    retryStrategy: reconnectDelay,
    // A command waiting on a dead link fails after one reconnect attempt rather than hanging.
    maxRetriesPerRequest: 1,
  };
  // Never queue publishes while offline: ioredis would hold them unbounded. `pending` below is bounded.
  const publisher = new Redis(opts.url, { ...common, enableOfflineQueue: false, connectionName: 'nashra-live-pub' });
  // We subscribe ourselves on every `ready`, so we know when the subscription is really in place.
  const subscriber = new Redis(opts.url, { ...common, autoResubscribe: false, connectionName: 'nashra-live-sub' });
  let closing = false;
  let pending: string[] = [];
  // Logged on change only: ioredis reports every failed reconnect attempt, every 2 s.
  let link: 'starting' | 'up' | 'down' = 'starting';

  bus.setAvailable(false);
  const down = (why: string) => (err?: unknown) => {
    if (closing || link === 'down') return;
    link = 'down';
    bus.setAvailable(false);
    logger.warn({ err, channel }, `Redis link down (${why}): live streams refused until it is back`);
  };
  subscriber.on('close', down('connection closed'));
  subscriber.on('end', down('connection ended'));
  // A first connection that fails is reported too, or a wrong REDIS_URL would go unnoticed.
  // (An error on a ready connection is followed by `close` if it matters.)
  const failed = down('error');
  subscriber.on('error', (err) => subscriber.status !== 'ready' && failed(err));
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => {
        if (closing || link === 'up') return;
        link = 'up';
        bus.setAvailable(true);
        logger.info({ channel }, 'Redis link up: live events flow between instances');
      },
      // The link dropped again before the subscription landed; the next `ready` retries.
      (err: unknown) => logger.warn({ err, channel }, 'Redis subscribe failed'),
    );
  });
  subscriber.on('message', (from: string, raw: string) => {
    if (from !== channel) return;
    const msg = parseMessage(raw);
    if (!msg) {
      logger.warn({ channel, message: raw.slice(0, 200) }, 'ignored a malformed live message');
      return;
    }
    if (msg.origin !== origin) bus.deliver(msg.event as LiveEvent);
  });

  const send = (message: string): void => {
    publisher.publish(channel, message).catch(() => {
      // The write has committed; losing its announcement must not fail it. Keep it for the
      // reconnect (the hubs drop duplicates), bounded so a long outage cannot exhaust memory.
      if (closing) return;
      pending.push(message);
      if (pending.length > maxPending) pending = pending.slice(-maxPending);
    });
  };
  const stopPublishing = bus.onPublish((event) => send(JSON.stringify({ origin, event })));
  publisher.on('ready', () => {
    const resend = pending;
    pending = [];
    for (const message of resend) send(message);
  });

  // Without a listener ioredis would throw its `error` events; the subscriber's tell the story.
  publisher.on('error', () => {});

  return {
    async close() {
      if (closing) return;
      closing = true;
      stopPublishing();
      // Without the link, this process no longer hears other instances.
      bus.setAvailable(false);
      await Promise.all([quit(publisher), quit(subscriber)]);
    },
  };
}

function parseMessage(raw: string): z.infer<typeof MessageSchema> | null {
  try {
    const parsed = MessageSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** QUIT when connected (pending replies are read first), else just stop reconnecting. */
async function quit(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // Fall through: the link dropped while quitting.
    }
  }
  client.disconnect();
}
