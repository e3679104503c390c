import type { Kysely } from 'kysely';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import {
  assertEntryNotTooLarge,
  CoverageInputSchema,
  entryBlocks,
  EntryFlagsSchema,
  EntryInputSchema,
  type CoverageInput,
  type EntryFlags,
  type EntryInput,
  type LiveCoverage,
  type LiveEntry,
  type LiveEvent,
  type LiveEventType,
  type LiveStatus,
} from '../domain/live.js';
import type { Block } from '../domain/blocks.js';
import { hasRole, type Actor, type User } from '../domain/user.js';
import type { LiveBus } from '../live/bus.js';
import { syncLiveEntry } from '../search/sync.js';
import { slugify } from '../text/slug.js';
import { appendAudit, auditBy } from '../store/audit.js';
import type { Store } from '../store/db.js';
import {
  appendEvent,
  endCoverageRow,
  getCoverageById,
  getCoverageBySlug,
  getEntry,
  insertCoverage,
  insertEntry,
  listCoverages,
  listEntries,
  listEventsAfter,
  lockCoverage,
  slugTaken,
  updateEntry,
} from '../store/live.js';
import { getMediaByIds } from '../store/media.js';
import type { Database } from '../store/schema.js';
import { validate } from './validate.js';
import { requireEditor, requireUser } from './workflowRules.js';

type Db = Kysely<Database>;

/** What a reconnecting reader gets: the missed events, or word that its position is unknown. */
export type EventReplay =
  | { resync: false; events: LiveEvent[]; lastEventId: number }
  /** The after-id is not one this coverage has issued: reload the coverage instead of replaying. */
  | { resync: true; lastEventId: number };

/** The defaults a coverage takes its zone and city from, when its input names none. */
export interface LiveDefaults {
  timeZone: string;
  city: string;
}

/**
 * Live coverage: editors open and close a coverage, the newsroom posts entries to it. Every
 * change appends the coverage's next numbered event in the same transaction, under the
 * coverage's row lock, and is published on the bus only after the commit.
 */
export class LiveService {
  constructor(
    private readonly store: Store,
    private readonly bus: LiveBus,
    private readonly defaults: LiveDefaults,
  ) {}

  async createCoverage(actor: Actor, input: CoverageInput): Promise<LiveCoverage> {
    const user = requireEditor(actor);
    const c = validate(CoverageInputSchema, input, 'تغطية حية غير صالحة');
    const now = new Date().toISOString();
    return this.store.db.transaction().execute(async (trx) => {
      const slug = await freeSlug(trx, slugify(c.title) || 'تغطية');
      const coverage = await insertCoverage(trx, {
        slug,
        title: c.title,
        summary: c.summary || null,
        streamUrl: c.streamUrl ?? null,
        timeZone: c.timeZone ?? this.defaults.timeZone,
        city: c.city ?? this.defaults.city,
        createdBy: user.id,
        startedAt: now,
      });
      await audit(trx, actor, 'live.create', coverage.id, now, { slug });
      return coverage;
    });
  }

  async endCoverage(actor: Actor, coverageId: number): Promise<LiveEvent> {
    requireEditor(actor);
    return this.change(coverageId, async (trx, coverage, now) => {
      await endCoverageRow(trx, coverage.id, now);
      await audit(trx, actor, 'live.end', coverage.id, now);
      return { type: 'coverage.ended', entryId: null, payload: { endedAt: now } };
    });
  }

  async postEntry(actor: Actor, coverageId: number, input: EntryInput): Promise<LiveEvent> {
    const user = requireUser(actor);
    const { blocks, keyEvent, pinned } = parseEntry(input);
    if (pinned) requirePinRight(user);
    return this.change(coverageId, async (trx, coverage, now) => {
      await assertMediaExist(trx, blocks);
      const entry = await insertEntry(trx, {
        coverageId: coverage.id,
        createdAt: now,
        authorIds: [user.id],
        blocks,
        keyEvent: keyEvent ?? false,
        pinned: pinned ?? false,
      });
      return { type: 'entry.created', entryId: entry.id, payload: { entry } };
    });
  }

  /** Replaces the entry's blocks; flags change only when the input names them. */
  async editEntry(actor: Actor, coverageId: number, entryId: number, input: EntryInput): Promise<LiveEvent> {
    const user = requireUser(actor);
    const { blocks, keyEvent, pinned } = parseEntry(input);
    if (pinned != null) requirePinRight(user);
    return this.change(coverageId, async (trx, coverage, now) => {
      const old = await visibleEntry(trx, coverage.id, entryId);
      assertCanChange(user, old);
      await assertMediaExist(trx, blocks);
      const entry = await updateEntry(trx, old.id, { blocks, keyEvent, pinned, editedAt: now });
      return { type: 'entry.updated', entryId: entry.id, payload: { entry } };
    });
  }

  /** Soft delete: the row stays for the audit trail; readers get `entry.deleted` and stop showing it. */
  async deleteEntry(actor: Actor, coverageId: number, entryId: number): Promise<LiveEvent> {
    const user = requireUser(actor);
    return this.change(coverageId, async (trx, coverage, now) => {
      const old = await visibleEntry(trx, coverage.id, entryId);
      assertCanChange(user, old);
      await updateEntry(trx, old.id, { deletedAt: now });
      await audit(trx, actor, 'live.entry.delete', coverage.id, now, { entryId: old.id });
      return { type: 'entry.deleted', entryId: old.id, payload: { id: old.id } };
    });
  }

  async setFlags(actor: Actor, coverageId: number, entryId: number, flags: EntryFlags): Promise<LiveEvent> {
    const user = requireUser(actor);
    const f = validate(EntryFlagsSchema, flags, 'علامات غير صالحة');
    if (f.keyEvent == null && f.pinned == null) throw new ValidationError('لا علامة لتغييرها');
    if (f.pinned != null) requirePinRight(user);
    return this.change(coverageId, async (trx, coverage) => {
      const old = await visibleEntry(trx, coverage.id, entryId);
      assertCanChange(user, old);
      // A flag is presentation, not a correction: edited_at stays as it was.
      const entry = await updateEntry(trx, old.id, { keyEvent: f.keyEvent, pinned: f.pinned });
      return { type: 'entry.updated', entryId: entry.id, payload: { entry } };
    });
  }

  /** By id (a number, or a string of digits) or by slug. */
  async getCoverage(idOrSlug: number | string): Promise<LiveCoverage | null> {
    const db = this.store.db;
    if (typeof idOrSlug === 'number') return Number.isSafeInteger(idOrSlug) ? ((await getCoverageById(db, idOrSlug)) ?? null) : null;
    if (/^\d{1,15}$/.test(idOrSlug)) {
      const byId = await getCoverageById(db, Number(idOrSlug));
      if (byId) return byId;
    }
    return (await getCoverageBySlug(db, idOrSlug)) ?? null;
  }

  async listCoverages(q: { status?: LiveStatus; limit?: number } = {}): Promise<LiveCoverage[]> {
    return listCoverages(this.store.db, { status: q.status, limit: clamp(q.limit, 50, 200) });
  }

  /** Visible entries, newest first; `before` (an entry id) pages back. */
  async entries(coverageId: number, q: { before?: number; limit?: number } = {}): Promise<LiveEntry[]> {
    await this.requireCoverage(coverageId);
    return listEntries(this.store.db, coverageId, { before: q.before, limit: clamp(q.limit, 20, 100) });
  }

  async keyEvents(coverageId: number): Promise<LiveEntry[]> {
    await this.requireCoverage(coverageId);
    return listEntries(this.store.db, coverageId, { keyEventsOnly: true, limit: 200 });
  }

  /**
   * The events after `afterEventId`, in order, for a reader catching up (SSE `Last-Event-ID`).
   * An id this coverage never issued — negative, not a number, or ahead of its counter (a
   * client from another database or a tampered header) — asks for a resync, never an error:
   * the client's remedy is to reload, whatever went wrong.
   */
  async eventsAfter(coverageId: number, afterEventId: number, limit = 500): Promise<EventReplay> {
    const coverage = await this.requireCoverage(coverageId);
    const last = coverage.lastEventId;
    if (!Number.isSafeInteger(afterEventId) || afterEventId < 0 || afterEventId > last) {
      return { resync: true, lastEventId: last };
    }
    const events = await listEventsAfter(this.store.db, coverageId, afterEventId, clamp(limit, 500, 1000));
    return { resync: false, events, lastEventId: Math.max(last, events.at(-1)?.eventId ?? 0) };
  }

  private async requireCoverage(id: number): Promise<LiveCoverage> {
    const c = Number.isSafeInteger(id) ? await getCoverageById(this.store.db, id) : undefined;
    if (!c) throw new NotFoundError('التغطية غير موجودة');
    return c;
  }

  /**
   * One change of a live coverage: locks the coverage, refuses an ended one, runs the step,
   * appends the step's event as `last_event_id + 1`, commits, and only then publishes.
   */
  private async change(
    coverageId: number,
    step: (
      trx: Db,
      coverage: LiveCoverage,
      now: string,
    ) => Promise<{ type: LiveEventType; entryId: number | null; payload: Record<string, unknown> }>,
  ): Promise<LiveEvent> {
    if (!Number.isSafeInteger(coverageId)) throw new NotFoundError('التغطية غير موجودة');
    const event = await this.store.db.transaction().execute(async (trx) => {
      const coverage = await lockCoverage(trx, coverageId);
      if (!coverage) throw new NotFoundError('التغطية غير موجودة');
      if (coverage.status === 'ended') throw new ConflictError('انتهت هذه التغطية ولا تقبل تغييرات');
      // The time is taken under the lock, so event times never run backwards against their ids.
      const now = new Date().toISOString();
      const e = await step(trx, coverage, now);
      // Posted, edited or deleted, the entry's search document changes in the same commit.
      if (e.entryId != null) await syncLiveEntry(trx, coverageId, e.entryId);
      return appendEvent(trx, coverage.lastEventId, { coverageId, ...e, createdAt: now });
    });
    this.bus.publish(event);
    return event;
  }
}

function parseEntry(input: EntryInput): { blocks: Block[]; keyEvent: boolean | undefined; pinned: boolean | undefined } {
  assertEntryNotTooLarge(input);
  const parsed = validate(EntryInputSchema, input, 'مدخل غير صالح');
  return { blocks: entryBlocks(parsed), keyEvent: parsed.keyEvent, pinned: parsed.pinned };
}

/** Pinning decides what tops every reader's page: an editorial call. */
function requirePinRight(user: User): void {
  if (!hasRole(user, 'editor')) throw new ForbiddenError('تثبيت المدخلات للمحررين فقط');
}

/** A contributor changes only entries they wrote; editors any. */
function assertCanChange(user: User, entry: LiveEntry): void {
  if (hasRole(user, 'editor')) return;
  if (entry.authorIds[0] !== user.id) throw new ForbiddenError('لا يمكنك تعديل مدخل كاتب آخر');
}

async function visibleEntry(trx: Db, coverageId: number, entryId: number): Promise<LiveEntry> {
  const e = Number.isSafeInteger(entryId) ? await getEntry(trx, coverageId, entryId) : undefined;
  if (!e || e.deletedAt) throw new NotFoundError('المدخل غير موجود');
  return e;
}

async function assertMediaExist(trx: Db, blocks: Block[]): Promise<void> {
  const ids = blocks.flatMap((b) => (b.type === 'image' ? [b.mediaId] : []));
  const found = await getMediaByIds(trx, ids);
  const missing = ids.find((id) => !found.has(id));
  if (missing != null) throw new ValidationError(`الصورة ${missing} غير موجودة`);
}

/** The slug, or the slug with the first free `-2`, `-3`…: a second coverage of a story keeps its words. */
async function freeSlug(trx: Db, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    if (!(await slugTaken(trx, slug))) return slug;
  }
}

function audit(trx: Db, actor: Actor, action: string, coverageId: number, at: string, details?: Record<string, unknown>): Promise<void> {
  return appendAudit(trx, {
    ...auditBy(actor),
    action,
    targetType: 'live_coverage',
    targetId: coverageId,
    at,
    ...(details ? { details } : {}),
  });
}

function clamp(n: number | undefined, fallback: number, max: number): number {
  if (n == null || !Number.isFinite(n)) return fallback;
  return Math.min(Math.max(1, Math.trunc(n)), max);
}
