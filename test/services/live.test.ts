import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, TooLargeError, ValidationError } from '../../src/domain/errors.js';
import { MAX_ENTRY_BLOCKS, MAX_ENTRY_CHARS, type LiveEvent } from '../../src/domain/live.js';
import type { Actor } from '../../src/domain/user.js';
import type { Services } from '../../src/services/index.js';
import { listAudit } from '../../src/store/audit.js';
import { problemFor } from '../../src/web/api/problem.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

const paragraph = (text: string) => ({ type: 'paragraph' as const, spans: [{ text }] });

describe.each(storeTargets())('live coverage on $name', (target) => {
  let site: TestSite;
  let s: Services;
  let writer: Actor;
  let otherWriter: Actor;
  let editor: Actor;
  let n = 0;
  /** A fresh coverage per test, so event ids start at 0 and tests do not depend on each other. */
  const open = (extra: Record<string, string> = {}) => s.live.createCoverage(editor, { title: `قصف على ريف إدلب ${++n}`, ...extra });
  const eventRows = async (coverageId: number) =>
    s.store.db.selectFrom('live_events').select(['event_id', 'type']).where('coverage_id', '=', coverageId).orderBy('event_id').execute();

  beforeAll(async () => {
    site = await openTestSite(target);
    s = site.services;
    writer = actorFor(await insertTestUser(s.store, 'contributor', 'مراسلة'));
    otherWriter = actorFor(await insertTestUser(s.store, 'contributor'));
    editor = actorFor(await insertTestUser(s.store, 'editor', 'محرر'));
  });
  afterAll(() => site.dispose());

  it('creates a coverage with an Arabic slug, config defaults, and an audit row', async () => {
    const c = await s.live.createCoverage(editor, { title: 'التغطية الحية: انتخابات البلدية', summary: 'آخر النتائج' });
    expect(c).toMatchObject({ slug: 'التغطية-الحية-انتخابات-البلدية', status: 'live', timeZone: 'Asia/Damascus', city: 'دمشق', lastEventId: 0, endedAt: null });
    expect(c.startedAt).toMatch(/Z$/);
    const again = await s.live.createCoverage(editor, { title: 'التغطية الحية: انتخابات البلدية' });
    expect(again.slug).toBe('التغطية-الحية-انتخابات-البلدية-2');
    expect(await s.live.getCoverage(c.slug)).toEqual(c);
    expect(await s.live.getCoverage(String(c.id))).toEqual(c);
    expect(await s.live.getCoverage('لا-توجد')).toBeNull();
    const audit = await listAudit(s.store.db, { action: 'live.create', limit: 50 });
    expect(audit.some((r) => r.targetId === String(c.id) && r.userId === editor.user!.id)).toBe(true);
  });

  it('accepts HLS and YouTube streams over https and refuses others', async () => {
    const hls = await open({ streamUrl: 'https://cdn.example.com/live/main.m3u8', timeZone: 'Asia/Beirut', city: 'بيروت' });
    expect(hls).toMatchObject({ streamUrl: 'https://cdn.example.com/live/main.m3u8', timeZone: 'Asia/Beirut', city: 'بيروت' });
    await expect(open({ streamUrl: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' })).resolves.toBeTruthy();
    await expect(open({ streamUrl: 'https://www.youtube.com/live/dQw4w9WgXcQ' })).resolves.toBeTruthy();
    for (const bad of ['http://cdn.example.com/live/main.m3u8', 'https://example.com/video.mp4', 'https://www.youtube.com/@channel', 'javascript:alert(1)']) {
      await expect(open({ streamUrl: bad }), bad).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(open({ timeZone: 'Mars/Olympus' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('numbers events consecutively with no gaps under 20 concurrent posts', async () => {
    const c = await open();
    const writers = [writer, otherWriter, editor];
    const events = await Promise.all(
      Array.from({ length: 20 }, (_, i) => s.live.postEntry(writers[i % 3]!, c.id, { text: `تحديث رقم ${i}` })),
    );
    expect(events.map((e) => e.eventId).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.entryId)).size).toBe(20);
    expect((await eventRows(c.id)).map((r) => r.event_id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await s.live.getCoverage(c.id))!.lastEventId).toBe(20);
    // Each event carries the entry as committed, so a reader can render it without a fetch.
    const first = events.find((e) => e.eventId === 1)!;
    expect(first.type).toBe('entry.created');
    expect((first.payload.entry as { id: number }).id).toBe(first.entryId);
  });

  it('replays exactly the events after an id, once, and asks for a resync on ids it never issued', async () => {
    const c = await open();
    const posted: LiveEvent[] = [];
    for (let i = 0; i < 5; i++) posted.push(await s.live.postEntry(writer, c.id, { text: `خبر ${i}` }));
    await s.live.deleteEntry(writer, c.id, posted[1]!.entryId!);
    const r = await s.live.eventsAfter(c.id, 3, 100);
    expect(r.resync).toBe(false);
    if (r.resync) return;
    expect(r.events.map((e) => [e.eventId, e.type])).toEqual([
      [4, 'entry.created'],
      [5, 'entry.created'],
      [6, 'entry.deleted'],
    ]);
    expect(r.lastEventId).toBe(6);
    expect(r.events[0]).toEqual(posted[3]);
    const upToDate = await s.live.eventsAfter(c.id, 6);
    expect(upToDate).toEqual({ resync: false, events: [], lastEventId: 6 });
    const paged = await s.live.eventsAfter(c.id, 0, 2);
    expect(!paged.resync && paged.events.map((e) => e.eventId)).toEqual([1, 2]);
    for (const bogus of [7, 1_000_000, -1, Number.NaN, 2.5, Number.POSITIVE_INFINITY]) {
      expect(await s.live.eventsAfter(c.id, bogus), String(bogus)).toEqual({ resync: true, lastEventId: 6 });
    }
    await expect(s.live.eventsAfter(999_999, 0)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('publishes on the bus only after the commit, and nothing for a failed write', async () => {
    const c = await open();
    const seen: { event: LiveEvent; visible: Promise<number> }[] = [];
    const unsubscribe = s.liveBus.subscribe(c.id, (event) => {
      // Read through the store, outside the writer's transaction: only committed rows show.
      const visible = s.store.db
        .selectFrom('live_events')
        .select('event_id')
        .where('coverage_id', '=', c.id)
        .where('event_id', '=', event.eventId)
        .execute()
        .then((rows) => rows.length);
      seen.push({ event, visible });
    });
    const ok = await s.live.postEntry(writer, c.id, { text: 'وصول فرق الإنقاذ' });
    expect(seen.map((x) => x.event)).toEqual([ok]);
    expect(await seen[0]!.visible).toBe(1);

    await expect(s.live.postEntry(writer, c.id, { text: 'ن'.repeat(MAX_ENTRY_CHARS + 1) })).rejects.toBeInstanceOf(TooLargeError);
    // Fails inside the transaction, after the lock: the rollback takes the entry and event too.
    await expect(
      s.live.postEntry(writer, c.id, { blocks: [paragraph('صورة'), { type: 'image', mediaId: 987654 }] }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(seen).toHaveLength(1);
    expect((await eventRows(c.id)).map((r) => r.event_id)).toEqual([1]);
    expect((await s.live.getCoverage(c.id))!.lastEventId).toBe(1);
    expect(await s.live.entries(c.id)).toHaveLength(1);

    unsubscribe();
    await s.live.postEntry(writer, c.id, { text: 'بعد إلغاء الاشتراك' });
    expect(seen).toHaveLength(1);
  });

  it('enforces the 413 limits on text and block count', async () => {
    const c = await open();
    const tooLong = s.live.postEntry(writer, c.id, { text: 'س'.repeat(MAX_ENTRY_CHARS + 1) });
    await expect(tooLong).rejects.toBeInstanceOf(TooLargeError);
    await expect(tooLong).rejects.toMatchObject({ statusCode: 413 });
    // The API's error mapping already knows it: the HTTP layer gets a 413 without new code.
    expect(problemFor(await tooLong.catch((e: unknown) => e)).status).toBe(413);
    await expect(
      s.live.postEntry(writer, c.id, { blocks: Array.from({ length: MAX_ENTRY_BLOCKS + 1 }, () => paragraph('فقرة')) }),
    ).rejects.toBeInstanceOf(TooLargeError);
    // Spread over blocks, the total counts: 3 × 7,000 characters.
    await expect(
      s.live.postEntry(writer, c.id, { blocks: [paragraph('ق'.repeat(7000)), paragraph('ق'.repeat(7000)), paragraph('ق'.repeat(7000))] }),
    ).rejects.toBeInstanceOf(TooLargeError);
    const atLimit = await s.live.postEntry(writer, c.id, {
      blocks: [...Array.from({ length: MAX_ENTRY_BLOCKS - 1 }, () => paragraph('فقرة')), paragraph('ك'.repeat(MAX_ENTRY_CHARS - 4 * (MAX_ENTRY_BLOCKS - 1)))],
    });
    expect(atLimit.eventId).toBe(1);
    const first = await s.live.postEntry(writer, c.id, { text: 'قصير' });
    await expect(s.live.editEntry(writer, c.id, first.entryId!, { text: 'ع'.repeat(MAX_ENTRY_CHARS + 1) })).rejects.toBeInstanceOf(TooLargeError);
    await expect(s.live.postEntry(writer, c.id, { text: '   ' })).rejects.toBeInstanceOf(ValidationError);
    await expect(s.live.postEntry(writer, c.id, { blocks: [{ type: 'script' }] } as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('checks roles: editors open and end coverages, writers change only their own entries', async () => {
    await expect(s.live.createCoverage(writer, { title: 'تغطية' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(s.live.createCoverage({ user: null, label: 'anon', ip: null }, { title: 'تغطية' })).rejects.toBeInstanceOf(ForbiddenError);
    const c = await open();
    await expect(s.live.endCoverage(writer, c.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(s.live.postEntry({ user: null, label: 'anon', ip: null }, c.id, { text: 'لا' })).rejects.toBeInstanceOf(ForbiddenError);

    const mine = await s.live.postEntry(writer, c.id, { text: 'مدخلي', keyEvent: true });
    const id = mine.entryId!;
    await expect(s.live.editEntry(otherWriter, c.id, id, { text: 'تعديل' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(s.live.deleteEntry(otherWriter, c.id, id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(s.live.setFlags(otherWriter, c.id, id, { keyEvent: false })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(s.live.setFlags(writer, c.id, id, { pinned: true })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(s.live.postEntry(writer, c.id, { text: 'مثبت', pinned: true })).rejects.toBeInstanceOf(ForbiddenError);

    const edited = await s.live.editEntry(writer, c.id, id, { text: 'مدخلي بعد التصحيح' });
    expect(edited).toMatchObject({ eventId: 2, type: 'entry.updated', entryId: id });
    const byEditor = await s.live.editEntry(editor, c.id, id, { blocks: [paragraph('صياغة المحرر')] });
    expect(byEditor.eventId).toBe(3);
    const pinned = await s.live.setFlags(editor, c.id, id, { pinned: true });
    expect(pinned.payload.entry).toMatchObject({ pinned: true, keyEvent: true, authorIds: [writer.user!.id] });

    const [entry] = await s.live.entries(c.id);
    expect(entry).toMatchObject({ id, pinned: true, keyEvent: true, blocks: [paragraph('صياغة المحرر')] });
    expect(entry!.editedAt).not.toBeNull();
    expect((await s.live.keyEvents(c.id)).map((e) => e.id)).toEqual([id]);

    const other = await s.live.postEntry(otherWriter, c.id, { text: 'مدخل آخر' });
    const del = await s.live.deleteEntry(editor, c.id, other.entryId!);
    expect(del).toMatchObject({ type: 'entry.deleted', eventId: 6, payload: { id: other.entryId } });
    await expect(s.live.deleteEntry(editor, c.id, other.entryId!)).rejects.toBeInstanceOf(NotFoundError);
    await expect(s.live.editEntry(editor, c.id, other.entryId!, { text: 'عودة' })).rejects.toBeInstanceOf(NotFoundError);
    const audit = await listAudit(s.store.db, { action: 'live.entry.delete', limit: 50 });
    expect(audit.some((r) => r.targetId === String(c.id) && r.details?.entryId === other.entryId)).toBe(true);

    // An entry of another coverage is not found through this one.
    const elsewhere = await open();
    await expect(s.live.editEntry(editor, elsewhere.id, id, { text: 'خطأ' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(s.live.postEntry(writer, 999_999, { text: 'لا تغطية' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists entries newest first without deleted ones, paging back by id', async () => {
    const c = await open();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await s.live.postEntry(writer, c.id, { text: `رقم ${i}` })).entryId!);
    await s.live.deleteEntry(writer, c.id, ids[3]!);
    expect((await s.live.entries(c.id, { limit: 10 })).map((e) => e.id)).toEqual([ids[4], ids[2], ids[1], ids[0]]);
    const page1 = await s.live.entries(c.id, { limit: 2 });
    expect(page1.map((e) => e.id)).toEqual([ids[4], ids[2]]);
    expect((await s.live.entries(c.id, { before: page1.at(-1)!.id, limit: 2 })).map((e) => e.id)).toEqual([ids[1], ids[0]]);
    expect((await s.live.entries(c.id))[0]!.blocks).toEqual([paragraph('رقم 4')]);
  });

  it('ends a coverage once; an ended coverage takes no more changes', async () => {
    const c = await open();
    const post = await s.live.postEntry(writer, c.id, { text: 'قبل الانتهاء' });
    const seen: LiveEvent[] = [];
    s.liveBus.subscribe(c.id, (e) => seen.push(e));
    const end = await s.live.endCoverage(editor, c.id);
    expect(end).toMatchObject({ eventId: 2, type: 'coverage.ended', entryId: null });
    expect(seen).toEqual([end]);
    const ended = (await s.live.getCoverage(c.id))!;
    expect(ended).toMatchObject({ status: 'ended', lastEventId: 2 });
    expect(ended.endedAt).toBe(end.payload.endedAt);
    await expect(s.live.postEntry(writer, c.id, { text: 'بعد الانتهاء' })).rejects.toBeInstanceOf(ConflictError);
    await expect(s.live.editEntry(writer, c.id, post.entryId!, { text: 'تعديل' })).rejects.toBeInstanceOf(ConflictError);
    await expect(s.live.deleteEntry(editor, c.id, post.entryId!)).rejects.toBeInstanceOf(ConflictError);
    await expect(s.live.setFlags(editor, c.id, post.entryId!, { keyEvent: true })).rejects.toBeInstanceOf(ConflictError);
    await expect(s.live.endCoverage(editor, c.id)).rejects.toBeInstanceOf(ConflictError);
    expect((await eventRows(c.id)).map((r) => r.event_id)).toEqual([1, 2]);
    expect(seen).toHaveLength(1);
    expect((await s.live.listCoverages({ status: 'ended' })).map((x) => x.id)).toContain(c.id);
    expect((await s.live.listCoverages({ status: 'live' })).map((x) => x.id)).not.toContain(c.id);
    const audit = await listAudit(s.store.db, { action: 'live.end', limit: 50 });
    expect(audit.filter((r) => r.targetId === String(c.id))).toHaveLength(1);
  });
});
