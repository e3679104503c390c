import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export interface ThrottleRecord {
  key: string;
  failures: number;
  lastFailureAt: string;
  blockedUntil: string | null;
}

export async function getThrottle(db: Db, key: string): Promise<ThrottleRecord | undefined> {
  const r = await db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  return r && { key: r.key, failures: r.failures, lastFailureAt: r.last_failure_at, blockedUntil: r.blocked_until };
}

/**
 * Counts one attempt in a single statement, so concurrent attempts cannot lose a count nor all
 * slip under the threshold together. A blocked key is left as it is (no count: waiting out a
 * block must not lengthen it); the caller sees `blockedUntil` in the future and refuses. The count
 * starts again only after a quiet spell: no attempt and no block since `quietSince`.
 */
export async function countAttempt(
  db: Db,
  key: string,
  now: string,
  quietSince: string,
): Promise<{ failures: number; blockedUntil: string | null }> {
  const blocked = sql<boolean>`login_throttle.blocked_until is not null and login_throttle.blocked_until > ${now}`;
  const r = await db
    .insertInto('login_throttle')
    .values({ key, failures: 1, last_failure_at: now, blocked_until: null })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql<number>`case when ${blocked} then login_throttle.failures
          when login_throttle.last_failure_at < ${quietSince}
            and (login_throttle.blocked_until is null or login_throttle.blocked_until < ${quietSince}) then 1
          else login_throttle.failures + 1 end`,
        last_failure_at: sql<string>`case when ${blocked} then login_throttle.last_failure_at else ${now} end`,
      }),
    )
    .returning(['failures', 'blocked_until'])
    .executeTakeFirstOrThrow();
  return { failures: Number(r.failures), blockedUntil: r.blocked_until };
}

/** Gives back an attempt that turned out to be a success, lifting the block it set, if any. */
export async function refundAttempt(db: Db, key: string, liftBlock: boolean): Promise<void> {
  await db
    .updateTable('login_throttle')
    .set({
      failures: sql<number>`case when failures > 0 then failures - 1 else 0 end`,
      ...(liftBlock ? { blocked_until: null } : {}),
    })
    .where('key', '=', key)
    .execute();
}

export async function setBlockedUntil(db: Db, key: string, until: string): Promise<void> {
  await db.updateTable('login_throttle').set({ blocked_until: until }).where('key', '=', key).execute();
}

export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}

/** Rows nobody needs any more: keeps a spray of made-up emails from growing the table. */
export async function pruneThrottles(db: Db, quietSince: string): Promise<void> {
  await db
    .deleteFrom('login_throttle')
    .where('last_failure_at', '<', quietSince)
    .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<', quietSince)]))
    .execute();
}
