import { sql, type Kysely } from 'kysely';
import { idColumn, idConstraints } from './columns.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // last_event_id is the coverage's own event counter: every change takes the row lock and
  // bumps it in the same transaction, so a coverage's events are numbered 1, 2, 3… without gaps
  // (a sequence would leave gaps on rollback and interleave coverages).
  await db.schema
    .createTable('live_coverages')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('live', 'ended')`))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('stream_url', 'text')
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('last_event_id', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('live_coverages_status').on('live_coverages').columns(['status', 'started_at']).execute();

  // Authors as a JSON array of user ids: always read and written with the entry, never queried
  // by author, so a join table would buy nothing. Flags are 0/1 integers on both engines.
  await db.schema
    .createTable('live_entries')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('coverage_id', 'integer', (c) => c.notNull().references('live_coverages.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('author_ids', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('key_event', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('edited_at', 'text')
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema.createIndex('live_entries_coverage').on('live_entries').columns(['coverage_id', 'id']).execute();

  await db.schema
    .createTable('live_events')
    .addColumn('coverage_id', 'integer', (c) => c.notNull().references('live_coverages.id').onDelete('cascade'))
    .addColumn('event_id', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) =>
      c.notNull().check(sql`type in ('entry.created', 'entry.updated', 'entry.deleted', 'coverage.ended')`),
    )
    .addColumn('entry_id', 'integer', (c) => c.references('live_entries.id').onDelete('cascade'))
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('live_events_pk', ['coverage_id', 'event_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['live_events', 'live_entries', 'live_coverages']) {
    await db.schema.dropTable(t).execute();
  }
}
