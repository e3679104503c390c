/**
 * The queries behind the sitemaps. Times are ISO-8601 UTC text on both engines, so a month is
 * the first seven characters of `published_at` and a month's rows are the string range
 * [`2021-06`, `2021-07`): grouping and range scans read the same on SQLite and PostgreSQL and
 * use the (status, published_at) index.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export interface MonthBucket {
  /** `YYYY-MM`. */
  month: string;
  /** Published articles first published that month. */
  count: number;
  /**
   * The latest change among the month's published and unpublished articles (publication,
   * revision or row update): an unpublish removes a URL, so it moves the file's lastmod too.
   */
  changedAt: string;
}

const latest = (...xs: (string | null | undefined)[]): string | null =>
  xs.reduce<string | null>((m, x) => (x && (!m || x > m) ? x : m), null);

/**
 * Every month with a published or unpublished article (a month of unpublished ones only counts
 * 0), or just the one month asked for.
 */
export async function articleMonths(db: Db, only?: string): Promise<MonthBucket[]> {
  const month = sql<string>`substr(published_at, 1, 7)`;
  let q = db.selectFrom('articles');
  if (only) q = q.where('published_at', '>=', only).where('published_at', '<', nextMonth(only));
  const rows = await q
    .select([
      month.as('month'),
      sql<string | number>`count(case when status = 'published' then 1 end)`.as('n'),
      (eb) => eb.fn.max('published_at').as('p'),
      (eb) => eb.fn.max('revised_at').as('r'),
      (eb) => eb.fn.max('updated_at').as('u'),
    ])
    .where('status', 'in', ['published', 'unpublished'])
    .where('published_at', 'is not', null)
    .groupBy(month)
    .orderBy(month)
    .execute();
  return rows.map((r) => ({ month: r.month, count: Number(r.n), changedAt: latest(r.p, r.r, r.u)! }));
}

/** What an article URL entry needs: no headline, and the body only for its image blocks. */
export interface SitemapArticleRow {
  id: number;
  slug: string;
  headline: string;
  publishedAt: string;
  revisedAt: string | null;
  leadMediaId: number | null;
  body: string;
}

function articleRows(db: Db) {
  return db
    .selectFrom('articles')
    .select(['id', 'slug', 'headline', 'published_at', 'revised_at', 'lead_media_id', 'body'])
    .where('status', '=', 'published')
    .where('published_at', 'is not', null);
}

type Raw = { id: number; slug: string; headline: string; published_at: string | null; revised_at?: string | null; lead_media_id: number | null; body: string };
const toRow = (r: Raw): SitemapArticleRow => ({
  id: r.id,
  slug: r.slug,
  headline: r.headline,
  publishedAt: r.published_at!,
  revisedAt: r.revised_at ?? null,
  leadMediaId: r.lead_media_id,
  body: r.body,
});

/** `2021-06` → `2021-07`; `2021-12` → `2022-01`. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * One part of a month, oldest first, read in chunks so a 50,000-URL part never holds every
 * body at once: the first chunk finds the part's start by offset, the rest continue by key.
 */
export async function* monthArticles(db: Db, month: string, offset: number, limit: number, chunk = 1000): AsyncGenerator<SitemapArticleRow[]> {
  const inMonth = () => articleRows(db).where('published_at', '>=', month).where('published_at', '<', nextMonth(month));
  let last: { p: string; id: number } | undefined;
  let left = limit;
  while (left > 0) {
    let q = inMonth();
    if (last) {
      const { p, id } = last;
      q = q.where((eb) => eb.or([eb('published_at', '>', p), eb.and([eb('published_at', '=', p), eb('id', '>', id)])]));
    }
    const want = Math.min(chunk, left);
    const rows = await q
      .orderBy('published_at')
      .orderBy('id')
      .limit(want)
      .offset(last ? 0 : offset)
      .execute();
    if (rows.length > 0) yield rows.map(toRow);
    if (rows.length < want) return;
    left -= rows.length;
    const end = rows.at(-1)!;
    last = { p: end.published_at!, id: end.id };
  }
}

/** Published articles first published in [from, to], newest first (the Google News window). */
export async function recentArticles(db: Db, from: string, to: string, limit: number): Promise<SitemapArticleRow[]> {
  const rows = await articleRows(db)
    .where('published_at', '>', from)
    .where('published_at', '<=', to)
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRow);
}

export interface NamedEntry {
  slug: string;
  /** The latest publication or revision among its published articles. */
  lastmod: string;
}

/** Sections or tags with at least one published article, oldest first by id (stable parts). */
export async function namedWithArticles(db: Db, kind: 'sections' | 'tags', offset: number, limit: number): Promise<NamedEntry[]> {
  const base =
    kind === 'sections'
      ? db.selectFrom('sections as n').innerJoin('articles as a', 'a.section_id', 'n.id')
      : db.selectFrom('tags as n').innerJoin('article_tags as at', 'at.tag_id', 'n.id').innerJoin('articles as a', 'a.id', 'at.article_id');
  const rows = await base
    .select(['n.id', 'n.slug', (eb) => eb.fn.max('a.published_at').as('p'), (eb) => eb.fn.max('a.revised_at').as('r')])
    .where('a.status', '=', 'published')
    .groupBy(['n.id', 'n.slug'])
    .orderBy('n.id')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => ({ slug: r.slug, lastmod: latest(r.p, r.r)! }));
}

export async function countNamedWithArticles(db: Db, kind: 'sections' | 'tags'): Promise<number> {
  const { n } = await db
    .selectFrom(kind)
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where((eb) =>
      kind === 'sections'
        ? eb.exists(eb.selectFrom('articles as a').select('a.id').whereRef('a.section_id', '=', 'sections.id').where('a.status', '=', 'published'))
        : eb.exists(
            eb
              .selectFrom('article_tags as at')
              .innerJoin('articles as a', 'a.id', 'at.article_id')
              .select('a.id')
              .whereRef('at.tag_id', '=', 'tags.id')
              .where('a.status', '=', 'published'),
          ),
    )
    .executeTakeFirstOrThrow();
  return Number(n);
}

export interface CoverageEntry {
  slug: string;
  /** Start, end or the latest entry change, whichever is latest. */
  lastmod: string;
}

/** Live coverages, newest first; every coverage, running or ended, has a reader page. */
export async function coveragesForSitemap(db: Db, limit: number): Promise<CoverageEntry[]> {
  const rows = await db
    .selectFrom('live_coverages as c')
    .leftJoin('live_events as e', 'e.coverage_id', 'c.id')
    .select(['c.id', 'c.slug', 'c.started_at', 'c.ended_at', (eb) => eb.fn.max('e.created_at').as('e')])
    .groupBy(['c.id', 'c.slug', 'c.started_at', 'c.ended_at'])
    .orderBy('c.started_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ slug: r.slug, lastmod: latest(r.started_at, r.ended_at, r.e)! }));
}

/** The latest first publication at or before `at`: when the news window last dropped an article. */
export async function latestPublishedUpTo(db: Db, at: string): Promise<string | null> {
  const r = await articleRows(db)
    .clearSelect()
    .select((eb) => eb.fn.max('published_at').as('p'))
    .where('published_at', '<=', at)
    .executeTakeFirst();
  return r?.p ?? null;
}

/** The latest publication and revision among articles first published in (from, to]. */
export async function recentChange(db: Db, from: string, to: string): Promise<{ published: string | null; revised: string | null }> {
  const r = await articleRows(db)
    .clearSelect()
    .select([(eb) => eb.fn.max('published_at').as('p'), (eb) => eb.fn.max('revised_at').as('r')])
    .where('published_at', '>', from)
    .where('published_at', '<=', to)
    .executeTakeFirst();
  return { published: r?.p ?? null, revised: r?.r ?? null };
}
