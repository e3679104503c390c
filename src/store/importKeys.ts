import type { Kysely } from 'kysely';
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
  for (const external_id of new Set(key.externalIds)) {
    await db
      .insertInto('import_keys')
      .values({ source: key.source, kind: key.kind, external_id, local_id: key.localId, hash: key.hash, updated_at: key.at })
      .onConflict((oc) =>
        oc.columns(['source', 'kind', 'external_id']).doUpdateSet({ local_id: key.localId, hash: key.hash, updated_at: key.at }),
      )
      .execute();
  }
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

/** Sticky posts: the featured flag, outside the article content (it has no revision). */
export async function setArticleFeatured(db: Db, id: number, featured: boolean): Promise<void> {
  await db.updateTable('articles').set({ featured: featured ? 1 : 0 }).where('id', '=', id).execute();
}
