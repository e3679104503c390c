import { ARTICLE_STATUSES, type ArticleStatus, type ArticleSummary } from '../../../domain/article.js';
import { formatNewsTime, machineTime } from '../../../domain/time.js';
import { STATUS_NAMES } from './editorActions.js';

export interface ArticleListProps {
  items: ArticleSummary[];
  status: ArticleStatus | null;
  page: number;
  hasMore: boolean;
  notice: string | null;
}

const listUrl = (status: ArticleStatus | null, page = 1) => {
  const q = new URLSearchParams();
  if (status) q.set('status', status);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `/newsroom/articles?${s}` : '/newsroom/articles';
};

function When({ a }: { a: ArticleSummary }) {
  const at = a.status === 'scheduled' ? (a.scheduledAt ?? a.publishedAt) : (a.publishedAt ?? a.updatedAt);
  if (!at) return null;
  return <time datetime={machineTime(at)}>{`${formatNewsTime(at, a.timeZone)} ${a.city}`}</time>;
}

export function ArticleList(p: ArticleListProps) {
  return (
    <section class="article-list">
      {p.notice && (
        <p class="notice" role="status">
          {p.notice}
        </p>
      )}
      <p>
        <a class="button primary" href="/newsroom/articles/new">
          مقال جديد
        </a>
      </p>
      <nav aria-label="تصفية حسب الحالة">
        <ul class="status-filter">
          <li>
            <a href={listUrl(null)} aria-current={p.status === null ? 'page' : undefined}>
              الكل
            </a>
          </li>
          {ARTICLE_STATUSES.map((s) => (
            <li key={s}>
              <a href={listUrl(s)} aria-current={p.status === s ? 'page' : undefined}>
                {STATUS_NAMES[s]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {p.items.length === 0 ? (
        <p>لا مقالات هنا.</p>
      ) : (
        <table class="articles">
          <thead>
            <tr>
              <th scope="col">العنوان</th>
              <th scope="col">الحالة</th>
              <th scope="col">القسم</th>
              <th scope="col">الوقت</th>
            </tr>
          </thead>
          <tbody>
            {p.items.map((a) => (
              <tr key={a.id}>
                <td>
                  <a href={`/newsroom/articles/${a.id}/edit`}>{a.headline}</a>
                  {a.stagedRevisionId != null && <small class="badge"> تعديل معلّق</small>}
                </td>
                <td>
                  <span class={`status status-${a.status}`}>{STATUS_NAMES[a.status]}</span>
                </td>
                <td>{a.section.name}</td>
                <td>
                  <When a={a} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(p.page > 1 || p.hasMore) && (
        <nav class="pager" aria-label="الصفحات">
          {p.page > 1 && <a href={listUrl(p.status, p.page - 1)}>الأحدث</a>}{' '}
          {p.hasMore && <a href={listUrl(p.status, p.page + 1)}>الأقدم</a>}
        </nav>
      )}
    </section>
  );
}
