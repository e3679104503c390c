import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Media } from '../domain/article.js';
import { VARIANT_FORMATS, type MediaMeta, type MediaRecord, type MediaVariant } from '../domain/media.js';
import type { Database, MediaTable } from './schema.js';

type Db = Kysely<Database>;
type MediaRow = Selectable<MediaTable>;

/** The variants column is JSON text; a row whose JSON cannot be read renders like a pre-variants row. */
function parseVariants(json: string | null): MediaVariant[] | null {
  if (json == null) return null;
  try {
    const list: unknown = JSON.parse(json);
    if (!Array.isArray(list)) return null;
    return list.filter(
      (v): v is MediaVariant =>
        typeof v === 'object' &&
        v !== null &&
        Number.isInteger(v.w) &&
        Number.isInteger(v.h) &&
        VARIANT_FORMATS.includes(v.format) &&
        typeof v.key === 'string',
    );
  } catch {
    return null;
  }
}

export function toMedia(r: MediaRow): Media {
  return {
    id: r.id,
    originalName: r.original_name,
    storageKey: r.storage_key,
    mime: r.mime,
    width: r.width,
    height: r.height,
    alt: r.alt,
    caption: r.caption ?? null,
    credit: r.credit ?? null,
    variants: parseVariants(r.variants ?? null),
  };
}

function toMediaRecord(r: MediaRow): MediaRecord {
  return { ...toMedia(r), bytes: r.bytes, createdAt: r.created_at, uploadedBy: r.uploaded_by ?? null };
}

export async function insertMedia(db: Db, row: Insertable<MediaTable>): Promise<MediaRecord> {
  const inserted = await db.insertInto('media').values(row).returningAll().executeTakeFirstOrThrow();
  return toMediaRecord(inserted);
}

export async function getMedia(db: Db, id: number): Promise<MediaRecord | undefined> {
  const r = await db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toMediaRecord(r);
}

export async function findMediaByStorageKey(db: Db, key: string): Promise<MediaRecord | undefined> {
  const r = await db.selectFrom('media').selectAll().where('storage_key', '=', key).executeTakeFirst();
  return r && toMediaRecord(r);
}

export async function getMediaByIds(db: Db, ids: readonly number[]): Promise<Map<number, Media>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('media').selectAll().where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, toMedia(r)]));
}

/** Sets the fields present in `meta` (null clears one); absent keys keep their value. */
export async function updateMediaMeta(db: Db, id: number, meta: MediaMeta): Promise<MediaRecord | undefined> {
  const set = Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length === 0) return getMedia(db, id);
  const r = await db.updateTable('media').set(set).where('id', '=', id).returningAll().executeTakeFirst();
  return r && toMediaRecord(r);
}

/** Records generated files and the (oriented) size they were made at. */
export async function updateMediaFiles(
  db: Db,
  id: number,
  f: { width: number; height: number; variants: readonly MediaVariant[] },
): Promise<void> {
  await db
    .updateTable('media')
    .set({ width: f.width, height: f.height, variants: JSON.stringify(f.variants) })
    .where('id', '=', id)
    .execute();
}

export interface MediaSearch {
  q: string;
  limit: number;
  offset?: number;
}

/** `%`, `_` and the escape character itself match literally inside a LIKE pattern. */
function likeContains(q: string): string {
  return `%${q.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * The library's search: a case-insensitive substring of name, caption, credit or alt text,
 * newest first. `lower(…) like lower(…)` with an explicit ESCAPE reads the same on SQLite and
 * PostgreSQL (ILIKE is PostgreSQL only). SQLite's lower() folds ASCII only; Arabic has no case.
 * Figures whose file never arrived (no storage key) have nothing to show and are left out.
 */
export async function searchMedia(db: Db, s: MediaSearch): Promise<MediaRecord[]> {
  let query = db.selectFrom('media').selectAll().where('storage_key', 'is not', null);
  const q = s.q.trim();
  if (q) {
    const pattern = likeContains(q);
    query = query.where((eb) =>
      eb.or(
        (['original_name', 'caption', 'credit', 'alt'] as const).map(
          (col) => sql<boolean>`lower(${sql.ref(col)}) like lower(${pattern}) escape '!'`,
        ),
      ),
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(s.limit)
    .offset(s.offset ?? 0)
    .execute();
  return rows.map(toMediaRecord);
}
