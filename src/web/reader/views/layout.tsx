import { Fragment, type ComponentChildren, type FunctionComponent } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { Named } from '../../../domain/article.js';
import { assetUrl } from '../assets.js';
import { SITE_IMAGES } from '../siteImages.js';

/** What every page needs besides its own content. */
export interface Site {
  name: string;
  baseUrl: string;
  sections: Named[];
  /** Published static pages, linked from the footer (من نحن …). */
  pages?: { slug: string; title: string }[];
}

export const sectionPath = (slug: string) => `/section/${encodeURIComponent(slug)}`;
export const tagPath = (slug: string) => `/tag/${encodeURIComponent(slug)}`;
export const authorPath = (slug: string) => `/author/${encodeURIComponent(slug)}`;

/** The browser chrome's colour: the icon's blue (the web app manifest uses the same). */
export const THEME_COLOR = '#0a5a8a';

/** The picture a social card shows. */
export interface CardImage {
  /** Absolute URL. */
  url: string;
  width: number;
  height: number;
  alt: string;
  type: string;
}

/** What Open Graph and Twitter cards say about a page beyond its title, description and URL. */
export interface PageCard {
  type: 'article' | 'website';
  /** Absent: the site's default card. */
  image?: CardImage | undefined;
  /** Article pages: times as ISO 8601 with offsets, the section's name, the tags' names. */
  article?: { publishedTime: string; modifiedTime: string; section: string; tags: string[] } | undefined;
}

function SocialCards(props: { site: Site; title: string; description: string | null | undefined; url: string | undefined; card: PageCard | undefined }) {
  const { site, card } = props;
  const image: CardImage = card?.image ?? {
    url: site.baseUrl + SITE_IMAGES.ogDefault.path,
    width: SITE_IMAGES.ogDefault.width,
    height: SITE_IMAGES.ogDefault.height,
    alt: site.name,
    type: SITE_IMAGES.ogDefault.type,
  };
  const article = card?.article;
  return (
    <>
      <meta property="og:site_name" content={site.name} />
      <meta property="og:locale" content="ar_AR" />
      <meta property="og:type" content={card?.type ?? 'website'} />
      <meta property="og:title" content={props.title} />
      {props.description && <meta property="og:description" content={props.description} />}
      {props.url && <meta property="og:url" content={props.url} />}
      <meta property="og:image" content={image.url} />
      <meta property="og:image:type" content={image.type} />
      <meta property="og:image:width" content={String(image.width)} />
      <meta property="og:image:height" content={String(image.height)} />
      <meta property="og:image:alt" content={image.alt} />
      {article && (
        <>
          <meta property="article:published_time" content={article.publishedTime} />
          <meta property="article:modified_time" content={article.modifiedTime} />
          <meta property="article:section" content={article.section} />
          {article.tags.map((t) => (
            <meta key={t} property="article:tag" content={t} />
          ))}
        </>
      )}
      <meta name="twitter:card" content="summary_large_image" />
      <meta name="twitter:title" content={props.title} />
      {props.description && <meta name="twitter:description" content={props.description} />}
      <meta name="twitter:image" content={image.url} />
      <meta name="twitter:image:alt" content={image.alt} />
    </>
  );
}

export function Layout(props: {
  site: Site;
  title: string;
  description?: string | null | undefined;
  /** Path of the canonical URL; absent for pages that should not be indexed (they get `robots: noindex`). */
  canonical?: string | undefined;
  /** Page-specific head elements (the live page's JSON-LD). */
  head?: ComponentChildren;
  /** Open Graph and Twitter card details; by default a `website` card with the site's default image. */
  card?: PageCard | undefined;
  children: ComponentChildren;
}) {
  const { site } = props;
  const title = props.title === site.name ? site.name : `${props.title} | ${site.name}`;
  const canonical = props.canonical ? site.baseUrl + props.canonical : undefined;
  return (
    <html lang="ar" dir="rtl">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        {props.description && <meta name="description" content={props.description} />}
        {/* Every page is either indexed under its canonical URL or not at all (search results, 404). */}
        {canonical ? <link rel="canonical" href={canonical} /> : <meta name="robots" content="noindex" />}
        <SocialCards site={site} title={props.title} description={props.description} url={canonical} card={props.card} />
        {canonical && props.card?.type === 'article' && (
          <link
            rel="alternate"
            type="application/json+oembed"
            href={`${site.baseUrl}/oembed?url=${encodeURIComponent(canonical)}&format=json`}
            title={props.title}
          />
        )}
        <meta name="theme-color" content={THEME_COLOR} />
        <link rel="manifest" href="/manifest.webmanifest" />
        <link rel="apple-touch-icon" href={SITE_IMAGES.appleTouchIcon.path} />
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
            {site.pages?.map((p) => (
              <Fragment key={p.slug}>
                {' · '}
                <a href={`/page/${encodeURIComponent(p.slug)}`}>{p.title}</a>
              </Fragment>
            ))}
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
