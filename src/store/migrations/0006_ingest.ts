import { sql, type Kysely } from 'kysely';
import { idColumn, idConstraints } from './columns.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Polling state lives here, not in memory, so a restarted (or a second) server picks up where
  // the last one stopped. `claimed_until` is a lease: an instance that died mid-poll holds a
  // source only until it runs out.
  await db.schema
    .createTable('ingest_sources')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull().unique())
    .addColumn('section', 'text')
    .addColumn('interval_s', 'integer', (c) => c.notNull())
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('next_poll_at', 'text', (c) => c.notNull())
    .addColumn('claimed_until', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_polled_at', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ingest_sources_due').on('ingest_sources').column('next_poll_at').execute();

  // Item text is stored already sanitized: `body` is validated body blocks (JSON), `excerpt` plain
  // text. The feed's raw HTML is never kept. `item_key` is the GUID/id, else the link.
  await db.schema
    .createTable('incoming_items')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('source_id', 'integer', (c) => c.notNull().references('ingest_sources.id').onDelete('cascade'))
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('excerpt', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('new').check(sql`status in ('new', 'taken', 'dismissed')`))
    .addColumn('article_id', 'integer', (c) => c.references('articles.id').onDelete('set null'))
    .addColumn('decided_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('decided_at', 'text')
    .addUniqueConstraint('incoming_items_source_key', ['source_id', 'item_key'])
    .execute();
  await db.schema.createIndex('incoming_items_queue').on('incoming_items').columns(['status', 'received_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('incoming_items').execute();
  await db.schema.dropTable('ingest_sources').execute();
}
