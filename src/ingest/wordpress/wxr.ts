import { createReadStream } from 'node:fs';
import { SaxesParser, type SaxesTagNS } from 'saxes';

/**
 * A streaming reader for WordPress exports (WXR 1.0–1.2). Records come out one at a time as an
 * async iterator, and the file is read only as fast as the caller consumes them, so memory is
 * bounded by the largest single item whatever the size of the file (decision 0005).
 */

export interface WxrSite {
  kind: 'site';
  title: string;
  link: string;
  description: string;
  language: string;
  /** Empty when the file does not say (a plain RSS file, or a pre-1.0 export). */
  wxrVersion: string;
  baseSiteUrl: string;
  baseBlogUrl: string;
}

export interface WxrAuthor {
  kind: 'author';
  id: number | null;
  login: string;
  email: string;
  displayName: string;
  firstName: string;
  lastName: string;
}

/** Term slugs are stored percent-encoded; `slug` is decoded, `slugEncoded` is as written. */
export interface WxrCategory {
  kind: 'category';
  termId: number | null;
  slug: string;
  slugEncoded: string;
  /** Decoded slug of the parent category; null for a top-level one. */
  parent: string | null;
  name: string;
  description: string;
}

export interface WxrTag {
  kind: 'tag';
  termId: number | null;
  slug: string;
  slugEncoded: string;
  name: string;
  description: string;
}

/** `wp:term`: every term of every taxonomy (WXR 1.2 repeats categories and tags here). */
export interface WxrTerm {
  kind: 'term';
  termId: number | null;
  taxonomy: string;
  slug: string;
  slugEncoded: string;
  parent: string | null;
  name: string;
  description: string;
}

export interface WxrItemTerm {
  /** `category`, `post_tag`, `post_format`, or a custom taxonomy. */
  domain: string;
  slug: string;
  slugEncoded: string;
  name: string;
}

export interface WxrMeta {
  key: string;
  value: string;
}

export interface WxrComment {
  id: number | null;
  author: string;
  authorEmail: string;
  authorUrl: string;
  /** WordPress wall-clock time, `YYYY-MM-DD HH:MM:SS`. */
  date: string;
  dateGmt: string;
  content: string;
  /** `1`, `0` (pending), `spam`, `trash`. */
  approved: string;
  type: string;
  parent: number;
  /** The registered user who wrote it (an author's `id`), 0 for a visitor. */
  userId: number;
}

export type WxrItemType = 'post' | 'page' | 'attachment' | 'nav_menu_item' | 'other';

export interface WxrItem {
  kind: 'item';
  /** Line of the `<item>` tag: warnings and errors about the item name it. */
  line: number;
  title: string;
  link: string;
  pubDate: string;
  /** Author login (`dc:creator`). */
  creator: string;
  guid: string;
  description: string;
  content: string;
  excerpt: string;
  postId: number | null;
  /** Wall-clock time in the site's zone, `YYYY-MM-DD HH:MM:SS`. */
  postDate: string;
  /** UTC, `YYYY-MM-DD HH:MM:SS`; `0000-00-00 00:00:00` for drafts. */
  postDateGmt: string;
  postModified: string;
  postModifiedGmt: string;
  commentStatus: string;
  pingStatus: string;
  slug: string;
  slugEncoded: string;
  status: string;
  parent: number;
  menuOrder: number;
  /** `wp:post_type` as written (`post`, `page`, `attachment`, `revision`, a custom type …). */
  postType: string;
  type: WxrItemType;
  password: string;
  isSticky: boolean;
  attachmentUrl: string;
  terms: WxrItemTerm[];
  meta: WxrMeta[];
  comments: WxrComment[];
}

/** Something the reader corrected or skipped; the import report lists these. */
export interface WxrWarning {
  kind: 'warning';
  line: number;
  message: string;
}

export type WxrRecord = WxrSite | WxrAuthor | WxrCategory | WxrTag | WxrTerm | WxrItem | WxrWarning;

/** Not well-formed XML, not UTF-8, or not an RSS export: names the line (1-based). */
export class WxrError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column?: number,
  ) {
    super(`line ${line}${column !== undefined ? `:${column}` : ''}: ${message}`);
    this.name = 'WxrError';
  }
}

/** `%d8%a3%d8%b3…` → `أس…`; a slug that is not valid percent-encoded UTF-8 is kept as written. */
export function decodeSlug(raw: string): string {
  const s = raw.trim();
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// Namespace URIs differ between WXR versions (export/1.0/, 1.1/, 1.2/); prefixes are a file's
// choice. Elements are named here by the conventional prefix of their namespace.
function prefixFor(uri: string): string | null {
  if (/^https?:\/\/wordpress\.org\/export\/[\d.]+\/excerpt\/?$/.test(uri)) return 'excerpt';
  if (/^https?:\/\/wordpress\.org\/export\/[\d.]+\/?$/.test(uri)) return 'wp';
  if (uri === 'http://purl.org/rss/1.0/modules/content/') return 'content';
  if (uri === 'http://purl.org/dc/elements/1.1/') return 'dc';
  if (uri === '') return '';
  return null;
}

function nameOf(tag: SaxesTagNS): string {
  const prefix = prefixFor(tag.uri);
  if (prefix === null) return `{${tag.uri}}${tag.local}`; // unknown namespace: never matches below
  return prefix ? `${prefix}:${tag.local}` : tag.local;
}

const int = (s: string | undefined): number | null => {
  const t = (s ?? '').trim();
  return /^-?\d+$/.test(t) ? Number(t) : null;
};

// XML 1.0 forbids these code points even inside CDATA; old WordPress exports contain them
// (pasted from Word). They are removed with a warning rather than failing the whole file.
const FORBIDDEN_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

type Fields = Map<string, string>;

interface Open {
  name: string;
  attrs: Record<string, string>;
  text: string;
  line: number;
}

const ITEM_TYPES: readonly WxrItemType[] = ['post', 'page', 'attachment', 'nav_menu_item'];

/**
 * Reads a WXR file (a path) or any stream of its bytes or text. Throws WxrError (with the line) on malformed XML;
 * records read before the error have already been yielded.
 */
export async function* readWxr(
  source: string | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): AsyncGenerator<WxrRecord> {
  const input = typeof source === 'string' ? createReadStream(source, { highWaterMark: 64 * 1024 }) : source;
  const parser = new SaxesParser({ xmlns: true, position: true });
  const out: WxrRecord[] = [];
  const stack: Open[] = [];
  let failure: WxrError | null = null;

  // What is being collected: the channel header, or the record open at depth 3.
  const site: Fields = new Map();
  let siteSent = false;
  let fields: Fields = new Map();
  let item: WxrItem | null = null;
  let sub: Fields | null = null; // wp:postmeta / wp:comment inside an item
  let sawRss = false;

  const sendSite = () => {
    if (siteSent) return;
    siteSent = true;
    const g = (k: string) => (site.get(k) ?? '').trim();
    out.push({
      kind: 'site',
      title: g('title'),
      link: g('link'),
      description: g('description'),
      language: g('language'),
      wxrVersion: g('wp:wxr_version'),
      baseSiteUrl: g('wp:base_site_url'),
      baseBlogUrl: g('wp:base_blog_url'),
    });
    if (!g('wp:wxr_version')) {
      out.push({ kind: 'warning', line: parser.line, message: 'no wp:wxr_version: this may not be a WordPress export' });
    }
  };

  parser.on('error', (e) => {
    // saxes keeps going after an error; the first one is the one worth reporting.
    const m = /^(\d+):(\d+):\s*([\s\S]*)$/.exec(e.message);
    failure ??= m ? new WxrError(m[3]!, Number(m[1]), Number(m[2])) : new WxrError(e.message, parser.line, parser.column);
  });

  parser.on('opentag', (tag) => {
    const name = nameOf(tag);
    const attrs: Record<string, string> = {};
    for (const [k, a] of Object.entries(tag.attributes)) attrs[a.local || k] = a.value;
    const depth = stack.length; // 0 = root
    if (depth === 0) {
      sawRss = name === 'rss';
      if (!sawRss) failure ??= new WxrError(`expected an <rss> export, found <${tag.name}>`, parser.line);
    }
    if (depth === 2 && stack[1]?.name === 'channel') {
      if (['wp:author', 'wp:category', 'wp:tag', 'wp:term', 'item'].includes(name)) {
        sendSite();
        fields = new Map();
      }
      if (name === 'item') item = newItem(parser.line);
    }
    if (item && depth === 3 && (name === 'wp:postmeta' || name === 'wp:comment')) sub = new Map();
    stack.push({ name, attrs, text: '', line: parser.line });
  });

  const addText = (t: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);

  parser.on('closetag', () => {
    const el = stack.pop();
    if (!el) return;
    const depth = stack.length; // depth of the closed element
    const parent = stack[depth - 1]?.name;
    const inChannel = stack[1]?.name === 'channel';
    if (!inChannel && depth >= 2) return; // something other than rss/channel: ignored
    if (depth === 2 && parent === 'channel') {
      if (el.name === 'item' && item) {
        out.push(item);
        item = null;
      } else if (el.name === 'wp:author') out.push(author(fields));
      else if (el.name === 'wp:category') out.push(category(fields));
      else if (el.name === 'wp:tag') out.push(tag(fields));
      else if (el.name === 'wp:term') out.push(term(fields));
      else if (!siteSent && !site.has(el.name)) site.set(el.name, el.text);
      return;
    }
    if (depth === 3 && !item) {
      fields.set(el.name, el.text);
      return;
    }
    if (!item) return;
    if (depth === 3) {
      if (el.name === 'category') {
        const slugEncoded = (el.attrs.nicename ?? '').trim();
        item.terms.push({ domain: el.attrs.domain ?? 'category', slug: decodeSlug(slugEncoded), slugEncoded, name: el.text.trim() });
      } else if (el.name === 'wp:postmeta' && sub) {
        item.meta.push({ key: sub.get('wp:meta_key') ?? '', value: sub.get('wp:meta_value') ?? '' });
        sub = null;
      } else if (el.name === 'wp:comment' && sub) {
        item.comments.push(comment(sub));
        sub = null;
      } else setItemField(item, el.name, el.text);
    } else if (depth === 4 && sub) {
      sub.set(el.name, el.text);
    }
    // Deeper elements (wp:commentmeta children …) are not read.
  });

  const decoder = new TextDecoder('utf-8', { fatal: true });
  let linesFed = 1;
  let removed = 0;
  const feed = (text: string) => {
    const clean = text.replace(FORBIDDEN_RE, () => {
      removed++;
      return '';
    });
    parser.write(clean);
    linesFed += text.split('\n').length - 1;
  };

  for await (const chunk of input) {
    let text: string;
    try {
      text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    } catch {
      throw new WxrError('the file is not valid UTF-8', linesFed);
    }
    feed(text);
    if (failure) throw failure;
    while (out.length) yield out.shift()!;
  }
  try {
    feed(decoder.decode());
  } catch {
    throw new WxrError('the file is not valid UTF-8', linesFed);
  }
  parser.close();
  if (failure) throw failure;
  if (!sawRss) throw new WxrError('the file is empty', 1);
  sendSite();
  if (removed > 0) {
    out.push({ kind: 'warning', line: 0, message: `removed ${removed} characters XML does not allow (control characters)` });
  }
  while (out.length) yield out.shift()!;
}

function newItem(line: number): WxrItem {
  return {
    kind: 'item', line, title: '', link: '', pubDate: '', creator: '', guid: '', description: '', content: '',
    excerpt: '', postId: null, postDate: '', postDateGmt: '', postModified: '', postModifiedGmt: '',
    commentStatus: '', pingStatus: '', slug: '', slugEncoded: '', status: '', parent: 0, menuOrder: 0,
    postType: '', type: 'other', password: '', isSticky: false, attachmentUrl: '', terms: [], meta: [], comments: [],
  };
}

function setItemField(item: WxrItem, name: string, text: string): void {
  const t = text.trim();
  switch (name) {
    case 'title': item.title = t; break;
    case 'link': item.link = t; break;
    case 'pubDate': item.pubDate = t; break;
    case 'dc:creator': item.creator = t; break;
    case 'guid': item.guid = t; break;
    case 'description': item.description = text; break;
    case 'content:encoded': item.content = text; break;
    case 'excerpt:encoded': item.excerpt = text; break;
    case 'wp:post_id': item.postId = int(t); break;
    case 'wp:post_date': item.postDate = t; break;
    case 'wp:post_date_gmt': item.postDateGmt = t; break;
    case 'wp:post_modified': item.postModified = t; break;
    case 'wp:post_modified_gmt': item.postModifiedGmt = t; break;
    case 'wp:comment_status': item.commentStatus = t; break;
    case 'wp:ping_status': item.pingStatus = t; break;
    case 'wp:post_name': item.slugEncoded = t; item.slug = decodeSlug(t); break;
    case 'wp:status': item.status = t; break;
    case 'wp:post_parent': item.parent = int(t) ?? 0; break;
    case 'wp:menu_order': item.menuOrder = int(t) ?? 0; break;
    case 'wp:post_type':
      item.postType = t;
      item.type = (ITEM_TYPES as readonly string[]).includes(t) ? (t as WxrItemType) : 'other';
      break;
    case 'wp:post_password': item.password = t; break;
    case 'wp:is_sticky': item.isSticky = t === '1'; break;
    case 'wp:attachment_url': item.attachmentUrl = t; break;
    // Anything else (plugin elements, wfw:commentRss …) is not needed and ignored.
  }
}

const get = (f: Fields, k: string) => (f.get(k) ?? '').trim();

function author(f: Fields): WxrAuthor {
  return {
    kind: 'author',
    id: int(f.get('wp:author_id')),
    login: get(f, 'wp:author_login'),
    email: get(f, 'wp:author_email'),
    displayName: get(f, 'wp:author_display_name'),
    firstName: get(f, 'wp:author_first_name'),
    lastName: get(f, 'wp:author_last_name'),
  };
}

function category(f: Fields): WxrCategory {
  const slugEncoded = get(f, 'wp:category_nicename');
  const parent = get(f, 'wp:category_parent');
  return {
    kind: 'category',
    termId: int(f.get('wp:term_id')),
    slug: decodeSlug(slugEncoded),
    slugEncoded,
    parent: parent ? decodeSlug(parent) : null,
    name: get(f, 'wp:cat_name'),
    description: get(f, 'wp:category_description'),
  };
}

function tag(f: Fields): WxrTag {
  const slugEncoded = get(f, 'wp:tag_slug');
  return {
    kind: 'tag',
    termId: int(f.get('wp:term_id')),
    slug: decodeSlug(slugEncoded),
    slugEncoded,
    name: get(f, 'wp:tag_name'),
    description: get(f, 'wp:tag_description'),
  };
}

function term(f: Fields): WxrTerm {
  const slugEncoded = get(f, 'wp:term_slug');
  const parent = get(f, 'wp:term_parent');
  return {
    kind: 'term',
    termId: int(f.get('wp:term_id')),
    taxonomy: get(f, 'wp:term_taxonomy'),
    slug: decodeSlug(slugEncoded),
    slugEncoded,
    parent: parent ? decodeSlug(parent) : null,
    name: get(f, 'wp:term_name'),
    description: get(f, 'wp:term_description'),
  };
}

function comment(f: Fields): WxrComment {
  return {
    id: int(f.get('wp:comment_id')),
    author: get(f, 'wp:comment_author'),
    authorEmail: get(f, 'wp:comment_author_email'),
    authorUrl: get(f, 'wp:comment_author_url'),
    date: get(f, 'wp:comment_date'),
    dateGmt: get(f, 'wp:comment_date_gmt'),
    content: f.get('wp:comment_content') ?? '',
    approved: get(f, 'wp:comment_approved'),
    type: get(f, 'wp:comment_type'),
    parent: int(f.get('wp:comment_parent')) ?? 0,
    userId: int(f.get('wp:comment_user_id')) ?? 0,
  };
}

/** Values of a meta key in file order (`_wp_old_slug` repeats, one per earlier slug). */
export function metaValues(item: WxrItem, key: string): string[] {
  return item.meta.filter((m) => m.key === key).map((m) => m.value);
}

export function metaValue(item: WxrItem, key: string): string | undefined {
  return item.meta.find((m) => m.key === key)?.value;
}
