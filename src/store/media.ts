import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Media } from '../domain/article.js';
import type { Database, MediaTable } from './schema.js';

type Db = Kysely<Database>;
type MediaRow = Selectable<MediaTable>;

export function toMedia(r: MediaRow): Media {
  return {
    id: r.id,
    originalName: r.original_name,
    storageKey: r.storage_key,
    mime: r.mime,
    width: r.width,
    height: r.height,
    alt: r.alt,
  };
}

export async function insertMedia(db: Db, row: Insertable<MediaTable>): Promise<Media> {
  const inserted = await db.insertInto('media').values(row).returningAll().executeTakeFirstOrThrow();
  return toMedia(inserted);
}

export async function findMediaByStorageKey(db: Db, key: string): Promise<Media | undefined> {
  const r = await db.selectFrom('media').selectAll().where('storage_key', '=', key).executeTakeFirst();
  return r && toMedia(r);
}

export async function getMediaByIds(db: Db, ids: readonly number[]): Promise<Map<number, Media>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('media').selectAll().where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, toMedia(r)]));
}
