import type { Kysely, Updateable } from 'kysely';
import type { ArticleStatus } from '../domain/article.js';
import type { ArticleTable, Database } from './schema.js';

type Db = Kysely<Database>;

/** The columns the workflow decides on. */
export interface ArticleState {
  id: number;
  headline: string;
  status: ArticleStatus;
  ownerId: number | null;
  publishedAt: string | null;
  scheduledAt: string | null;
  stagedRevisionId: number | null;
  revisedAt: string | null;
  hasBody: boolean;
}

/**
 * Takes the article's row lock and reads its state, inside the caller's transaction. A no-op
 * UPDATE rather than SELECT … FOR UPDATE, because it works on both engines: PostgreSQL locks the
 * row until commit, and on SQLite a write as the transaction's first statement takes the
 * database write lock at once (waiting under busy_timeout) instead of failing later when a
 * read transaction tries to upgrade. Concurrent transitions of one article thus run one after
 * the other, and each sees the other's result.
 */
export async function lockArticle(db: Db, id: number): Promise<ArticleState | undefined> {
  const locked = await db
    .updateTable('articles')
    .set((eb) => ({ status: eb.ref('status') }))
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(locked.numUpdatedRows) === 0) return undefined;
  const r = await db
    .selectFrom('articles')
    .select(['id', 'headline', 'status', 'owner_id', 'published_at', 'scheduled_at', 'staged_revision_id', 'revised_at', 'body'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return {
    id: r.id,
    headline: r.headline,
    status: r.status as ArticleStatus,
    ownerId: r.owner_id ?? null,
    publishedAt: r.published_at,
    scheduledAt: r.scheduled_at ?? null,
    stagedRevisionId: r.staged_revision_id ?? null,
    revisedAt: r.revised_at ?? null,
    hasBody: r.body !== '[]',
  };
}

export type ArticleStatePatch = Pick<
  Updateable<ArticleTable>,
  'status' | 'published_at' | 'scheduled_at' | 'staged_revision_id' | 'revised_at' | 'updated_at' | 'owner_id'
>;

export async function setArticleState(db: Db, id: number, patch: ArticleStatePatch): Promise<void> {
  await db.updateTable('articles').set(patch).where('id', '=', id).execute();
}

/** Scheduled articles due at `now` (UTC ISO), earliest first. */
export async function listDueScheduled(db: Db, now: string): Promise<{ id: number; scheduledAt: string }[]> {
  const rows = await db
    .selectFrom('articles')
    .select(['id', 'scheduled_at'])
    .where('status', '=', 'scheduled')
    .where('scheduled_at', '<=', now)
    .orderBy('scheduled_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, scheduledAt: r.scheduled_at! }));
}

/**
 * Publishes one article if it is still scheduled and due. The condition is in the UPDATE
 * itself, so when two schedulers (two instances, or a restart overlapping a run) race for the
 * same article, exactly one of them changes the row and the other updates nothing: false.
 * The first publication time is kept when there is one.
 */
export async function publishIfDue(db: Db, id: number, now: string): Promise<boolean> {
  const r = await db
    .updateTable('articles')
    .set((eb) => ({
      status: 'published',
      published_at: eb.fn.coalesce('published_at', eb.val(now)),
      scheduled_at: null,
      updated_at: now,
    }))
    .where('id', '=', id)
    .where('status', '=', 'scheduled')
    .where('scheduled_at', '<=', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteArticleRow(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('articles').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
