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
