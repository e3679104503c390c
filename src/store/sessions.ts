import type { Kysely } from 'kysely';
import type { User } from '../domain/user.js';
import type { Database } from './schema.js';
import { toUser } from './users.js';

type Db = Kysely<Database>;

export interface SessionRecord {
  idHash: string;
  userId: number;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

export async function insertSession(db: Db, s: SessionRecord): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: s.idHash,
      user_id: s.userId,
      csrf_token: s.csrfToken,
      created_at: s.createdAt,
      last_seen_at: s.lastSeenAt,
      expires_at: s.expiresAt,
      ip: s.ip,
      user_agent: s.userAgent,
    })
    .execute();
}

export async function getSessionWithUser(db: Db, idHash: string): Promise<{ session: SessionRecord; user: User } | undefined> {
  const r = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id_hash',
      's.user_id',
      's.csrf_token',
      's.created_at as s_created_at',
      's.last_seen_at',
      's.expires_at',
      's.ip',
      's.user_agent',
      'u.id',
      'u.email',
      'u.display_name',
      'u.role',
      'u.disabled_at',
      'u.created_at',
    ])
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    session: {
      idHash: r.id_hash,
      userId: r.user_id,
      csrfToken: r.csrf_token,
      createdAt: r.s_created_at,
      lastSeenAt: r.last_seen_at,
      expiresAt: r.expires_at,
      ip: r.ip,
      userAgent: r.user_agent,
    },
    user: toUser(r),
  };
}

export async function touchSession(db: Db, idHash: string, lastSeenAt: string, expiresAt: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where('id_hash', '=', idHash).execute();
}

export async function listSessionsOfUser(db: Db, userId: number): Promise<SessionRecord[]> {
  const rows = await db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('last_seen_at', 'desc').execute();
  return rows.map((r) => ({
    idHash: r.id_hash,
    userId: r.user_id,
    csrfToken: r.csrf_token,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    ip: r.ip,
    userAgent: r.user_agent,
  }));
}

/** Returns how many ended; `userId` keeps a user from ending someone else's session. */
export async function deleteSession(db: Db, idHash: string, userId?: number): Promise<number> {
  let q = db.deleteFrom('sessions').where('id_hash', '=', idHash);
  if (userId != null) q = q.where('user_id', '=', userId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteSessionsOfUser(db: Db, userId: number, exceptIdHash?: string): Promise<number> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptIdHash) q = q.where('id_hash', '!=', exceptIdHash);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteExpiredSessions(db: Db, now: string): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
}

/**
 * A random secret kept in site_state, made on first use. In the database rather than in memory
 * so every instance behind a load balancer signs and checks the same way; the insert that loses
 * a race changes nothing, and everyone reads the winner.
 */
export async function ensureSecret(db: Db, key: string, make: () => string): Promise<string> {
  await db
    .insertInto('site_state')
    .values({ key, value: make() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('site_state').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return row.value;
}
