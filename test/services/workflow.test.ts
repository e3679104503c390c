import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ArticleInput } from '../../src/domain/article.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { Actor } from '../../src/domain/user.js';
import { createServices, type Services } from '../../src/services/index.js';
import { publishDue, startScheduler } from '../../src/services/scheduler.js';
import { listAudit } from '../../src/store/audit.js';
import { openStore, type Store } from '../../src/store/db.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

const input: ArticleInput = {
  headline: 'الحكومة تعلن خطة جديدة للكهرباء',
  body: [{ type: 'paragraph', spans: [{ text: 'أعلنت الحكومة اليوم خطةً جديدة لإصلاح شبكة الكهرباء.' }] }],
  section: 'اقتصاد',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
};
const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

async function publishDueInProcess(dataDir: string, now: Date, startAt: number): Promise<number[]> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/publishDueProcess.ts', now.toISOString(), String(startAt)],
    { cwd: root, env: { ...process.env, NASHRA_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' } },
  );
  return JSON.parse(stdout) as number[];
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(storeTargets())('newsroom workflow on $name', (target) => {
  let site: TestSite;
  let s: Services;
  let writer: Actor;
  let otherWriter: Actor;
  let editor: Actor;
  let admin: Actor;
  const audit = async (action: string, id: number) =>
    (await listAudit(s.store.db, { action, limit: 100 })).filter((r) => r.targetId === String(id));
  /** Services over the same database, as a restarted or second server process would open them. */
  const reopen = (): { services: Services; close(): Promise<void> } => {
    if (target.name !== 'sqlite') return { services: s, close: async () => {} };
    const store: Store = openStore({ dataDir: site.config.dataDir });
    return { services: createServices(store, site.config), close: () => store.close() };
  };

  beforeAll(async () => {
    site = await openTestSite(target);
    s = site.services;
    writer = actorFor(await insertTestUser(s.store, 'contributor', 'كاتبة'));
    otherWriter = actorFor(await insertTestUser(s.store, 'contributor'));
    editor = actorFor(await insertTestUser(s.store, 'editor', 'محرر'));
    admin = actorFor(await insertTestUser(s.store, 'admin'));
  });
  afterAll(() => site.dispose());

  it('lets a contributor write and submit their own draft, and nothing more', async () => {
    const a = await s.workflow.create(writer, { ...input, status: 'published', publishedAt: '2020-01-01T00:00:00Z' });
    expect(a).toMatchObject({ status: 'draft', ownerId: writer.user!.id, publishedAt: null });
    const saved = await s.workflow.save(writer, a.id, { ...input, headline: 'عنوان معدّل' });
    expect(saved).toMatchObject({ staged: false, article: { headline: 'عنوان معدّل', status: 'draft' }, revision: { number: 2 } });
    expect((await s.workflow.submit(writer, a.id)).status).toBe('in_review');
    await expect(s.workflow.submit(writer, a.id)).rejects.toThrow(ConflictError);
    expect((await s.workflow.save(writer, a.id, input)).article.status).toBe('in_review');

    for (const act of [
      () => s.workflow.publish(writer, a.id),
      () => s.workflow.schedule(writer, a.id, new Date(Date.now() + 3_600_000).toISOString()),
      () => s.workflow.unpublish(writer, a.id),
      () => s.workflow.update(writer, a.id),
      () => s.workflow.delete(writer, a.id),
      () => s.workflow.save(otherWriter, a.id, input),
      () => s.workflow.submit(otherWriter, a.id),
      () => s.workflow.revisions(otherWriter, a.id),
      () => s.workflow.save({ user: null, label: 'api', ip: null }, a.id, input),
    ]) {
      await expect(act()).rejects.toThrow(ForbiddenError);
    }
    expect(await audit('article.publish', a.id)).toHaveLength(0);

    await s.workflow.publish(editor, a.id);
    // Once the desk has published it, the writer's edits stop.
    await expect(s.workflow.save(writer, a.id, input)).rejects.toThrow(ForbiddenError);
    await expect(s.workflow.save(editor, 999_999, input)).rejects.toThrow(NotFoundError);
  });

  it('publishes for an editor, keeps the first publication time, and refuses a no-op publish', async () => {
    const a = await s.workflow.create(editor, input);
    const p = await s.workflow.publish(editor, a.id);
    expect(p.status).toBe('published');
    expect(p.publishedAt).toMatch(ISO);
    expect((await s.reader.article(a.id))?.article.headline).toBe(input.headline);
    await expect(s.workflow.publish(editor, a.id)).rejects.toThrow(ConflictError);

    expect((await s.workflow.unpublish(admin, a.id)).status).toBe('unpublished');
    expect(await s.reader.article(a.id)).toBeUndefined();
    await expect(s.workflow.unpublish(editor, a.id)).rejects.toThrow(ConflictError);
    const again = await s.workflow.publish(editor, a.id);
    expect(again.publishedAt).toBe(p.publishedAt);
    expect((await audit('article.publish', a.id)).map((r) => r.actor)).toEqual([editor.label, editor.label]);

    await s.workflow.delete(editor, a.id);
    await expect(s.workflow.get(editor, a.id)).rejects.toThrow(NotFoundError);
    expect(await audit('article.delete', a.id)).toHaveLength(1);
  });

  it('stages a save to a published article until an editor applies it', async () => {
    const a = await s.workflow.create(writer, input);
    const live = await s.workflow.publish(editor, a.id);
    const saved = await s.workflow.save(editor, a.id, { ...input, headline: 'عنوانٌ مُحدَّث للخبر' });
    expect(saved.staged).toBe(true);
    expect(saved.article.stagedRevisionId).toBe(saved.revision.id);

    const before = (await s.reader.article(a.id))!.article;
    expect(before.headline).toBe(input.headline);
    expect(before.revisedAt).toBeNull();

    const updated = await s.workflow.update(editor, a.id);
    expect(updated).toMatchObject({ headline: 'عنوانٌ مُحدَّث للخبر', stagedRevisionId: null, publishedAt: live.publishedAt });
    const after = (await s.reader.article(a.id))!.article;
    expect(after.headline).toBe('عنوانٌ مُحدَّث للخبر');
    expect(after.revisedAt).toMatch(ISO);
    await expect(s.workflow.update(editor, a.id)).rejects.toThrow(ConflictError);
    expect(await audit('article.update', a.id)).toHaveLength(1);
    expect(await audit('article.save', a.id)).toHaveLength(1);
  });

  it('numbers revisions with who and when, restores as a new revision, and diffs them', async () => {
    const a = await s.workflow.create(writer, input);
    await s.workflow.save(writer, a.id, { ...input, headline: 'الحكومة تُقرّ خطة جديدة للكهرباء' });
    await s.workflow.publish(editor, a.id);
    await s.workflow.save(editor, a.id, { ...input, headline: 'عنوان ثالث' });

    const list = await s.workflow.revisions(writer, a.id);
    expect(list.map((r) => [r.number, r.userName, r.staged])).toEqual([
      [3, 'محرر', true],
      [2, 'كاتبة', false],
      [1, 'كاتبة', false],
    ]);
    for (const r of list) expect(r.createdAt).toMatch(ISO);

    const restored = await s.workflow.restore(editor, a.id, 1);
    expect(restored).toMatchObject({ staged: true, revision: { number: 4, note: 'استعادة النسخة 1' } });
    expect((await s.workflow.revision(editor, a.id, 4)).content.headline).toBe(input.headline);
    expect((await s.reader.article(a.id))!.article.headline).toBe('الحكومة تُقرّ خطة جديدة للكهرباء');
    await expect(s.workflow.restore(editor, a.id, 99)).rejects.toThrow(NotFoundError);
    expect(await audit('article.restore', a.id)).toHaveLength(1);

    const d = await s.workflow.diff(writer, a.id, 1, 2);
    expect(d.from.number).toBe(1);
    expect(d.fields.find((f) => f.field === 'headline')!.parts).toEqual([
      { op: 'same', text: 'الحكومة ' },
      { op: 'removed', text: 'تعلن' },
      { op: 'added', text: 'تُقرّ' },
      { op: 'same', text: ' خطة جديدة للكهرباء' },
    ]);
    expect(d.fields.filter((f) => f.field === 'body').every((f) => !f.changed)).toBe(true);
  });

  it('refuses a schedule in the past or malformed', async () => {
    const a = await s.workflow.create(editor, input);
    await expect(s.workflow.schedule(editor, a.id, new Date(Date.now() - 2000).toISOString())).rejects.toThrow(ValidationError);
    await expect(s.workflow.schedule(editor, a.id, 'غدا')).rejects.toThrow(ValidationError);
    expect((await s.workflow.get(editor, a.id)).status).toBe('draft');
  });

  it('publishes what fell due while no server was running, once', async () => {
    const a = await s.workflow.create(writer, input);
    const at = new Date(Date.now() + 60_000);
    const scheduled = await s.workflow.schedule(editor, a.id, at.toISOString().replace('Z', '+00:00'));
    expect(scheduled).toMatchObject({ status: 'scheduled', scheduledAt: at.toISOString() });
    expect(await s.reader.article(a.id)).toBeUndefined();

    // The server was down at `at`; a new one starts 2 s later.
    const restarted = reopen();
    try {
      expect(await publishDue(restarted.services, new Date(at.getTime() - 1))).toEqual([]);
      expect(await publishDue(restarted.services, new Date(at.getTime() + 2000))).toEqual([a.id]);
    } finally {
      await restarted.close();
    }
    const page = await s.reader.article(a.id);
    expect(page?.article).toMatchObject({ status: 'published', scheduledAt: null });
    const rows = await audit('article.publish', a.id);
    expect(rows).toMatchObject([{ actor: 'scheduler', userId: null }]);
  });

  it('publishes each due article once when schedulers run at the same moment', async () => {
    const ids: number[] = [];
    const at = new Date(Date.now() + 60_000);
    for (let i = 0; i < 12; i++) {
      const a = await s.workflow.create(editor, { ...input, headline: `خبر مجدول ${i + 1}` });
      await s.workflow.schedule(editor, a.id, at.toISOString());
      ids.push(a.id);
    }
    const now = new Date(at.getTime() + 1000);
    // On SQLite, other instances are other processes on the same file (in one process, a
    // second connection's busy wait would block the thread that holds the lock). All start
    // together once the child processes are up.
    const children = target.name === 'sqlite' ? 2 : 0;
    const startAt = Date.now() + (children ? 1500 : 0);
    const here = async () => {
      await new Promise((r) => setTimeout(r, startAt - Date.now()));
      return publishDue(s, now);
    };
    const runs = [here(), here()];
    for (let i = 0; i < children; i++) runs.push(publishDueInProcess(site.config.dataDir, now, startAt));
    const results = await Promise.all(runs);
    expect(results.flat().sort((p, q) => p - q)).toEqual(ids);
    for (const id of ids) expect(await audit('article.publish', id)).toHaveLength(1);
  });

  it('runs the scheduler at once and then on its interval, until stopped', async () => {
    const a = await s.workflow.create(editor, input);
    await s.workflow.schedule(editor, a.id, new Date(Date.now() + 300).toISOString());
    const published: number[] = [];
    const scheduler = startScheduler(s, { intervalMs: 50, onPublished: (ids) => published.push(...ids) });
    try {
      await vi.waitFor(() => expect(published).toContain(a.id), { timeout: 5000, interval: 50 });
    } finally {
      await scheduler.stop();
    }
    expect((await s.reader.article(a.id))?.article.status).toBe('published');
  });

  it('gives imported and scripted articles a first revision without a user', async () => {
    const a = await s.articles.create({ ...input, status: 'published' });
    expect(a.ownerId).toBeNull();
    expect(await s.workflow.revisions(editor, a.id)).toMatchObject([{ number: 1, userId: null, userName: null }]);
  });
});
