import { articlePath, type Media } from '../domain/article.js';
import type { Block } from '../domain/blocks.js';
import type { Store } from '../store/db.js';
import { getMediaByIds } from '../store/media.js';
import {
  articleMonths,
  countNamedWithArticles,
  coveragesForSitemap,
  latestPublishedUpTo,
  monthArticles,
  namedWithArticles,
  recentArticles,
  recentChange,
  type SitemapArticleRow,
} from '../store/sitemaps.js';

/** The protocol's limit per file (sitemaps.org); the 50 MB limit is kept by the builder. */
export const URLS_PER_FILE = 50_000;
/** Google News reads only articles first published in the last two days, at most 1,000 a file. */
export const NEWS_WINDOW_MS = 48 * 3600 * 1000;
export const NEWS_MAX = 1000;
/** Google's limit of image entries per URL. */
export const IMAGES_PER_URL = 1000;

const EPOCH = '1970-01-01T00:00:00.000Z';

/** One file listed in the index, by its root-relative path. */
export interface SitemapRef {
  path: string;
  lastmod: string;
}

export interface UrlEntry {
  /** Root-relative; the web layer makes it absolute. */
  path: string;
  lastmod: string | null;
  images: Media[];
}

export interface NewsEntry extends UrlEntry {
  headline: string;
  /** The first publication, never the revision time. */
  publishedAt: string;
}

export interface SitemapFile<T = UrlEntry> {
  entries: T[];
  /** When the file's content last changed: its `<lastmod>` in the index and its Last-Modified. */
  lastmod: string;
}

export type NamedKind = 'sections' | 'tags';

const max = (...xs: (string | null | undefined)[]): string | null =>
  xs.reduce<string | null>((m, x) => (x && (!m || x > m) ? x : m), null);

/** `articles-2021-06.xml` for part 1, `articles-2021-06-2.xml` after it. */
export const articlesFile = (month: string, part: number) => `/sitemaps/articles-${month}${part > 1 ? `-${part}` : ''}.xml`;
export const namedFile = (kind: NamedKind, part: number) => `/sitemaps/${kind}${part > 1 ? `-${part}` : ''}.xml`;
export const LIVE_FILE = '/sitemaps/live.xml';
export const NEWS_FILE = '/news-sitemap.xml';

/** What the sitemaps list: published articles only, ever, and the lists and coverages readers can open. */
export class SitemapService {
  constructor(
    private readonly store: Store,
    /** Lowered by tests to exercise splitting without 50,000 rows. */
    private readonly perFile = URLS_PER_FILE,
  ) {}

  async index(now = new Date()): Promise<SitemapRef[]> {
    const db = this.store.db;
    const from = new Date(now.getTime() - NEWS_WINDOW_MS).toISOString();
    const [months, tagCount, coverages, newsLastmod] = await Promise.all([
      articleMonths(db),
      countNamedWithArticles(db, 'tags'),
      coveragesForSitemap(db, this.perFile),
      this.#newsLastmod(from, now),
    ]);
    // Sections and tags pages list articles: any article change may change them.
    const siteChanged = max(...months.map((m) => m.changedAt)) ?? EPOCH;
    const refs: SitemapRef[] = [];
    for (const m of months) {
      // Every part of a month carries the month's lastmod: it over-reports, never under-reports.
      for (let part = 1; part <= Math.ceil(m.count / this.perFile); part++) refs.push({ path: articlesFile(m.month, part), lastmod: m.changedAt });
    }
    refs.push({ path: namedFile('sections', 1), lastmod: siteChanged });
    for (let part = 1; part <= Math.ceil(tagCount / this.perFile); part++) refs.push({ path: namedFile('tags', part), lastmod: siteChanged });
    if (coverages.length > 0) refs.push({ path: LIVE_FILE, lastmod: max(...coverages.map((c) => c.lastmod))! });
    refs.push({ path: NEWS_FILE, lastmod: newsLastmod });
    return refs;
  }

  /** One part of a month's articles, oldest first; undefined when the month has no such part. */
  async articles(month: string, part: number): Promise<SitemapFile | undefined> {
    const db = this.store.db;
    const [bucket] = await articleMonths(db, month);
    if (!bucket || part < 1 || part > Math.ceil(bucket.count / this.perFile)) return undefined;
    const entries: UrlEntry[] = [];
    for await (const rows of monthArticles(db, month, (part - 1) * this.perFile, this.perFile)) entries.push(...(await this.#withImages(rows)));
    return { entries, lastmod: bucket.changedAt };
  }

  /**
   * Sections (with the home page first) or tags that have a published article; undefined for
   * a part past the last. Sections are never split: a site has far fewer than 50,000.
   */
  async named(kind: NamedKind, part: number): Promise<SitemapFile | undefined> {
    const db = this.store.db;
    const [count, months] = await Promise.all([countNamedWithArticles(db, kind), articleMonths(db)]);
    const parts = kind === 'sections' ? 1 : Math.ceil(count / this.perFile);
    if (part < 1 || part > parts) return undefined;
    const rows = await namedWithArticles(db, kind, (part - 1) * this.perFile, kind === 'sections' ? this.perFile - 1 : this.perFile);
    const prefix = kind === 'sections' ? '/section/' : '/tag/';
    const entries: UrlEntry[] = rows.map((r) => ({ path: prefix + encodeURIComponent(r.slug), lastmod: r.lastmod, images: [] }));
    const newest = max(...rows.map((r) => r.lastmod));
    if (kind === 'sections') entries.unshift({ path: '/', lastmod: newest, images: [] });
    return { entries, lastmod: max(...months.map((m) => m.changedAt)) ?? EPOCH };
  }

  /** Live coverage pages, newest first, and the list of coverages; undefined when there are none. */
  async live(): Promise<SitemapFile | undefined> {
    const rows = await coveragesForSitemap(this.store.db, this.perFile - 1);
    if (rows.length === 0) return undefined;
    const lastmod = max(...rows.map((r) => r.lastmod))!;
    return {
      entries: [{ path: '/live', lastmod, images: [] }, ...rows.map((r) => ({ path: `/live/${encodeURIComponent(r.slug)}`, lastmod: r.lastmod, images: [] }))],
      lastmod,
    };
  }

  /**
   * The Google News sitemap at `now`: articles first published in the 48 hours before it,
   * newest first, the newest 1,000. Future publication times are not "in the last 48 hours".
   */
  async news(now = new Date()): Promise<SitemapFile<NewsEntry>> {
    const from = new Date(now.getTime() - NEWS_WINDOW_MS).toISOString();
    const [rows, lastmod] = await Promise.all([recentArticles(this.store.db, from, now.toISOString(), NEWS_MAX), this.#newsLastmod(from, now)]);
    const withImages = await this.#withImages(rows);
    return { entries: rows.map((r, i) => ({ ...withImages[i]!, headline: r.headline, publishedAt: r.publishedAt })), lastmod };
  }

  /**
   * The news file's change time without reading its rows: the latest publication or revision in
   * the window, or the moment the clock last moved an article out of it, whichever is later.
   */
  async #newsLastmod(from: string, now: Date): Promise<string> {
    const [inside, lastLeft] = await Promise.all([recentChange(this.store.db, from, now.toISOString()), latestPublishedUpTo(this.store.db, from)]);
    const left = lastLeft && new Date(new Date(lastLeft).getTime() + NEWS_WINDOW_MS).toISOString();
    return max(left, inside.published, inside.revised) ?? EPOCH;
  }

  async #withImages(rows: SitemapArticleRow[]): Promise<UrlEntry[]> {
    const ids = rows.map((r) => [...(r.leadMediaId == null ? [] : [r.leadMediaId]), ...bodyImageIds(r.body)]);
    const media = await getMediaByIds(this.store.db, ids.flat());
    return rows.map((r, i) => ({
      path: articlePath(r),
      lastmod: max(r.publishedAt, r.revisedAt),
      images: [...new Set(ids[i])]
        .map((id) => media.get(id))
        .filter((m): m is Media => !!m?.storageKey)
        .slice(0, IMAGES_PER_URL),
    }));
  }
}

function bodyImageIds(json: string): number[] {
  try {
    return (JSON.parse(json) as Block[]).flatMap((b) => (b.type === 'image' ? [b.mediaId] : []));
  } catch {
    return [];
  }
}
