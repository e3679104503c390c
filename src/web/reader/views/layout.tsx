import type { ComponentChildren, FunctionComponent } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { Named } from '../../../domain/article.js';
import { assetUrl } from '../assets.js';

/** What every page needs besides its own content. */
export interface Site {
  name: string;
  baseUrl: string;
  sections: Named[];
}

export const sectionPath = (slug: string) => `/section/${encodeURIComponent(slug)}`;
export const tagPath = (slug: string) => `/tag/${encodeURIComponent(slug)}`;
export const authorPath = (slug: string) => `/author/${encodeURIComponent(slug)}`;

export function Layout(props: {
  site: Site;
  title: string;
  description?: string | null | undefined;
  /** Path of the canonical URL; absent for pages that should not be indexed under their own URL. */
  canonical?: string | undefined;
  /** Page-specific head elements (the live page's JSON-LD). */
  head?: ComponentChildren;
  children: ComponentChildren;
}) {
  const { site } = props;
  const title = props.title === site.name ? site.name : `${props.title} | ${site.name}`;
  return (
    <html lang="ar" dir="rtl">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        {props.description && <meta name="description" content={props.description} />}
        {props.canonical && <link rel="canonical" href={site.baseUrl + props.canonical} />}
        <link rel="stylesheet" href={assetUrl('site.css')} />
        <link rel="icon" type="image/svg+xml" href={assetUrl('icon.svg')} />
        <link rel="alternate" type="application/rss+xml" title={site.name} href={`${site.baseUrl}/feed.xml`} />
        <link rel="alternate" type="application/atom+xml" title={site.name} href={`${site.baseUrl}/feed.atom`} />
        <link rel="alternate" type="application/feed+json" title={site.name} href={`${site.baseUrl}/feed.json`} />
        {/* Blocking on purpose: it sets html[data-fs] before the body paints (no jump in size). */}
        <script src={assetUrl('fontsize.js')}></script>
        {props.head}
      </head>
      <body>
        <header class="site-header">
          <div>
            <a class="brand" href="/">
              {site.name}
            </a>
            <nav class="site-nav" aria-label="الأقسام">
              <ul>
                <li>
                  <a class="live" href="/live">
                    التغطية الحية
                  </a>
                </li>
                {site.sections.map((s) => (
                  <li key={s.id}>
                    <a href={sectionPath(s.slug)}>{s.name}</a>
                  </li>
                ))}
              </ul>
            </nav>
            <form class="site-search" action="/search" method="get" role="search">
              <input type="search" name="q" maxLength={500} placeholder="ابحث في الأخبار" aria-label="ابحث في الأخبار" />
              <button type="submit">بحث</button>
            </form>
          </div>
        </header>
        <main id="main">{props.children}</main>
        <footer class="site-footer">
          <p>
            © {site.name} — <a href="/">الرئيسية</a>
          </p>
        </footer>
      </body>
    </html>
  );
}

/** A whole document from a page component: the views stay JSX while routes.ts stays plain TS. */
export function renderPage<P extends object>(Page: FunctionComponent<P>, props: P): string {
  return `<!doctype html>${renderToString(<Page {...props} />)}`;
}
