import type { Kysely } from 'kysely';
import type { User } from '../domain/user.js';
import type { Database } from './schema.js';
import { toUser } from './users.js';

type Db = Kysely<Database>;
export type TokenScope = 'read' | 'write';

export interface TokenRecord {
  id: number;
  userId: number;
  name: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export async function insertToken(
  db: Db,
  t: { userId: number; name: string; tokenHash: string; scope: TokenScope; at: string },
): Promise<number> {
  const { id } = await db
    .insertInto('api_tokens')
    .values({ user_id: t.userId, name: t.name, token_hash: t.tokenHash, scope: t.scope, created_at: t.at, last_used_at: null, revoked_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

const tokenColumns = ['t.id', 't.user_id', 't.name', 't.scope', 't.created_at', 't.last_used_at', 't.revoked_at'] as const;

function toToken(r: { id: number; user_id: number; name: string; scope: string; created_at: string; last_used_at: string | null; revoked_at: string | null }): TokenRecord {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    scope: r.scope as TokenScope,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

export async function getTokenByHash(db: Db, tokenHash: string): Promise<{ token: TokenRecord; user: User } | undefined> {
  const r = await db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([...tokenColumns, 'u.email', 'u.display_name', 'u.role', 'u.disabled_at', 'u.created_at as u_created_at'])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    token: toToken(r),
    user: toUser({ id: r.user_id, email: r.email, display_name: r.display_name, role: r.role, disabled_at: r.disabled_at, created_at: r.u_created_at }),
  };
}

export async function getToken(db: Db, id: number): Promise<TokenRecord | undefined> {
  const r = await db.selectFrom('api_tokens as t').select(tokenColumns).where('t.id', '=', id).executeTakeFirst();
  return r && toToken(r);
}

export async function listTokensOfUser(db: Db, userId: number): Promise<TokenRecord[]> {
  const rows = await db.selectFrom('api_tokens as t').select(tokenColumns).where('t.user_id', '=', userId).orderBy('t.id', 'desc').execute();
  return rows.map(toToken);
}

export async function touchToken(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

/** Revokes once: a second call finds nothing to change (0). */
export async function revokeTokenRow(db: Db, id: number, at: string): Promise<number> {
  const r = await db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}
