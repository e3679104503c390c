import { sql, type Kysely } from 'kysely';
import { idColumn, idConstraints } from './columns.js';

/**
 * Issue 7 (WordPress import): static pages, old-URL redirects, a featured flag on articles, and
 * the import keys that make a second run update rather than duplicate.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Static pages (من نحن, contact …): not news, so no section, revision history or workflow.
  await db.schema
    .createTable('pages')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'published')`))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // One row per (source, kind, external id): a WordPress item is found again by its post id and
  // by its GUID, so a second run updates the same local row. `hash` is what was written last
  // time: equal means "unchanged", and nothing is written.
  await db.schema
    .createTable('import_keys')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('local_id', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_keys_pk', ['source', 'kind', 'external_id'])
    .execute();

  // Old paths (decoded, no trailing slash; `/?p=N` keeps its query) → an article or a page.
  // Read only for requests no route answers, so normal pages never pay for it.
  await db.schema
    .createTable('redirects')
    .addColumn('path', 'text', (c) => c.primaryKey())
    .addColumn('target_type', 'text', (c) => c.notNull().check(sql`target_type in ('article', 'page')`))
    .addColumn('target_id', 'integer', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('redirects_target').on('redirects').columns(['target_type', 'target_id']).execute();

  // Sticky WordPress posts; the home page's lead slot prefers the newest featured article.
  await db.schema.alterTable('articles').addColumn('featured', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // Category parents (WordPress categories nest); shown nowhere yet, kept so nothing is lost.
  await db.schema.alterTable('sections').addColumn('parent_id', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sections').dropColumn('parent_id').execute();
  await db.schema.alterTable('articles').dropColumn('featured').execute();
  for (const t of ['redirects', 'import_keys', 'pages']) await db.schema.dropTable(t).execute();
}
