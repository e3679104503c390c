import { sql, type Kysely } from 'kysely';
import { isPostgres } from './migrations/columns.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export interface ImportKey {
  localId: number;
  hash: string | null;
}

/** The local row an external item became, found by any of its external ids (post id, then GUID). */
export async function findImportKey(db: Db, source: string, kind: string, externalIds: readonly string[]): Promise<ImportKey | undefined> {
  if (externalIds.length === 0) return undefined;
  const rows = await db
    .selectFrom('import_keys')
    .select(['external_id', 'local_id', 'hash'])
    .where('source', '=', source)
    .where('kind', '=', kind)
    .where('external_id', 'in', [...externalIds])
    .execute();
  // The first id given wins: a post id is more specific than a GUID two items might share.
  for (const id of externalIds) {
    const r = rows.find((x) => x.external_id === id);
    if (r) return { localId: r.local_id, hash: r.hash };
  }
  return undefined;
}

/** Records (or moves) every external id of an item to its local row, with the hash written. */
export async function saveImportKey(
  db: Db,
  key: { source: string; kind: string; externalIds: readonly string[]; localId: number; hash: string | null; at: string },
): Promise<void> {
  const ids = [...new Set(key.externalIds)];
  if (ids.length === 0) return;
  await db
    .insertInto('import_keys')
    .values(ids.map((external_id) => ({ source: key.source, kind: key.kind, external_id, local_id: key.localId, hash: key.hash, updated_at: key.at })))
    .onConflict((oc) => oc.columns(['source', 'kind', 'external_id']).doUpdateSet({ local_id: key.localId, hash: key.hash, updated_at: key.at }))
    .execute();
}

/** Every key of one kind from a source: an import's lookup table (attachment id → media id). */
export async function listImportKeys(db: Db, source: string, kind: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('import_keys').select(['external_id', 'local_id']).where('source', '=', source).where('kind', '=', kind).execute();
  return new Map(rows.map((r) => [r.external_id, r.local_id]));
}

/** A section's parent (WordPress categories nest); the section menu does not show it yet. */
export async function setSectionParent(db: Db, sectionId: number, parentId: number | null): Promise<void> {
  await db.updateTable('sections').set({ parent_id: parentId }).where('id', '=', sectionId).execute();
}

/** Whether a local row an import key points at still exists (an editor may have deleted it). */
export async function localRowExists(db: Db, table: 'articles' | 'pages', id: number): Promise<boolean> {
  return (await db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/**
 * What an imported article has outside its content: the featured flag (sticky posts), the
 * scheduled time and WordPress' modification time. One UPDATE, no revision.
 */
export async function setImportedArticleState(db: Db, id: number, s: { featured: boolean; scheduledAt: string | null; updatedAt: string }): Promise<void> {
  await db.updateTable('articles').set({ featured: s.featured ? 1 : 0, scheduled_at: s.scheduledAt, updated_at: s.updatedAt }).where('id', '=', id).execute();
}

/**
 * A bulk import commits one transaction per item. On SQLite (WAL) `synchronous = FULL` makes
 * each commit wait for an fsync; NORMAL keeps the database consistent and only risks losing the
 * last commits to a power cut, which a re-run of the (idempotent) import restores. Returns the
 * function that puts the settings back (checkpoint interval too, below). A no-op on PostgreSQL (pooled connections).
 */
export async function relaxCommitsForImport(db: Db): Promise<() => Promise<void>> {
  if (isPostgres(db as unknown as Kysely<unknown>)) return async () => {};
  const before = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
  const level = before.rows[0]?.synchronous ?? 2;
  const checkpoint = (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db)).rows[0]?.wal_autocheckpoint ?? 1000;
  await sql`pragma synchronous = NORMAL`.execute(db);
  // Checkpoints copy the WAL into the database (and fsync both) every 1000 pages by default: each
  // item's commit writes the same hot pages (search index, taxonomy, site state) again, so fewer,
  // larger checkpoints copy each of them once. 16,000 pages (64 MB of WAL) at most.
  await sql`pragma wal_autocheckpoint = 16000`.execute(db);
  return async () => {
    await sql.raw(`pragma synchronous = ${Number(level)}`).execute(db);
    await sql.raw(`pragma wal_autocheckpoint = ${Number(checkpoint)}`).execute(db);
  };
}
