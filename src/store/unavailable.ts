/**
 * Telling "the database cannot be reached right now" apart from "this query is wrong": the first
 * is an outage the request did not cause (PostgreSQL restarting, the network to it cut, SQLite
 * locked by another writer past busy_timeout) and is answered 503 with Retry-After, so clients
 * and CDNs retry; the second stays a 500 and is logged as a bug.
 */

/** Seconds a client is told to wait before retrying: about what a PostgreSQL restart takes. */
export const RETRY_AFTER_SECONDS = 5;

/** Socket-level failures of the connection to PostgreSQL. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs of a server that is going away or cannot take us: class 08 (connection exception),
 * 57P01-57P03 (admin/crash shutdown, cannot connect now), 53300 (too many connections) and
 * 57014 (statement_timeout: the server is too slow to answer in time).
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300' || code === '57014';
}

/** What `pg` and `pg-pool` throw, without a code, when a connection dies or never comes. */
const PG_MESSAGES = [
  /^Connection terminated/, // unexpectedly, due to connection timeout, …
  /^timeout exceeded when trying to connect/, // pg-pool's connectionTimeoutMillis
  /^Query read timeout/, // pg's query_timeout
  /is not queryable/, // a client whose connection already failed
  /^Client was closed/,
];

function isUnavailableOne(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    // better-sqlite3: SQLITE_BUSY and its extended codes (SQLITE_BUSY_SNAPSHOT, …) once busy_timeout ran out.
    if (code.startsWith('SQLITE_BUSY')) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code)) return true;
  }
  return typeof message === 'string' && PG_MESSAGES.some((re) => re.test(message));
}

/** Whether `err` (or an error it wraps, through `cause` or an AggregateError) means the database is out of reach. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 5 || !err || typeof err !== 'object') return false;
  if (err instanceof DatabaseUnavailableError || isUnavailableOne(err)) return true;
  if (err instanceof AggregateError && err.errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable((err as { cause?: unknown }).cause, depth + 1);
}

/** For code that wants to say so itself (a readiness check); the HTTP error handlers answer it 503. */
export class DatabaseUnavailableError extends Error {
  readonly statusCode = 503;
  constructor(message = 'قاعدة البيانات غير متاحة مؤقتاً', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}
