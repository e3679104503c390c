import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * The process's JSON logger and what ties its lines to requests. Fastify puts the request id
 * (`reqId`) on every line logged through `req.log`; secrets never reach a line: the request
 * serializer keeps method, path and client only, and `redact` censors the usual places where a
 * credential could still be passed in a logged object.
 */

/** An id a proxy or client may pass on: short, and nothing that could forge or break a log line. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export const REQUEST_ID_HEADER = 'x-request-id';

/** The caller's `X-Request-Id` when it is safe to repeat, else a fresh UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-csrf-token', 'proxy-authorization'];
const SECRET_FIELDS = ['password', 'token', 'csrfToken', '_csrf', 'sessionId', 'session', 'purgeToken', 'secret'];

/** pino `redact` paths: headers wherever a request or response is logged, and secret-named fields up to two levels deep. */
export const REDACT_PATHS = [
  ...SECRET_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `res.headers["${h}"]`, `headers["${h}"]`, `*.headers["${h}"]`]),
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  'config.purgeToken',
  'config.metrics.token',
  'config.databaseUrl',
  'config.redisUrl',
];

interface LoggedRequest {
  method: string;
  url: string;
  ip?: string;
  hostname?: string;
}

/**
 * Only the path of a request: query strings are where links carry what should not be kept
 * (a `next=` with someone's draft URL, a key a client put there by mistake), so they are cut.
 */
function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  return { method: req.method, path: req.url.split('?')[0], ...(req.ip ? { ip: req.ip } : {}) };
}

export interface LoggerOptions {
  level: string;
  /** Where lines go: stderr by default (stdout carries command results). */
  destination?: DestinationStream;
}

export function createLogger(o: LoggerOptions): Logger {
  return pino(
    {
      level: o.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { req: serializeRequest as (req: unknown) => unknown, err: pino.stdSerializers.err },
    },
    o.destination ?? pino.destination(2),
  );
}
