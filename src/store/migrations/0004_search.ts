import { sql, type Kysely } from 'kysely';
import { idColumn, idConstraints, isPostgres } from './columns.js';

/**
 * The search index (issue 5). One metadata row per searchable thing (a published article or a
 * visible live entry) carries what filters and recency need; the words themselves go into the
 * engine's own full-text structure: an FTS5 table on SQLite, a tsvector column with a GIN index
 * on PostgreSQL. Both hold our analyzer's terms, never raw text, so the engines' own tokenizers
 * and stemmers never decide what matches (see docs/search.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  let table = db.schema
    .createTable('search_documents')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('article', 'live')`))
    .addColumn('ref_id', 'integer', (c) => c.notNull())
    .addColumn('coverage_id', 'integer')
    .addColumn('section_id', 'integer')
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('search_documents_ref', ['type', 'ref_id']);
  // tsvector exists only on PostgreSQL; SQLite keeps the words in the FTS5 table below.
  if (pg) table = table.addColumn('terms', sql`tsvector`, (c) => c.notNull());
  await table.execute();
  await db.schema.createIndex('search_documents_published').on('search_documents').columns(['published_at']).execute();

  if (pg) {
    await sql`create index search_documents_terms on search_documents using gin (terms)`.execute(db);
  } else {
    // Contentless: the originals live in the articles and entries; the index keeps only what
    // MATCH and bm25() need. contentless_delete lets a document be replaced by rowid.
    // unicode61 without diacritic removal: our terms are already folded letters and digits, so
    // it only splits on spaces and must not fold anything a second time.
    await sql`create virtual table search_fts using fts5(
      headline, summary, body, tags, captions, alt,
      content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
    )`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) await sql`drop table search_fts`.execute(db);
  await db.schema.dropTable('search_documents').execute();
}
