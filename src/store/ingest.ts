import type { Kysely, Selectable } from 'kysely';
import type { Database, IncomingItemTable, IngestSourceTable } from './schema.js';

type Db = Kysely<Database>;

export type SourceRow = Selectable<IngestSourceTable>;
export type ItemRow = Selectable<IncomingItemTable>;
export type QueueRow = ItemRow & { source_name: string };

export async function insertSource(
  db: Db,
  s: { name: string; url: string; section: string | null; intervalS: number; at: string },
): Promise<SourceRow> {
  return db
    .insertInto('ingest_sources')
    .values({ name: s.name, url: s.url, section: s.section, interval_s: s.intervalS, next_poll_at: s.at, created_at: s.at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function getSource(db: Db, id: number): Promise<SourceRow | undefined> {
  return db.selectFrom('ingest_sources').selectAll().where('id', '=', id).executeTakeFirst();
}

export function getSourceByUrl(db: Db, url: string): Promise<SourceRow | undefined> {
  return db.selectFrom('ingest_sources').selectAll().where('url', '=', url).executeTakeFirst();
}

export function listSources(db: Db): Promise<SourceRow[]> {
  return db.selectFrom('ingest_sources').selectAll().orderBy('id').execute();
}

export async function deleteSource(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('ingest_sources').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** Sources whose time has come and that no live lease holds. */
export async function listDueSourceIds(db: Db, now: string): Promise<number[]> {
  const rows = await db
    .selectFrom('ingest_sources')
    .select('id')
    .where('next_poll_at', '<=', now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
    .orderBy('next_poll_at')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Takes a source for one poll with a single conditional UPDATE: of several instances racing for
 * it, exactly one sees a changed row. `force` (a poll asked for by hand) skips the due check but
 * still respects another instance's lease. Returns the row as claimed, or undefined.
 */
export async function claimSource(db: Db, id: number, now: string, leaseUntil: string, force = false): Promise<SourceRow | undefined> {
  let q = db
    .updateTable('ingest_sources')
    .set({ claimed_until: leaseUntil })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]));
  if (!force) q = q.where('next_poll_at', '<=', now);
  const r = await q.executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return undefined;
  return getSource(db, id);
}

export type PollOutcome =
  | { ok: true; at: string; nextAt: string; etag?: string | null; lastModified?: string | null }
  | { ok: false; at: string; nextAt: string; error: string; failures: number };

/** Ends a claim: the lease is released and the source's health and next poll recorded. */
export async function finishPoll(db: Db, id: number, o: PollOutcome): Promise<void> {
  await db
    .updateTable('ingest_sources')
    .set(
      o.ok
        ? {
            claimed_until: null,
            last_polled_at: o.at,
            next_poll_at: o.nextAt,
            failures: 0,
            last_success_at: o.at,
            ...(o.etag !== undefined ? { etag: o.etag, last_modified: o.lastModified ?? null } : {}),
          }
        : { claimed_until: null, last_polled_at: o.at, next_poll_at: o.nextAt, failures: o.failures, last_error: o.error, last_error_at: o.at },
    )
    .where('id', '=', id)
    .execute();
}

/** Gives a claim back untouched (a poll interrupted by shutdown): due again, nothing recorded. */
export async function releaseClaim(db: Db, id: number, dueAt: string): Promise<void> {
  await db.updateTable('ingest_sources').set({ claimed_until: null, next_poll_at: dueAt }).where('id', '=', id).execute();
}

export interface NewItem {
  sourceId: number;
  key: string;
  title: string;
  link: string | null;
  excerpt: string;
  body: string;
  publishedAt: string | null;
  receivedAt: string;
}

/** Adds the item unless its source already has one with that key; true when it was new. */
export async function insertItemOnce(db: Db, i: NewItem): Promise<boolean> {
  const r = await db
    .insertInto('incoming_items')
    .values({
      source_id: i.sourceId,
      item_key: i.key,
      title: i.title,
      link: i.link,
      excerpt: i.excerpt,
      body: i.body,
      published_at: i.publishedAt,
      received_at: i.receivedAt,
    })
    .onConflict((oc) => oc.columns(['source_id', 'item_key']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** The queue: items nobody has decided on, newest first. */
export function listQueue(db: Db, opts: { sourceId?: number; limit: number }): Promise<QueueRow[]> {
  let q = db
    .selectFrom('incoming_items as i')
    .innerJoin('ingest_sources as s', 's.id', 'i.source_id')
    .selectAll('i')
    .select('s.name as source_name')
    .where('i.status', '=', 'new');
  if (opts.sourceId != null) q = q.where('i.source_id', '=', opts.sourceId);
  return q
    .orderBy((eb) => eb.fn.coalesce('i.published_at', 'i.received_at'), 'desc')
    .orderBy('i.id', 'desc')
    .limit(opts.limit)
    .execute();
}

export function getItem(db: Db, id: number): Promise<ItemRow | undefined> {
  return db.selectFrom('incoming_items').selectAll().where('id', '=', id).executeTakeFirst();
}

export function countItems(db: Db, sourceId: number): Promise<{ status: string; n: number }[]> {
  return db
    .selectFrom('incoming_items')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('source_id', '=', sourceId)
    .groupBy('status')
    .execute()
    .then((rows) => rows.map((r) => ({ status: r.status, n: Number(r.n) })));
}

/**
 * Moves a new item to `taken` or `dismissed`. Conditional, so of two editors deciding at once
 * exactly one wins, and the row stays locked (PostgreSQL) until the caller's commit.
 */
export async function decideItem(db: Db, id: number, d: { status: 'taken' | 'dismissed'; by: number | null; at: string }): Promise<boolean> {
  const r = await db
    .updateTable('incoming_items')
    .set({ status: d.status, decided_by: d.by, decided_at: d.at })
    .where('id', '=', id)
    .where('status', '=', 'new')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function setItemArticle(db: Db, id: number, articleId: number): Promise<void> {
  await db.updateTable('incoming_items').set({ article_id: articleId }).where('id', '=', id).execute();
}
