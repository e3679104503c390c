import { parseFeed as parseXmlFeed } from '@rowanmanning/feed-parser';
import { z } from 'zod';
import { FeedError } from './fetchFeed.js';

/**
 * RSS 2.0, Atom and JSON Feed read into one shape. XML goes to @rowanmanning/feed-parser
 * (lenient with real-world feeds); JSON Feed, which it does not read, to the small zod reader
 * below. Nothing here is sanitized yet: `html` is untrusted and only ever reaches the store
 * through the allow-list sanitizer (src/ingest/html/htmlToBlocks.ts).
 */
export interface FeedEntry {
  /** GUID / Atom id / JSON Feed id, else the link: what dedupes an item within its source. */
  key: string;
  title: string | null;
  link: string | null;
  /** Untrusted HTML (content, else summary). */
  html: string | null;
  /** Plain text when the feed gives only that (JSON Feed content_text). */
  text: string | null;
  publishedAt: string | null;
}

/** At most this many items are read per poll: a feed of 100,000 items is not a news feed. */
export const MAX_ITEMS = 200;

export function parseFeedBody(body: string, contentType: string): FeedEntry[] {
  const start = body.trimStart();
  const isJson = /json/i.test(contentType) || start.startsWith('{');
  const entries = isJson ? readJsonFeed(start) : readXmlFeed(start);
  return entries.filter((e): e is FeedEntry => e !== null).slice(0, MAX_ITEMS);
}

function readXmlFeed(xml: string): (FeedEntry | null)[] {
  // Feeds have no use for entity declarations, and they are how billion-laughs and external
  // entity attacks work: such a document is refused before any parser expands anything.
  if (/<!ENTITY/i.test(xml)) throw new FeedError('the feed declares XML entities (refused: entity expansion)');
  let feed: ReturnType<typeof parseXmlFeed>;
  try {
    feed = parseXmlFeed(xml);
  } catch (e) {
    throw new FeedError(`not a readable RSS or Atom feed: ${firstLine(e)}`);
  }
  if (feed.meta.type !== 'rss' && feed.meta.type !== 'atom') throw new FeedError('not an RSS or Atom feed');
  return feed.items.map((item) => {
    const link = httpUrl(item.url);
    const key = clean(item.id) ?? link;
    if (!key) return null;
    return {
      key: key.slice(0, 1000),
      title: clean(item.title),
      link,
      html: item.content ?? item.description ?? null,
      text: null,
      publishedAt: iso(item.published ?? item.updated),
    };
  });
}

const JsonFeedItem = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  url: z.string().optional(),
  title: z.string().optional(),
  content_html: z.string().optional(),
  content_text: z.string().optional(),
  summary: z.string().optional(),
  date_published: z.string().optional(),
  date_modified: z.string().optional(),
});
const JsonFeed = z.object({
  version: z.string().regex(/^https:\/\/jsonfeed\.org\/version\/1(\.1)?$/),
  items: z.array(z.unknown()),
});

function readJsonFeed(text: string): (FeedEntry | null)[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FeedError(`not valid JSON: ${firstLine(e)}`);
  }
  const feed = JsonFeed.safeParse(raw);
  if (!feed.success) throw new FeedError('not a JSON Feed (version 1 or 1.1)');
  // One malformed item is skipped, not the whole feed.
  return feed.data.items.map((entry) => {
    const r = JsonFeedItem.safeParse(entry);
    if (!r.success) return null;
    const item = r.data;
    const link = httpUrl(item.url);
    const key = clean(item.id) ?? link;
    if (!key) return null;
    return {
      key: key.slice(0, 1000),
      title: clean(item.title),
      link,
      html: item.content_html ?? null,
      text: item.content_html ? null : (item.content_text ?? item.summary ?? null),
      publishedAt: iso(item.date_published ?? item.date_modified),
    };
  });
}

function clean(s: string | null | undefined): string | null {
  const t = s?.replace(/\s+/g, ' ').trim();
  return t ? t : null;
}

/** Only absolute http(s) links are kept: a `javascript:` link never reaches a page. */
export function httpUrl(s: string | null | undefined): string | null {
  if (!s) return null;
  try {
    const u = new URL(s.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function iso(d: Date | string | null | undefined): string | null {
  if (!d) return null;
  const t = d instanceof Date ? d : new Date(d);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0]!.slice(0, 200);
}
