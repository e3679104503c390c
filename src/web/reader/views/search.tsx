import type { Named } from '../../../domain/article.js';
import { RESULTS_PER_PAGE, type SearchHit, type SearchResults } from '../../../search/service.js';
import { TimeLine } from './components.js';
import { Layout, type Site } from './layout.js';

/** Query strings for links that keep the reader's filters. */
export function searchHref(q: string, filters: SearchResults['filters'], page = 1): string {
  const p = new URLSearchParams({ q });
  for (const [k, v] of Object.entries(filters)) if (v) p.set(k, v);
  if (page > 1) p.set('page', String(page));
  return `/search?${p.toString()}`;
}

function SearchForm(props: { query: string; filters: SearchResults['filters']; sections: Named[] }) {
  const f = props.filters;
  return (
    <form class="search-form" action="/search" method="get" role="search">
      <label for="search-q">ابحث في الأخبار</label>
      <div class="search-row">
        <input id="search-q" type="search" name="q" value={props.query} maxLength={500} required />
        <button type="submit">بحث</button>
      </div>
      <details class="search-filters" open={!!(f.section || f.from || f.to || f.type)}>
        <summary>تضييق البحث</summary>
        <label>
          القسم
          <select name="section">
            <option value="">كل الأقسام</option>
            {props.sections.map((s) => (
              <option key={s.id} value={s.slug} selected={s.slug === f.section}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          النوع
          <select name="type">
            <option value="">الكل</option>
            <option value="article" selected={f.type === 'article'}>
              مقالات
            </option>
            <option value="live" selected={f.type === 'live'}>
              مدخلات التغطية الحية
            </option>
          </select>
        </label>
        <label>
          من تاريخ
          <input type="date" name="from" value={f.from ?? ''} />
        </label>
        <label>
          إلى تاريخ
          <input type="date" name="to" value={f.to ?? ''} />
        </label>
      </details>
    </form>
  );
}

function Hit({ hit }: { hit: SearchHit }) {
  return (
    <li class="search-hit">
      <h2>
        {/* Our own escaped HTML: the headline with the reader's words in <mark>. */}
        <a href={hit.path} dangerouslySetInnerHTML={{ __html: hit.headlineHtml }} />
      </h2>
      <p class="search-meta">
        {hit.type === 'live' ? <span class="badge">تغطية حية</span> : hit.section && <span>{hit.section.name}</span>}
        <TimeLine at={hit.publishedAt} zone={hit.timeZone} city={hit.city} />
      </p>
      <p class="search-snippet" dangerouslySetInnerHTML={{ __html: hit.snippet }} />
    </li>
  );
}

const NOTICES = {
  empty: 'اكتب كلمة أو أكثر للبحث. ضع العبارة بين علامتي تنصيص "…" لتطابقها كما هي، وضع - قبل كلمة لاستبعادها.',
  stopwords: 'كلمات البحث شائعة جدًّا فلا تميّز خبرًا عن آخر. أضف كلمة أدق، أو ضع العبارة بين علامتي تنصيص.',
} as const;

export function SearchView(props: { site: Site; results?: SearchResults; query: string; error?: string }) {
  const r = props.results;
  const filters = r?.filters ?? {};
  const title = props.query ? `نتائج البحث عن: ${props.query}` : 'البحث';
  return (
    // Result pages are endless and thin: no canonical URL, so Layout keeps them out of indexes.
    <Layout site={props.site} title={title}>
      <h1 class="section-title">{title}</h1>
      <SearchForm query={props.query} filters={filters} sections={props.site.sections} />
      {props.error && (
        <p class="search-error" role="alert">
          {props.error}
        </p>
      )}
      {r?.notice && <p class="search-notice">{NOTICES[r.notice]}</p>}
      {r && !r.notice && !r.results.length && (
        <p class="search-notice">{r.page > 1 ? 'لا نتائج أخرى.' : 'لم نجد أخبارًا تطابق بحثك. جرّب كلمات أخرى أو أزل بعض القيود.'}</p>
      )}
      {r && r.results.length > 0 && (
        <ol class="search-results" start={(r.page - 1) * RESULTS_PER_PAGE + 1}>
          {r.results.map((h) => (
            <Hit key={`${h.type}-${h.id}`} hit={h} />
          ))}
        </ol>
      )}
      {r && (r.page > 1 || r.hasMore) && (
        <nav class="pager" aria-label="الصفحات">
          {r.page > 1 && (
            <a href={searchHref(r.query, filters, r.page - 1)} rel="prev">
              السابق
            </a>
          )}
          {r.hasMore && (
            <a class="older" href={searchHref(r.query, filters, r.page + 1)} rel="next">
              التالي
            </a>
          )}
        </nav>
      )}
    </Layout>
  );
}
