import type { ArticleSummary, Named } from '../../../domain/article.js';
import { Cards } from './components.js';
import { Layout, type Site } from './layout.js';

/** A section or tag archive; paging is plain links so it works without JavaScript. */
export function ListView(props: {
  site: Site;
  kind: 'section' | 'tag';
  named: Named;
  path: string;
  page: number;
  articles: ArticleSummary[];
  hasMore: boolean;
}) {
  const { named, path, page } = props;
  const pageUrl = (n: number) => (n === 1 ? path : `${path}?page=${n}`);
  const title = props.kind === 'tag' ? `وسم: ${named.name}` : named.name;
  return (
    <Layout
      site={props.site}
      title={page > 1 ? `${title} - صفحة ${page}` : title}
      description={`أخبار ${named.name}`}
      canonical={pageUrl(page)}
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
