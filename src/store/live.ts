import type { Kysely, Selectable } from 'kysely';
import type { Block } from '../domain/blocks.js';
import type { LiveCoverage, LiveEntry, LiveEvent, LiveEventType, LiveStatus } from '../domain/live.js';
import type { Database, LiveCoverageTable, LiveEntryTable, LiveEventTable } from './schema.js';

type Db = Kysely<Database>;

function toCoverage(r: Selectable<LiveCoverageTable>): LiveCoverage {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    summary: r.summary,
    status: r.status as LiveStatus,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    streamUrl: r.stream_url,
    timeZone: r.time_zone,
    city: r.city,
    createdBy: r.created_by,
    lastEventId: Number(r.last_event_id),
  };
}

function toEntry(r: Selectable<LiveEntryTable>): LiveEntry {
  return {
    id: r.id,
    coverageId: r.coverage_id,
    createdAt: r.created_at,
    authorIds: JSON.parse(r.author_ids) as number[],
    blocks: JSON.parse(r.body) as Block[],
    keyEvent: Number(r.key_event) === 1,
    pinned: Number(r.pinned) === 1,
    editedAt: r.edited_at,
    deletedAt: r.deleted_at,
  };
}

function toEvent(r: Selectable<LiveEventTable>): LiveEvent {
  return {
    coverageId: r.coverage_id,
    eventId: Number(r.event_id),
    type: r.type as LiveEventType,
    entryId: r.entry_id,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    createdAt: r.created_at,
  };
}

export interface NewCoverage {
  slug: string;
  title: string;
  summary: string | null;
  streamUrl: string | null;
  timeZone: string;
  city: string;
  createdBy: number | null;
  startedAt: string;
}

export async function slugTaken(db: Db, slug: string): Promise<boolean> {
  const r = await db.selectFrom('live_coverages').select('id').where('slug', '=', slug).executeTakeFirst();
  return !!r;
}

export async function insertCoverage(db: Db, c: NewCoverage): Promise<LiveCoverage> {
  const r = await db
    .insertInto('live_coverages')
    .values({
      slug: c.slug,
      title: c.title,
      summary: c.summary,
      status: 'live',
      started_at: c.startedAt,
      ended_at: null,
      stream_url: c.streamUrl,
      time_zone: c.timeZone,
      city: c.city,
      created_by: c.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCoverage(r);
}

/**
 * Takes the coverage's row lock and reads it, inside the caller's transaction: the same no-op
 * UPDATE as `lockArticle` (see there for why it works on both engines). Writers of one coverage
 * thus run one after the other, and each reads the last event id its predecessor committed.
 */
export async function lockCoverage(db: Db, id: number): Promise<LiveCoverage | undefined> {
  const locked = await db
    .updateTable('live_coverages')
    .set((eb) => ({ last_event_id: eb.ref('last_event_id') }))
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(locked.numUpdatedRows) === 0) return undefined;
  return getCoverageById(db, id);
}

export async function getCoverageById(db: Db, id: number): Promise<LiveCoverage | undefined> {
  const r = await db.selectFrom('live_coverages').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toCoverage(r);
}

export async function getCoverageBySlug(db: Db, slug: string): Promise<LiveCoverage | undefined> {
  const r = await db.selectFrom('live_coverages').selectAll().where('slug', '=', slug).executeTakeFirst();
  return r && toCoverage(r);
}

export async function listCoverages(db: Db, q: { status?: LiveStatus | undefined; limit: number }): Promise<LiveCoverage[]> {
  let query = db.selectFrom('live_coverages').selectAll();
  if (q.status) query = query.where('status', '=', q.status);
  const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(toCoverage);
}

export async function endCoverageRow(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('live_coverages').set({ status: 'ended', ended_at: at }).where('id', '=', id).execute();
}

export type NewEntry = Omit<LiveEntry, 'id' | 'editedAt' | 'deletedAt'>;

export async function insertEntry(db: Db, e: NewEntry): Promise<LiveEntry> {
  const r = await db
    .insertInto('live_entries')
    .values({
      coverage_id: e.coverageId,
      created_at: e.createdAt,
      author_ids: JSON.stringify(e.authorIds),
      body: JSON.stringify(e.blocks),
      key_event: e.keyEvent ? 1 : 0,
      pinned: e.pinned ? 1 : 0,
      edited_at: null,
      deleted_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEntry(r);
}

/** The entry when it belongs to the coverage, deleted or not. */
export async function getEntry(db: Db, coverageId: number, entryId: number): Promise<LiveEntry | undefined> {
  const r = await db
    .selectFrom('live_entries')
    .selectAll()
    .where('id', '=', entryId)
    .where('coverage_id', '=', coverageId)
    .executeTakeFirst();
  return r && toEntry(r);
}

export interface EntryPatch {
  authorIds?: number[];
  blocks?: Block[];
  keyEvent?: boolean;
  pinned?: boolean;
  editedAt?: string;
  deletedAt?: string;
}

export async function updateEntry(db: Db, id: number, p: EntryPatch): Promise<LiveEntry> {
  const r = await db
    .updateTable('live_entries')
    .set({
      ...(p.authorIds ? { author_ids: JSON.stringify(p.authorIds) } : {}),
      ...(p.blocks ? { body: JSON.stringify(p.blocks) } : {}),
      ...(p.keyEvent != null ? { key_event: p.keyEvent ? 1 : 0 } : {}),
      ...(p.pinned != null ? { pinned: p.pinned ? 1 : 0 } : {}),
      ...(p.editedAt ? { edited_at: p.editedAt } : {}),
      ...(p.deletedAt ? { deleted_at: p.deletedAt } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEntry(r);
}

/** Visible entries, newest first; `before` is an entry id, for the next page. */
export async function listEntries(
  db: Db,
  coverageId: number,
  q: { before?: number | undefined; limit: number; keyEventsOnly?: boolean },
): Promise<LiveEntry[]> {
  let query = db.selectFrom('live_entries').selectAll().where('coverage_id', '=', coverageId).where('deleted_at', 'is', null);
  if (q.before != null) query = query.where('id', '<', q.before);
  if (q.keyEventsOnly) query = query.where('key_event', '=', 1);
  const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(toEntry);
}

/**
 * Appends the coverage's next event and advances its counter. Call it with the coverage locked
 * (`lockCoverage`) and `previous` read under that lock: the primary key (coverage_id, event_id)
 * turns any misuse into a failed transaction rather than a duplicate or a gap.
 */
export async function appendEvent(
  db: Db,
  previous: number,
  e: { coverageId: number; type: LiveEventType; entryId: number | null; payload: Record<string, unknown>; createdAt: string },
): Promise<LiveEvent> {
  const eventId = previous + 1;
  await db.updateTable('live_coverages').set({ last_event_id: eventId }).where('id', '=', e.coverageId).execute();
  const r = await db
    .insertInto('live_events')
    .values({
      coverage_id: e.coverageId,
      event_id: eventId,
      type: e.type,
      entry_id: e.entryId,
      payload: JSON.stringify(e.payload),
      created_at: e.createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEvent(r);
}

export async function listEventsAfter(db: Db, coverageId: number, after: number, limit: number): Promise<LiveEvent[]> {
  const rows = await db
    .selectFrom('live_events')
    .selectAll()
    .where('coverage_id', '=', coverageId)
    .where('event_id', '>', after)
    .orderBy('event_id')
    .limit(limit)
    .execute();
  return rows.map(toEvent);
}
