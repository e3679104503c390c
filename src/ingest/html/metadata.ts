import { DateTime } from 'luxon';
import { all, COMMENT_NODE, squash, type DomDocument, type DomNode } from './dom.js';

/** What a news page says about itself outside its body: Open Graph, article:*, JSON-LD, `<time>`. */
export interface PageMetadata {
  title?: string;
  description?: string;
  /** First `<h1>` text: the page's own headline, without the site name `<title>` often adds. */
  h1?: string;
  image?: string;
  published?: { value: string; from: string };
  modified?: { value: string; from: string };
  /** Where the page lived: canonical link, og:url or the browser's "saved from" comment. */
  url?: string;
  siteName?: string;
  /** schema.org `dateline` (`إسطنبول - متابعات`), when the page gives one. */
  dateline?: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const ARTICLE_TYPES = /Article$|^Report$|^BlogPosting$|^LiveBlogPosting$/;

/** Objects of JSON-LD blocks, `@graph` and arrays flattened; unparsable blocks are skipped. */
function jsonLdObjects(doc: DomDocument): JsonObject[] {
  const out: JsonObject[] = [];
  const visit = (v: Json | undefined) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      out.push(v);
      visit(v['@graph']);
    }
  };
  for (const s of all(doc, 'script[type="application/ld+json"]')) {
    try {
      visit(JSON.parse(s.textContent ?? '') as Json);
    } catch {
      // A broken block is the page's bug; the other sources still count.
    }
  }
  return out;
}

const typesOf = (o: JsonObject): string[] => [o['@type']].flat().filter((t): t is string => typeof t === 'string');
const str = (v: Json | undefined): string | undefined => (typeof v === 'string' && v.trim() ? squash(v) : undefined);

function imageUrl(v: Json | undefined): string | undefined {
  if (typeof v === 'string') return str(v);
  if (Array.isArray(v)) return imageUrl(v[0]);
  if (v && typeof v === 'object') return str(v.url) ?? str(v.contentUrl);
  return undefined;
}

function meta(doc: DomDocument, ...keys: string[]): string | undefined {
  for (const k of keys) {
    for (const attr of ['property', 'name', 'itemprop']) {
      const v = str(doc.querySelector(`meta[${attr}="${k}"]`)?.getAttribute('content'));
      if (v) return v;
    }
  }
  return undefined;
}

/** `<!-- saved from url=(0063)https://… -->`, which Chrome and Edge write at the top of saved pages. */
function savedFrom(doc: DomDocument): string | undefined {
  const scan = (n: DomNode | null): string | undefined => {
    for (const c of Array.from(n?.childNodes ?? [])) {
      if (c.nodeType === COMMENT_NODE) {
        const m = /saved from url=\(\d+\)(\S+)/.exec(c.textContent ?? '');
        if (m) return m[1];
      }
    }
    return undefined;
  };
  return scan(doc as unknown as DomNode) ?? scan(doc.documentElement);
}

const httpUrl = (u: string | undefined) => (u && /^https?:\/\//i.test(u) && URL.canParse(u) ? u : undefined);

/** Read before extraction: Readability rewrites the tree it is given. */
export function readMetadata(doc: DomDocument): PageMetadata {
  const ld = jsonLdObjects(doc);
  const article = ld.find((o) => typesOf(o).some((t) => ARTICLE_TYPES.test(t))) ?? ld.find((o) => o.headline);
  const time = doc.querySelector('article time[datetime], main time[datetime], time[datetime]');
  const published =
    ([
      [meta(doc, 'article:published_time', 'datePublished', 'pubdate', 'publishdate'), 'article:published_time'],
      [str(article?.datePublished), 'JSON-LD datePublished'],
      [str(time?.getAttribute('datetime')), '<time datetime>'],
    ] as const).find(([v]) => v && parseIsoTime(v, 'UTC'));
  const modified =
    ([
      [meta(doc, 'article:modified_time', 'dateModified', 'og:updated_time'), 'article:modified_time'],
      [str(article?.dateModified), 'JSON-LD dateModified'],
    ] as const).find(([v]) => v && parseIsoTime(v, 'UTC'));
  const h1 = squash(doc.querySelector('h1')?.textContent);
  return {
    ...opt('title', str(article?.headline) ?? meta(doc, 'og:title', 'twitter:title') ?? str(doc.querySelector('title')?.textContent)),
    ...opt('description', meta(doc, 'og:description', 'description', 'twitter:description') ?? str(article?.description)),
    ...opt('h1', h1 || undefined),
    ...opt('image', meta(doc, 'og:image', 'og:image:url', 'twitter:image') ?? imageUrl(article?.image)),
    ...(published ? { published: { value: published[0]!, from: published[1] } } : {}),
    ...(modified ? { modified: { value: modified[0]!, from: modified[1] } } : {}),
    ...opt(
      'url',
      httpUrl(str(doc.querySelector('link[rel="canonical"]')?.getAttribute('href'))) ?? httpUrl(meta(doc, 'og:url')) ?? httpUrl(savedFrom(doc)),
    ),
    ...opt('siteName', meta(doc, 'og:site_name')),
    ...opt('dateline', str(article?.dateline)),
  };
}

const opt = <K extends string>(k: K, v: string | undefined) => (v ? ({ [k]: v } as Record<K, string>) : {});

/**
 * An ISO 8601 time to a UTC instant. With an offset or `Z` it is exact; without one (`2021-06-28`
 * or `2021-06-28T17:39`) it is wall-clock time in `zone`, the zone the article is shown in.
 */
export function parseIsoTime(value: string, zone: string): string | null {
  const dt = DateTime.fromISO(value.trim(), { zone });
  if (!dt.isValid || dt.year < 1900 || dt.year > 2200) return null;
  return dt.toUTC().toISO({ suppressMilliseconds: true });
}

/** True when the value names its own offset, so the newsroom's zone plays no part. */
export const hasOffset = (value: string) => /T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(value.trim());
