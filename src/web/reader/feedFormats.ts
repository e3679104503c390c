/**
 * Feeds as text: RSS 2.0, Atom 1.0 and JSON Feed 1.1, of the whole site or of one section, tag
 * or author (a channel), with each article whole or its summary. Pure builders: no I/O,
 * everything they show comes in as arguments. Every piece of text that reaches XML goes
 * through `xmlEscape`; nothing is concatenated unescaped.
 */
import { Fragment, h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { articlePath, type Article, type Media } from '../../domain/article.js';
import { blockText } from '../../domain/blocks.js';
import type { FeedEntry } from '../../services/reader.js';
import { BodyBlock } from './views/article.js';
import { Figure } from './views/components.js';

export interface FeedSite {
  name: string;
  /** Absolute, without a trailing slash. */
  baseUrl: string;
}

/** What one feed is of, and how much of each article it carries. */
export interface FeedOptions {
  /** The feed's title; the site's name when absent. */
  title?: string;
  /** Path of the HTML page the feed mirrors (`/section/x`); the home page when absent. */
  listPath?: string;
  /** `full`: the article's HTML; `summary`: its summary (or first paragraph) only. */
  content?: 'full' | 'summary';
}

// Characters XML 1.0 forbids (§2.2): C0 controls but tab, LF and CR; lone surrogates; U+FFFE/U+FFFF.
const ILLEGAL_XML = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text safe inside XML character data and inside either kind of quoted attribute. */
export function xmlEscape(text: string): string {
  return text.replace(ILLEGAL_XML, '').replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}

/** Removes what XML 1.0 forbids, for text that is escaped by other means (JSON). */
export function stripIllegalXml(text: string): string {
  return text.replace(ILLEGAL_XML, '');
}

/** RFC 822 date as RSS 2.0 wants it, four-digit year: `Mon, 28 Jun 2021 14:39:00 +0000`. */
export function rfc822(iso: string): string {
  return new Date(iso).toUTCString().replace(/GMT$/, '+0000');
}

/** RFC 3339 in UTC without fractions: `2021-06-28T14:39:00Z`. */
export function rfc3339(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const EPOCH = '1970-01-01T00:00:00.000Z';

/** Our own paths (`/news/…`, `/media/…`) made absolute; other URLs are left alone. */
function absolute(base: string, url: string): string {
  return url.startsWith('/') && !url.startsWith('//') ? base + url : url;
}

/** Root-relative `src`, `href` and `srcset` URLs in rendered HTML made absolute for feed readers. */
export function absolutizeHtml(html: string, base: string): string {
  return html.replace(/\b(src|href|srcset)="([^"]*)"/g, (_m, attr: string, value: string) => {
    const out =
      attr === 'srcset'
        ? value
            .split(',')
            .map((part) => {
              const [url, ...rest] = part.trim().split(/\s+/);
              return [absolute(base, url ?? ''), ...rest].join(' ');
            })
            .join(', ')
        : absolute(base, value);
    return `${attr}="${out}"`;
  });
}

/** The lead image and body blocks as HTML with absolute URLs (the text a feed escapes). */
export function contentHtml(article: Article, media: Map<number, Media>, base: string): string {
  const lead = article.lead;
  const html = renderToString(
    h(
      Fragment,
      null,
      lead ? h(Figure, { media: lead.media, caption: lead.caption, credit: lead.credit, lazy: false }) : null,
      ...article.body.map((block) => h(BodyBlock, { block, media })),
    ),
  );
  return absolutizeHtml(html, base);
}

interface LeadImageRef {
  url: string;
  type: string | null;
  width: number | null;
  height: number | null;
}

function leadImage(a: Article, base: string): LeadImageRef | undefined {
  const m = a.lead?.media;
  if (!m?.storageKey) return undefined;
  return { url: `${base}/media/${m.storageKey}`, type: m.mime, width: m.width, height: m.height };
}

/** Attributes from pairs, values escaped; absent ones left out. */
function attrs(pairs: Record<string, string | number | null | undefined>): string {
  return Object.entries(pairs)
    .filter(([, v]) => v != null)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');
}

function tag(name: string, text: string | null | undefined, attributes: Record<string, string | number | null | undefined> = {}): string {
  return text == null ? '' : `<${name}${attrs(attributes)}>${xmlEscape(text)}</${name}>`;
}

interface Item {
  article: Article;
  url: string;
  /** Stable across headline edits: `/news/<id>` answers 301 to the current URL. */
  id: string;
  published: string;
  updated: string;
  /** The content as HTML; absent in summary mode. */
  html: string | undefined;
  /** The summary, or the first paragraph when there is none; absent when neither has text. */
  summary: string | undefined;
  image: LeadImageRef | undefined;
}

/** When an article last changed for readers: its publication, or a later revision. */
export function entryUpdated(article: Article): string {
  const published = article.publishedAt ?? article.createdAt;
  return article.revisedAt && article.revisedAt > published ? article.revisedAt : published;
}

/** What summary mode shows: the summary, else the first paragraph's text (a lead paragraph is the usual stand-in). */
export function summaryText(article: Article): string | undefined {
  if (article.summary) return article.summary;
  const first = article.body.find((b) => b.type === 'paragraph') ?? article.body.find((b) => blockText(b).trim());
  return first ? blockText(first).trim() || undefined : undefined;
}

function items(site: FeedSite, entries: FeedEntry[], full: boolean): Item[] {
  return entries.map(({ article, media }) => ({
    article,
    url: site.baseUrl + articlePath(article),
    id: `${site.baseUrl}/news/${article.id}`,
    published: article.publishedAt ?? article.createdAt,
    updated: entryUpdated(article),
    html: full ? contentHtml(article, media, site.baseUrl) : undefined,
    summary: full ? (article.summary ?? undefined) : summaryText(article),
    image: leadImage(article, site.baseUrl),
  }));
}

/** The newest update among the items; the epoch for an empty feed (a stable body, so a stable ETag). */
function lastUpdate(list: Item[]): string {
  return list.reduce((max, i) => (i.updated > max ? i.updated : max), EPOCH);
}

export const FEED_PATHS = { rss: '/feed.xml', atom: '/feed.atom', json: '/feed.json' } as const;
export type FeedFormat = keyof typeof FEED_PATHS;
export const FEED_MEDIA_TYPES = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
} as const satisfies Record<FeedFormat, string>;

/** A channel's title, page URL and own feed URLs (a list's feeds live under its page's path). */
function channel(site: FeedSite, opts: FeedOptions) {
  const prefix = site.baseUrl + (opts.listPath ?? '');
  return {
    title: opts.title ?? site.name,
    page: opts.listPath ? prefix : `${site.baseUrl}/`,
    self: (format: FeedFormat) => prefix + FEED_PATHS[format],
    full: (opts.content ?? 'full') === 'full',
  };
}

export function buildRss(site: FeedSite, entries: FeedEntry[], opts: FeedOptions = {}): string {
  const ch = channel(site, opts);
  const list = items(site, entries, ch.full);
  const out = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<channel>',
    tag('title', ch.title),
    tag('link', ch.page),
    tag('description', ch.title),
    tag('language', 'ar'),
    tag('lastBuildDate', rfc822(lastUpdate(list))),
    `<atom:link${attrs({ href: ch.self('rss'), rel: 'self', type: 'application/rss+xml' })}/>`,
  ];
  for (const i of list) {
    const a = i.article;
    out.push(
      '<item>',
      tag('title', a.headline),
      tag('link', i.url),
      tag('guid', i.id, { isPermaLink: 'true' }),
      tag('pubDate', rfc822(i.published)),
      tag('description', i.summary),
      tag('content:encoded', i.html),
      tag('category', a.section.name),
      ...a.authors.map((x) => tag('dc:creator', x.name)),
      i.image
        ? `<media:content${attrs({ url: i.image.url, type: i.image.type, medium: 'image', width: i.image.width, height: i.image.height })}/>`
        : '',
      '</item>',
    );
  }
  out.push('</channel>', '</rss>');
  return out.filter(Boolean).join('\n') + '\n';
}

export function buildAtom(site: FeedSite, entries: FeedEntry[], opts: FeedOptions = {}): string {
  const ch = channel(site, opts);
  const list = items(site, entries, ch.full);
  const out = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">',
    tag('id', ch.page),
    tag('title', ch.title),
    tag('updated', rfc3339(lastUpdate(list))),
    `<link${attrs({ rel: 'self', type: 'application/atom+xml', href: ch.self('atom') })}/>`,
    `<link${attrs({ rel: 'alternate', type: 'text/html', href: ch.page })}/>`,
    // Required at feed level when an entry has no author of its own.
    `<author>${tag('name', site.name)}</author>`,
  ];
  for (const i of list) {
    const a = i.article;
    out.push(
      '<entry>',
      tag('id', i.id),
      tag('title', a.headline),
      `<link${attrs({ rel: 'alternate', type: 'text/html', href: i.url })}/>`,
      tag('published', rfc3339(i.published)),
      tag('updated', rfc3339(i.updated)),
      ...a.authors.map((x) => `<author>${tag('name', x.name)}</author>`),
      `<category${attrs({ term: a.section.name })}/>`,
      tag('summary', i.summary),
      tag('content', i.html, { type: 'html' }),
      i.image ? `<link${attrs({ rel: 'enclosure', type: i.image.type, href: i.image.url })}/>` : '',
      '</entry>',
    );
  }
  out.push('</feed>');
  return out.filter(Boolean).join('\n') + '\n';
}

export function buildJsonFeed(site: FeedSite, entries: FeedEntry[], opts: FeedOptions = {}): string {
  const s = stripIllegalXml;
  const ch = channel(site, opts);
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: s(ch.title),
    home_page_url: ch.page,
    feed_url: ch.self('json'),
    language: 'ar',
    authors: [{ name: s(site.name) }],
    items: items(site, entries, ch.full).map((i) => ({
      id: i.id,
      url: i.url,
      title: s(i.article.headline),
      // JSON Feed wants content_html or content_text in every item: summary mode gives the text.
      ...(i.html !== undefined ? { content_html: s(i.html) } : { content_text: s(i.summary ?? '') }),
      ...(i.summary ? { summary: s(i.summary) } : {}),
      ...(i.image ? { image: i.image.url } : {}),
      date_published: rfc3339(i.published),
      date_modified: rfc3339(i.updated),
      ...(i.article.authors.length > 0 ? { authors: i.article.authors.map((x) => ({ name: s(x.name) })) } : {}),
      tags: [i.article.section.name, ...i.article.tags.map((t) => t.name)].map(s),
    })),
  };
  return JSON.stringify(feed);
}
