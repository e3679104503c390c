import { sql, type Kysely } from 'kysely';
import { idColumn, idConstraints } from './columns.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sections')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  for (const table of ['tags', 'authors']) {
    await db.schema
      .createTable(table)
      .addColumn('id', idColumn(db), idConstraints(db))
      .addColumn('slug', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .execute();
  }

  await db.schema
    .createTable('media')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('original_name', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.unique())
    .addColumn('mime', 'text')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('bytes', 'integer')
    .addColumn('alt', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('articles')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('headline', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('lead_media_id', 'integer', (c) => c.references('media.id').onDelete('set null'))
    .addColumn('lead_caption', 'text')
    .addColumn('lead_credit', 'text')
    .addColumn('dateline_place', 'text')
    .addColumn('source_label', 'text')
    .addColumn('section_id', 'integer', (c) => c.notNull().references('sections.id'))
    // The full workflow's states from the start (see docs/decisions/0002-storage.md): SQLite
    // cannot alter a CHECK constraint without rebuilding the table.
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft', 'in_review', 'scheduled', 'published', 'unpublished')`),
    )
    .addColumn('published_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('articles_status_published').on('articles').columns(['status', 'published_at']).execute();
  await db.schema
    .createIndex('articles_section_published')
    .on('articles')
    .columns(['section_id', 'status', 'published_at'])
    .execute();

  for (const [table, col, ref] of [
    ['article_tags', 'tag_id', 'tags.id'],
    ['article_authors', 'author_id', 'authors.id'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('article_id', 'integer', (c) => c.notNull().references('articles.id').onDelete('cascade'))
      .addColumn(col, 'integer', (c) => c.notNull().references(ref).onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['article_id', col])
      .execute();
    await db.schema.createIndex(`${table}_${col}`).on(table).column(col).execute();
  }

  await db.schema
    .createTable('site_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['site_state', 'article_authors', 'article_tags', 'articles', 'media', 'authors', 'tags', 'sections']) {
    await db.schema.dropTable(t).execute();
  }
}
