import type { Kysely } from 'kysely';
import type { RevisionInfo } from '../domain/revision.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export interface NewRevision {
  articleId: number;
  userId: number | null;
  createdAt: string;
  /** Serialised here; the service validates what it stores and what it reads back. */
  content: unknown;
  note?: string | null;
}

/**
 * Next number for the article, inside the caller's transaction. The caller holds the article's
 * row lock (see `lockArticle`), so two saves of one article cannot both read the same maximum;
 * the unique (article_id, number) constraint is the backstop.
 */
export async function insertRevision(db: Db, r: NewRevision): Promise<{ id: number; number: number }> {
  const { last } = await db
    .selectFrom('article_revisions')
    .select((eb) => eb.fn.max('number').as('last'))
    .where('article_id', '=', r.articleId)
    .executeTakeFirstOrThrow();
  const number = Number(last ?? 0) + 1;
  const { id } = await db
    .insertInto('article_revisions')
    .values({
      article_id: r.articleId,
      number,
      user_id: r.userId,
      created_at: r.createdAt,
      content: JSON.stringify(r.content),
      note: r.note ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, number };
}

function infoQuery(db: Db) {
  return db
    .selectFrom('article_revisions as r')
    .leftJoin('users as u', 'u.id', 'r.user_id')
    .select([
      'r.id',
      'r.article_id',
      'r.number',
      'r.user_id',
      'u.display_name',
      'r.created_at',
      'r.note',
      'r.content',
    ]);
}

type InfoRow = {
  id: number;
  article_id: number;
  number: number;
  user_id: number | null;
  display_name: string | null;
  created_at: string;
  note: string | null;
};

function toInfo(r: InfoRow): RevisionInfo {
  return {
    id: r.id,
    articleId: r.article_id,
    number: r.number,
    userId: r.user_id,
    userName: r.display_name,
    createdAt: r.created_at,
    note: r.note,
  };
}

/** Newest first, without content: a long history stays a small read. */
export async function listRevisions(db: Db, articleId: number): Promise<RevisionInfo[]> {
  const rows = await db
    .selectFrom('article_revisions as r')
    .leftJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.id', 'r.article_id', 'r.number', 'r.user_id', 'u.display_name', 'r.created_at', 'r.note'])
    .where('r.article_id', '=', articleId)
    .orderBy('r.number', 'desc')
    .execute();
  return rows.map(toInfo);
}

export interface StoredRevision extends RevisionInfo {
  /** Parsed JSON, not yet validated. */
  content: unknown;
}

function withContent(r: (InfoRow & { content: string }) | undefined): StoredRevision | undefined {
  return r && { ...toInfo(r), content: JSON.parse(r.content) as unknown };
}

export async function getRevisionByNumber(db: Db, articleId: number, number: number): Promise<StoredRevision | undefined> {
  return withContent(
    await infoQuery(db).where('r.article_id', '=', articleId).where('r.number', '=', number).executeTakeFirst(),
  );
}

export async function getRevisionById(db: Db, id: number): Promise<StoredRevision | undefined> {
  return withContent(await infoQuery(db).where('r.id', '=', id).executeTakeFirst());
}

export async function latestRevision(db: Db, articleId: number): Promise<StoredRevision | undefined> {
  return withContent(
    await infoQuery(db).where('r.article_id', '=', articleId).orderBy('r.number', 'desc').limit(1).executeTakeFirst(),
  );
}
