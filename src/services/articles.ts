import type { Kysely } from 'kysely';
import { ArticleInputSchema, type Article, type ArticleInput, type ValidArticleInput } from '../domain/article.js';
import { blockText, type Block } from '../domain/blocks.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { revisionContent } from '../domain/revision.js';
import {
  getArticle,
  insertArticle,
  setArticleAuthors,
  setArticleTags,
  updateArticleRow,
  type ArticleRow,
} from '../store/articles.js';
import type { Store } from '../store/db.js';
import { getMediaByIds } from '../store/media.js';
import { insertRevision } from '../store/revisions.js';
import { lockArticle } from '../store/workflow.js';
import type { Database } from '../store/schema.js';
import { bumpContentVersion } from '../store/siteState.js';
import { ensureNamedCached, type NamedCache } from '../store/taxonomy.js';
import { syncArticle } from '../search/sync.js';
import { slugify } from '../text/slug.js';
import type { ContentEvents } from './events.js';
import { validate } from './validate.js';

type Db = Kysely<Database>;

/** A summary for cards and meta descriptions when the writer gave none: the lead paragraph, cut at a word. */
export function deriveSummary(body: readonly Block[], max = 220): string | null {
  const first = body.find((b) => b.type === 'paragraph');
  if (!first) return null;
  const text = blockText(first).trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2)).trim()}…`;
}

export async function assertMediaExist(db: Db, a: ValidArticleInput): Promise<void> {
  const ids = [
    ...(a.lead ? [a.lead.mediaId] : []),
    ...a.body.flatMap((b) => (b.type === 'image' ? [b.mediaId] : [])),
  ];
  const found = await getMediaByIds(db, ids);
  const missing = ids.find((id) => !found.has(id));
  if (missing != null) throw new ValidationError(`media ${missing} does not exist`);
}

async function linkTaxonomy(db: Db, id: number, a: ValidArticleInput, names?: NamedCache): Promise<void> {
  const tags = [];
  for (const name of new Set(a.tags)) tags.push(await ensureNamedCached(db, names, 'tags', slugify(name), name));
  const authors = [];
  for (const name of new Set(a.authors)) authors.push(await ensureNamedCached(db, names, 'authors', slugify(name), name));
  await setArticleTags(db, id, [...new Set(tags.map((t) => t.id))]);
  await setArticleAuthors(db, id, [...new Set(authors.map((t) => t.id))]);
}

async function toRow(
  db: Db,
  a: ValidArticleInput,
  now: string,
  firstPublishedAt: string | null = null,
  names?: NamedCache,
): Promise<Omit<ArticleRow, 'created_at'>> {
  const section = await ensureNamedCached(db, names, 'sections', slugify(a.section), a.section);
  return {
    slug: slugify(a.headline) || 'article',
    headline: a.headline,
    summary: a.summary || deriveSummary(a.body),
    body: JSON.stringify(a.body),
    lead_media_id: a.lead?.mediaId ?? null,
    lead_caption: a.lead?.caption ?? null,
    lead_credit: a.lead?.credit ?? null,
    dateline_place: a.datelinePlace ?? null,
    source_label: a.sourceLabel ?? null,
    section_id: section.id,
    status: a.status,
    published_at: a.publishedAt ?? firstPublishedAt ?? (a.status === 'published' ? now : null),
    updated_at: now,
    time_zone: a.timeZone,
    city: a.city,
  };
}

/** Who writes: the owner of a new article and the author of the revision. Null for imports. */
export interface ContentAuthor {
  userId?: number | null;
  note?: string | null;
}

/**
 * Inside a caller's transaction: importers add media and the article atomically. Every article
 * starts with revision 1, so its history and diffs begin at its first version.
 */
export async function createArticleIn(
  db: Db,
  input: ArticleInput,
  now = new Date().toISOString(),
  by: ContentAuthor = {},
  names?: NamedCache,
): Promise<number> {
  const a = validate(ArticleInputSchema, input, 'article');
  await assertMediaExist(db, a);
  const id = await insertArticle(db, { ...(await toRow(db, a, now, null, names)), created_at: now, owner_id: by.userId ?? null });
  await linkTaxonomy(db, id, a, names);
  await insertRevision(db, { articleId: id, userId: by.userId ?? null, createdAt: now, content: revisionContent(a), note: by.note });
  await bumpContentVersion(db);
  // Imports and the demo create published articles directly: search must see them in this commit.
  await syncArticle(db, id);
  return id;
}

/** Whole replacement with a new revision: the importer's and scripts' path, outside the workflow. */
/**
 * An imported page's own "آخر تحديث": the time its live version last changed, shown on our page
 * too. Ignored unless it comes after the publication time.
 */
export async function markRevisedIn(db: Db, id: number, revisedAt: string): Promise<void> {
  const row = await db.selectFrom('articles').select('published_at').where('id', '=', id).executeTakeFirst();
  const at = new Date(revisedAt);
  if (!row?.published_at || Number.isNaN(at.getTime()) || at <= new Date(row.published_at)) return;
  await updateArticleRow(db, id, { revised_at: at.toISOString() });
}

export async function replaceArticleIn(db: Db, id: number, input: ArticleInput, now = new Date().toISOString(), by: ContentAuthor = {}, names?: NamedCache) {
  const a = validate(ArticleInputSchema, input, 'article');
  // The row lock serialises concurrent replacements, so their revision numbers cannot collide.
  if (!(await lockArticle(db, id))) throw new NotFoundError(`article ${id} not found`);
  await applyArticleIn(db, id, a, now, names);
  await insertRevision(db, { articleId: id, userId: by.userId ?? null, createdAt: now, content: revisionContent(a), note: by.note });
  await syncArticle(db, id);
}

/** Makes validated content the article's row (live content when published), without a revision. */
export async function applyArticleIn(db: Db, id: number, a: ValidArticleInput, now = new Date().toISOString(), names?: NamedCache) {
  const existing = await db.selectFrom('articles').select(['published_at']).where('id', '=', id).executeTakeFirst();
  if (!existing) throw new NotFoundError(`article ${id} not found`);
  await assertMediaExist(db, a);
  // The first publication time stays unless the editor sets another: feeds and sitemaps rely on it.
  // Content applied whole supersedes any pending staged edit.
  await updateArticleRow(db, id, { ...(await toRow(db, a, now, existing.published_at, names)), staged_revision_id: null });
  await linkTaxonomy(db, id, a, names);
  await bumpContentVersion(db);
}

export class ArticleService {
  constructor(
    private readonly store: Store,
    private readonly events: ContentEvents,
  ) {}

  async create(input: ArticleInput): Promise<Article> {
    const id = await this.store.db.transaction().execute((trx) => createArticleIn(trx, input));
    this.events.emit({ type: 'article', id });
    return (await getArticle(this.store.db, id))!;
  }

  /** Replaces every field; a changed headline gets a new slug and the old URL answers 301 (the id is stable). */
  async replace(id: number, input: ArticleInput): Promise<Article> {
    await this.store.db.transaction().execute((trx) => replaceArticleIn(trx, id, input));
    this.events.emit({ type: 'article', id });
    return (await getArticle(this.store.db, id))!;
  }

  get(id: number): Promise<Article | undefined> {
    return getArticle(this.store.db, id);
  }
}
