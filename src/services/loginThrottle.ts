import type { Kysely } from 'kysely';
import { appendAudit } from '../store/audit.js';
import type { Database } from '../store/schema.js';
import { clearThrottle, countAttempt, pruneThrottles, refundAttempt, setBlockedUntil } from '../store/throttle.js';
import { LoginThrottledError } from './accountErrors.js';

type Db = Kysely<Database>;

/** Failures are counted over this window; a quiet spell this long starts the count again. */
export const THROTTLE_WINDOW_MS = 15 * 60_000;
const MAX_BLOCK_MS = 15 * 60_000;
/** The first block; each further failure doubles it, up to MAX_BLOCK_MS. */
const BASE_BLOCK_MS = 15_000;
/**
 * Per account few: guessing one person's password. Per IP more: a newsroom behind one NAT
 * mistypes too, and per-IP limits mostly slow a spray over many accounts.
 */
export const THRESHOLDS = { account: 5, ip: 20 } as const;

export interface ThrottleKeys {
  /** The normalised email typed; null when it was not an email at all (never store what may be a password). */
  account: string | null;
  ip: string | null;
}

interface Counted {
  key: string;
  failures: number;
  /** The block this attempt set, in ms (0: none). */
  blockedMs: number;
}

/** What an attempt counted, so that its outcome can settle it. */
export interface Reservation {
  keys: ThrottleKeys;
  counted: Counted[];
}

export function blockMs(failures: number, threshold: number): number {
  if (failures < threshold) return 0;
  return Math.min(BASE_BLOCK_MS * 2 ** Math.min(failures - threshold, 16), MAX_BLOCK_MS);
}

/**
 * Counts the attempt before the password is checked, and blocks at the threshold before the
 * check too: a burst of parallel guesses cannot all pass a "not blocked yet" test. A success
 * gives the count back (recordSuccess). Throws LoginThrottledError, counting nothing, while blocked.
 */
export async function reserveAttempt(db: Db, keys: ThrottleKeys, now: Date): Promise<Reservation> {
  const at = now.toISOString();
  const quietSince = new Date(now.getTime() - THROTTLE_WINDOW_MS).toISOString();
  const wanted = [
    ...(keys.account ? [{ key: `account:${keys.account}`, threshold: THRESHOLDS.account }] : []),
    ...(keys.ip ? [{ key: `ip:${keys.ip}`, threshold: THRESHOLDS.ip }] : []),
  ];
  const counted: Counted[] = [];
  await db.transaction().execute(async (trx) => {
    for (const { key, threshold } of wanted) {
      const r = await countAttempt(trx, key, at, quietSince);
      const until = r.blockedUntil ? Date.parse(r.blockedUntil) : 0;
      // Throwing rolls back the other key's count too.
      if (until > now.getTime()) throw new LoginThrottledError(Math.ceil((until - now.getTime()) / 1000));
      const ms = blockMs(r.failures, threshold);
      if (ms) await setBlockedUntil(trx, key, new Date(now.getTime() + ms).toISOString());
      counted.push({ key, failures: r.failures, blockedMs: ms });
    }
  });
  return { keys, counted };
}

/** In the failed attempt's transaction: records the blocks it started, and drops stale rows. */
export async function recordFailure(db: Db, r: Reservation, now: Date): Promise<void> {
  const at = now.toISOString();
  for (const c of r.counted) {
    if (!c.blockedMs) continue;
    // Only the start of each block is recorded; refused attempts are not, so a flood of them
    // cannot flood the audit log too.
    await appendAudit(db, {
      action: 'login.blocked',
      targetType: 'throttle',
      targetId: c.key.startsWith('ip:') ? 'ip' : 'account',
      ip: r.keys.ip,
      at,
      details: { key: c.key, failures: c.failures, seconds: c.blockedMs / 1000 },
    });
  }
  await pruneThrottles(db, new Date(now.getTime() - THROTTLE_WINDOW_MS).toISOString());
}

/** A success clears the account's count; the IP only gets this attempt back, so one good login cannot reset a spray. */
export async function recordSuccess(db: Db, r: Reservation): Promise<void> {
  for (const c of r.counted) {
    if (c.key.startsWith('account:')) await clearThrottle(db, c.key);
    else await refundAttempt(db, c.key, c.blockedMs > 0);
  }
}
