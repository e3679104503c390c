import type { ArticleSummary, Named } from '../../../domain/article.js';
import type { ListKind } from '../../../services/reader.js';
import { FEED_MEDIA_TYPES, FEED_PATHS, type FeedFormat } from '../feedFormats.js';
import { Cards } from './components.js';
import { Layout, type Site } from './layout.js';

/** The heading of a section, tag or author archive (and of its feeds). */
export function listTitle(kind: ListKind, name: string): string {
  if (kind === 'tag') return `وسم: ${name}`;
  if (kind === 'author') return `الكاتب: ${name}`;
  return name;
}

/** A list's feeds are titled by site and list, so a reader subscribed to several can tell them apart. */
export const listFeedTitle = (siteName: string, kind: ListKind, name: string) => `${siteName} — ${listTitle(kind, name)}`;

/** A section, tag or author archive; paging is plain links so it works without JavaScript. */
export function ListView(props: {
  site: Site;
  kind: ListKind;
  named: Named;
  path: string;
  page: number;
  articles: ArticleSummary[];
  hasMore: boolean;
}) {
  const { site, kind, named, path, page } = props;
  const pageUrl = (n: number) => (n === 1 ? path : `${path}?page=${n}`);
  const title = listTitle(kind, named.name);
  const feedTitle = listFeedTitle(site.name, kind, named.name);
  return (
    <Layout
      site={site}
      title={page > 1 ? `${title} - صفحة ${page}` : title}
      description={kind === 'author' ? `أخبار بقلم ${named.name}` : `أخبار ${named.name}`}
      canonical={pageUrl(page)}
      head={(Object.keys(FEED_PATHS) as FeedFormat[]).map((format) => (
        <link key={format} rel="alternate" type={FEED_MEDIA_TYPES[format]} title={feedTitle} href={site.baseUrl + path + FEED_PATHS[format]} />
      ))}
    >
      <h1 class="section-title">{title}</h1>
      {props.articles.length ? (
        <Cards items={props.articles} images eagerFirst={page === 1} />
      ) : (
        <p>لا توجد أخبار هنا بعد.</p>
      )}
      {(page > 1 || props.hasMore) && (
        <nav class="pager" aria-label="الصفحات">
          {page > 1 && (
            <a href={pageUrl(page - 1)} rel="prev">
              الأحدث
            </a>
          )}
          {props.hasMore && (
            <a class="older" href={pageUrl(page + 1)} rel="next">
              الأقدم
            </a>
          )}
        </nav>
      )}
    </Layout>
  );
}
