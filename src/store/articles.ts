import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Article, ArticleStatus, ArticleSummary, Named } from '../domain/article.js';
import type { Block } from '../domain/blocks.js';
import { getMediaByIds } from './media.js';
import type { ArticleTable, Database } from './schema.js';

type Db = Kysely<Database>;
export type ArticleRow = Insertable<ArticleTable>;

export async function insertArticle(db: Db, row: ArticleRow): Promise<number> {
  const { id } = await db.insertInto('articles').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateArticleRow(db: Db, id: number, row: Updateable<ArticleTable>): Promise<void> {
  await db.updateTable('articles').set(row).where('id', '=', id).execute();
}

export async function setArticleTags(db: Db, articleId: number, tagIds: number[]): Promise<void> {
  await db.deleteFrom('article_tags').where('article_id', '=', articleId).execute();
  if (tagIds.length)
    await db
      .insertInto('article_tags')
      .values(tagIds.map((tag_id, position) => ({ article_id: articleId, tag_id, position })))
      .execute();
}

export async function setArticleAuthors(db: Db, articleId: number, authorIds: number[]): Promise<void> {
  await db.deleteFrom('article_authors').where('article_id', '=', articleId).execute();
  if (authorIds.length)
    await db
      .insertInto('article_authors')
      .values(authorIds.map((author_id, position) => ({ article_id: articleId, author_id, position })))
      .execute();
}

function summaryQuery(db: Db) {
  return db
    .selectFrom('articles as a')
    .innerJoin('sections as s', 's.id', 'a.section_id')
    .selectAll('a')
    .select(['s.slug as section_slug', 's.name as section_name']);
}
type SummaryRow = Selectable<ArticleTable> & { section_slug: string; section_name: string };

async function toSummaries(db: Db, rows: SummaryRow[]): Promise<ArticleSummary[]> {
  const media = await getMediaByIds(
    db,
    rows.flatMap((r) => (r.lead_media_id == null ? [] : [r.lead_media_id])),
  );
  return rows.map((r) => {
    const m = r.lead_media_id == null ? undefined : media.get(r.lead_media_id);
    return {
      id: r.id,
      slug: r.slug,
      headline: r.headline,
      summary: r.summary,
      lead: m ? { media: m, caption: r.lead_caption, credit: r.lead_credit } : null,
      datelinePlace: r.dateline_place,
      sourceLabel: r.source_label,
      section: { id: r.section_id, slug: r.section_slug, name: r.section_name },
      status: r.status as ArticleStatus,
      publishedAt: r.published_at,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      timeZone: r.time_zone,
      city: r.city,
      ownerId: r.owner_id ?? null,
      scheduledAt: r.scheduled_at ?? null,
      stagedRevisionId: r.staged_revision_id ?? null,
      revisedAt: r.revised_at ?? null,
      featured: Number(r.featured) === 1,
    };
  });
}

export async function getArticle(db: Db, id: number): Promise<Article | undefined> {
  const row = await summaryQuery(db).where('a.id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const [summary] = await toSummaries(db, [row]);
  const [tags, authors] = await Promise.all([
    db
      .selectFrom('article_tags as at')
      .innerJoin('tags as t', 't.id', 'at.tag_id')
      .select(['t.id', 't.slug', 't.name'])
      .where('at.article_id', '=', id)
      .orderBy('at.position')
      .execute(),
    db
      .selectFrom('article_authors as aa')
      .innerJoin('authors as u', 'u.id', 'aa.author_id')
      .select(['u.id', 'u.slug', 'u.name'])
      .where('aa.article_id', '=', id)
      .orderBy('aa.position')
      .execute(),
  ]);
  return { ...summary!, body: JSON.parse(row.body) as Block[], tags, authors };
}

export interface ArticleQuery {
  status?: ArticleStatus;
  sectionId?: number;
  tagId?: number;
  authorId?: number;
  excludeId?: number;
  /** Only featured articles (the home page's lead). */
  featured?: boolean;
  /** Only this writer's articles (a contributor's newsroom list). */
  ownerId?: number;
  limit: number;
  offset?: number;
}

/** Newest first by publication time; drafts (no time) sort by creation. */
export async function listArticles(db: Db, q: ArticleQuery): Promise<ArticleSummary[]> {
  let query = summaryQuery(db);
  if (q.status) query = query.where('a.status', '=', q.status);
  if (q.sectionId != null) query = query.where('a.section_id', '=', q.sectionId);
  if (q.excludeId != null) query = query.where('a.id', '!=', q.excludeId);
  if (q.featured != null) query = query.where('a.featured', '=', q.featured ? 1 : 0);
  if (q.ownerId != null) query = query.where('a.owner_id', '=', q.ownerId);
  if (q.tagId != null) {
    const tagId = q.tagId;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('article_tags as at')
          .select('at.article_id')
          .whereRef('at.article_id', '=', 'a.id')
          .where('at.tag_id', '=', tagId),
      ),
    );
  }
  if (q.authorId != null) {
    const authorId = q.authorId;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('article_authors as aa')
          .select('aa.article_id')
          .whereRef('aa.article_id', '=', 'a.id')
          .where('aa.author_id', '=', authorId),
      ),
    );
  }
  const rows = await query
    .orderBy('a.published_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(q.limit)
    .offset(q.offset ?? 0)
    .execute();
  return toSummaries(db, rows);
}

export async function countArticles(db: Db): Promise<number> {
  const { n } = await db
    .selectFrom('articles')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

export type { Named };
