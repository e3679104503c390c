import type { Kysely } from 'kysely';
import type { Named } from '../domain/article.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;
type NamedTable = 'sections' | 'tags' | 'authors';

/** Find by slug or create: names typed by editors and importers converge on one row. */
export async function ensureNamed(db: Db, table: NamedTable, slug: string, name: string): Promise<Named> {
  const found = await db.selectFrom(table).select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst();
  if (found) return found;
  if (table === 'sections') {
    const { max } = await db
      .selectFrom('sections')
      .select((eb) => eb.fn.max<number | null>('position').as('max'))
      .executeTakeFirstOrThrow();
    await db
      .insertInto('sections')
      .values({ slug, name, position: (max ?? 0) + 1 })
      .onConflict((oc) => oc.column('slug').doNothing())
      .execute();
  } else {
    await db
      .insertInto(table)
      .values({ slug, name })
      .onConflict((oc) => oc.column('slug').doNothing())
      .execute();
  }
  return db.selectFrom(table).select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirstOrThrow();
}

/**
 * Rows found by `ensureNamed`, kept by table and slug for a bulk run (an import looks up the same
 * few sections, tags and authors for every item). Whoever holds one must clear it when a
 * transaction that used it rolls back: a row created there no longer exists.
 */
export type NamedCache = Map<string, Named>;

export async function ensureNamedCached(db: Db, cache: NamedCache | undefined, table: NamedTable, slug: string, name: string): Promise<Named> {
  if (!cache) return ensureNamed(db, table, slug, name);
  const key = `${table}\u0000${slug}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const row = await ensureNamed(db, table, slug, name);
  cache.set(key, row);
  return row;
}

export function findNamedBySlug(db: Db, table: NamedTable, slug: string): Promise<Named | undefined> {
  return db.selectFrom(table).select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst();
}

/**
 * Sections with at least one published article: the site's menu. A section that only drafts use
 * must not show: a writer's unpublished story would reach every reader page by its section name.
 */
export function listSections(db: Db): Promise<Named[]> {
  return db
    .selectFrom('sections')
    .select(['id', 'slug', 'name'])
    .where((eb) =>
      eb.exists(eb.selectFrom('articles as a').select('a.id').whereRef('a.section_id', '=', 'sections.id').where('a.status', '=', 'published')),
    )
    .orderBy('position')
    .orderBy('id')
    .execute();
}
