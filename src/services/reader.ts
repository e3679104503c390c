import type { Article, ArticleSummary, Media, Named } from '../domain/article.js';
import { getArticle, listArticles, type ArticleQuery } from '../store/articles.js';
import type { Store } from '../store/db.js';
import { getMediaByIds } from '../store/media.js';
import { getContentVersion } from '../store/siteState.js';
import { findNamedBySlug, listSections } from '../store/taxonomy.js';

export interface SectionGroup {
  section: Named;
  articles: ArticleSummary[];
}

export interface ArticlePage {
  article: Article;
  /** Media referenced by image blocks in the body, by id. */
  media: Map<number, Media>;
  related: ArticleSummary[];
}

export const PAGE_SIZE = 20;

/** One feed entry: the whole article and the media its body's image blocks reference. */
export interface FeedEntry {
  article: Article;
  media: Map<number, Media>;
}

/** The lists with their own page and feeds besides the site-wide ones. */
export type ListKind = 'section' | 'tag' | 'author';
const LIST_TABLES = { section: 'sections', tag: 'tags', author: 'authors' } as const;
const LIST_FILTERS = { section: 'sectionId', tag: 'tagId', author: 'authorId' } as const;

/** What reader pages show: published content only. */
export class ReaderService {
  constructor(private readonly store: Store) {}

  contentVersion(): Promise<string> {
    return getContentVersion(this.store.db);
  }

  sections(): Promise<Named[]> {
    return listSections(this.store.db);
  }

  async home(perSection = 4): Promise<{ latest: ArticleSummary[]; groups: SectionGroup[] }> {
    const db = this.store.db;
    const [newest, [featured], sections] = await Promise.all([
      listArticles(db, { status: 'published', limit: 5 }),
      listArticles(db, { status: 'published', featured: true, limit: 1 }),
      listSections(db),
    ]);
    // The newest featured article takes the lead slot however old it is; the latest others follow without repeating it.
    const latest = featured ? [featured, ...newest.filter((a) => a.id !== featured.id)].slice(0, 5) : newest;
    const groups = await Promise.all(
      sections.map(async (section) => ({
        section,
        articles: await listArticles(db, { status: 'published', sectionId: section.id, limit: perSection }),
      })),
    );
    return { latest, groups: groups.filter((g) => g.articles.length > 0) };
  }

  async section(slug: string, page = 1): Promise<{ section: Named; articles: ArticleSummary[]; hasMore: boolean } | undefined> {
    const found = await this.#listPage('sections', 'sectionId', slug, page);
    return found && { section: found.named, articles: found.articles, hasMore: found.hasMore };
  }

  async tag(slug: string, page = 1): Promise<{ tag: Named; articles: ArticleSummary[]; hasMore: boolean } | undefined> {
    const found = await this.#listPage('tags', 'tagId', slug, page);
    return found && { tag: found.named, articles: found.articles, hasMore: found.hasMore };
  }

  async author(slug: string, page = 1): Promise<{ author: Named; articles: ArticleSummary[]; hasMore: boolean } | undefined> {
    const found = await this.#listPage('authors', 'authorId', slug, page);
    return found && { author: found.named, articles: found.articles, hasMore: found.hasMore };
  }

  /** One page of a section's, tag's or author's published articles; one row more tells whether another page follows. */
  async #listPage(table: 'sections' | 'tags' | 'authors', filter: 'sectionId' | 'tagId' | 'authorId', slug: string, page: number) {
    const named = await findNamedBySlug(this.store.db, table, slug);
    if (!named) return undefined;
    const rows = await listArticles(this.store.db, {
      status: 'published',
      [filter]: named.id,
      limit: PAGE_SIZE + 1,
      offset: (page - 1) * PAGE_SIZE,
    });
    return { named, articles: rows.slice(0, PAGE_SIZE), hasMore: rows.length > PAGE_SIZE };
  }

  async article(id: number): Promise<ArticlePage | undefined> {
    const article = await getArticle(this.store.db, id);
    if (!article || article.status !== 'published') return undefined;
    const [media, related] = await Promise.all([
      getMediaByIds(
        this.store.db,
        article.body.flatMap((b) => (b.type === 'image' ? [b.mediaId] : [])),
      ),
      listArticles(this.store.db, { status: 'published', sectionId: article.section.id, excludeId: id, limit: 4 }),
    ]);
    return { article, media, related };
  }

  /** A section's, tag's or author's feed entries; undefined when the slug names none. */
  async listFeed(kind: ListKind, slug: string): Promise<{ named: Named; entries: FeedEntry[] } | undefined> {
    const named = await findNamedBySlug(this.store.db, LIST_TABLES[kind], slug);
    if (!named) return undefined;
    return { named, entries: await this.feed(PAGE_SIZE, { [LIST_FILTERS[kind]]: named.id }) };
  }

  /** The latest published articles in full, newest first, for the feeds (site-wide without a filter). */
  async feed(limit = PAGE_SIZE, filter: Pick<ArticleQuery, 'sectionId' | 'tagId' | 'authorId'> = {}): Promise<FeedEntry[]> {
    const db = this.store.db;
    const rows = await listArticles(db, { ...filter, status: 'published', limit });
    const articles = (await Promise.all(rows.map((r) => getArticle(db, r.id)))).filter(
      (a): a is Article => a !== undefined && a.status === 'published',
    );
    const media = await getMediaByIds(
      db,
      articles.flatMap((a) => a.body.flatMap((b) => (b.type === 'image' ? [b.mediaId] : []))),
    );
    return articles.map((article) => ({ article, media }));
  }
}
