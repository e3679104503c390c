import type { Kysely } from 'kysely';
import type { Database, RedirectTable } from './schema.js';

type Db = Kysely<Database>;
export type RedirectTarget = Pick<RedirectTable, 'target_type' | 'target_id'>;

export function findRedirect(db: Db, path: string): Promise<RedirectTarget | undefined> {
  return db.selectFrom('redirects').select(['target_type', 'target_id']).where('path', '=', path).executeTakeFirst();
}

/** Points each path at the target; a path that pointed elsewhere is moved (the newest import wins). */
export async function saveRedirects(db: Db, paths: readonly string[], target: RedirectTarget & { source: string | null }, at: string): Promise<void> {
  const unique = [...new Set(paths)];
  if (unique.length === 0) return;
  await db
    .insertInto('redirects')
    .values(unique.map((path) => ({ path, ...target, created_at: at })))
    .onConflict((oc) => oc.column('path').doUpdateSet({ target_type: target.target_type, target_id: target.target_id, source: target.source }))
    .execute();
}

export async function redirectsTo(db: Db, target: RedirectTarget): Promise<string[]> {
  const rows = await db
    .selectFrom('redirects')
    .select('path')
    .where('target_type', '=', target.target_type)
    .where('target_id', '=', target.target_id)
    .orderBy('path')
    .execute();
  return rows.map((r) => r.path);
}

/** The target's current slug and status, so the redirect goes to its URL of today. */
export async function redirectTargetState(db: Db, t: RedirectTarget): Promise<{ id: number; slug: string; status: string } | undefined> {
  if (t.target_type === 'article') return db.selectFrom('articles').select(['id', 'slug', 'status']).where('id', '=', t.target_id).executeTakeFirst();
  return db.selectFrom('pages').select(['id', 'slug', 'status']).where('id', '=', t.target_id).executeTakeFirst();
}
