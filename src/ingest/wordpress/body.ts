import { BlockSchema, type Block } from '../../domain/blocks.js';
import {
  attributes,
  figureBlock,
  flowToBlocks,
  galleryImages,
  imageBlock,
  quoteBlock,
  textOf,
  urlBlock,
  type PendingImage,
  type Warn,
  type WpBlock,
} from './html.js';

export type { PendingImage, WpBlock } from './html.js';

/**
 * A WordPress post body (`content:encoded`) to Nashra blocks. Two dialects: Gutenberg block
 * markup (`<!-- wp:paragraph -->…`) and classic-editor HTML, which WordPress stores without
 * `<p>` tags and only formats on display (wpautop). Nothing is dropped without a warning.
 */
export interface BodyResult {
  editor: 'blocks' | 'classic' | 'empty';
  /** Image blocks hold a PendingImage for the importer to resolve (`resolveImages`). */
  blocks: WpBlock[];
  warnings: string[];
}

const MAX_BLOCKS = 2000; // BodySchema's limit

export function convertBody(content: string): BodyResult {
  const warnings: string[] = [];
  const warn: Warn = (m) => {
    warnings.push(m);
  };
  const text = content.replace(/\r\n?/g, '\n');
  if (!text.trim()) return { editor: 'empty', blocks: [], warnings };
  const editor = DELIMITER_TEST.test(text) ? 'blocks' : 'classic';
  const raw = editor === 'blocks' ? gutenbergToBlocks(text, warn) : classicToBlocks(text, warn);
  let blocks = raw.flatMap((b) => checked(b, warn));
  if (blocks.length > MAX_BLOCKS) {
    warn(`body has ${blocks.length} blocks; only the first ${MAX_BLOCKS} were kept`);
    blocks = blocks.slice(0, MAX_BLOCKS);
  }
  return { editor, blocks, warnings };
}

/** Every image reference in a body, in order. */
export function pendingImages(blocks: readonly WpBlock[]): PendingImage[] {
  return blocks.flatMap((b) => (b.type === 'image' ? [b.pending] : []));
}

/**
 * Final blocks once the importer has stored the pictures: `resolve` gives the media id of an
 * image, or null when it could not be found (that figure is dropped, with a warning).
 */
export function resolveImages(
  blocks: readonly WpBlock[],
  resolve: (image: PendingImage) => number | null,
): { blocks: Block[]; warnings: string[] } {
  const warnings: string[] = [];
  const out: Block[] = [];
  for (const b of blocks) {
    if (b.type !== 'image') {
      out.push(b);
      continue;
    }
    const mediaId = resolve(b.pending);
    if (mediaId === null) {
      const what = b.pending.src ?? `attachment ${b.pending.attachmentId ?? '?'}`;
      warnings.push(`image ${what} not found: dropped${b.pending.caption ? ` (caption "${b.pending.caption}")` : ''}`);
      continue;
    }
    const { caption, credit } = b.pending;
    out.push({ type: 'image', mediaId, ...(caption ? { caption } : {}), ...(credit ? { credit } : {}) });
  }
  return { blocks: out, warnings };
}

/** A converted block that does not fit the schema (an over-long URL, an empty heading) becomes text. */
function checked(b: WpBlock, warn: Warn): WpBlock[] {
  if (b.type === 'image') return [b];
  if (BlockSchema.safeParse(b).success) return [b];
  const text = b.type === 'subheading' ? b.text : b.type === 'embed' ? b.url : 'spans' in b ? b.spans.map((s) => s.text).join('') : '';
  warn(`${b.type} block that Nashra cannot hold${text.trim() ? ' became a paragraph' : ' dropped'}`);
  return text.trim() ? [{ type: 'paragraph', spans: [{ text: text.trim() }] }] : [];
}

// ---------------------------------------------------------------- Gutenberg

const DELIMITER_TEST = /<!--\s+\/?wp:[a-z]/;
// `<!-- wp:ns/name {"json":1} /-->`: the block grammar's delimiter. Gutenberg escapes `--` inside
// attributes, so the first `} -->` ends the JSON.
const DELIMITER_RE = /<!--\s+(\/)?wp:([a-z][a-z0-9_-]*(?:\/[a-z][a-z0-9_-]*)?)\s+(?:(\{[\s\S]*?\})\s+)?(\/)?-->/g;

interface Node {
  name: string; // without the `core/` namespace
  attrs: Record<string, unknown>;
  children: Node[];
  /** The block's HTML with inner blocks' HTML included and all delimiters removed. */
  full: string;
}
type Top = Node | { freeform: string };

function parseBlocks(text: string, warn: Warn): Top[] {
  const top: Top[] = [];
  const stack: Node[] = [];
  let last = 0;
  const addText = (t: string) => {
    if (stack.length === 0) {
      if (t.trim()) top.push({ freeform: t });
    } else for (const n of stack) n.full += t;
  };
  const place = (n: Node) => {
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(n);
    else top.push(n);
  };
  for (const m of text.matchAll(DELIMITER_RE)) {
    addText(text.slice(last, m.index));
    last = m.index + m[0].length;
    const [, closer, rawName, json, selfClosing] = m;
    const name = rawName!.replace(/^core\//, '');
    if (closer) {
      const at = stack.map((n) => n.name).lastIndexOf(name);
      if (at < 0) {
        warn(`stray closing <!-- /wp:${name} --> ignored`);
        continue;
      }
      while (stack.length > at + 1) {
        const open = stack.pop()!;
        warn(`block wp:${open.name} was not closed; closed at the end of wp:${name}`);
        place(open);
      }
      place(stack.pop()!);
      continue;
    }
    let attrs: Record<string, unknown> = {};
    if (json) {
      try {
        const parsed: unknown = JSON.parse(json);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) attrs = parsed as Record<string, unknown>;
      } catch {
        warn(`block wp:${name} has unreadable attributes; read without them`);
      }
    }
    const node: Node = { name, attrs, children: [], full: '' };
    if (selfClosing) place(node);
    else stack.push(node);
  }
  addText(text.slice(last));
  while (stack.length) {
    const open = stack.pop()!;
    warn(`block wp:${open.name} was not closed; closed at the end of the body`);
    place(open);
  }
  return top;
}

const PLAIN = new Set(['paragraph', 'heading', 'list']);

function gutenbergToBlocks(text: string, warn: Warn): WpBlock[] {
  const out: WpBlock[] = [];
  // Runs of plain text blocks go through the sanitizer in one call: same blocks, a third of the time.
  let run = '';
  const flush = () => {
    if (run) out.push(...flowToBlocks(run, warn));
    run = '';
  };
  for (const t of parseBlocks(text, warn)) {
    if ('freeform' in t) {
      flush();
      out.push(...classicToBlocks(t.freeform, warn));
    } else if (PLAIN.has(t.name) && /^\s*<(p|h[1-6]|ul|ol)\b[\s\S]*<\/\1>\s*$/i.test(t.full)) {
      if (t.name === 'list') nestedListWarning(t, warn);
      run += t.full;
    } else {
      flush();
      out.push(...convertNode(t, warn));
    }
  }
  flush();
  return out;
}

function nestedListWarning(n: Node, warn: Warn): void {
  if ((n.full.match(/<(?:ul|ol)\b/gi) ?? []).length > 1) warn('nested list flattened into one level');
}

const LAYOUT = new Set(['group', 'columns', 'column', 'row', 'stack', 'cover', 'media-text', 'buttons', 'details']);
const DROPPED: Record<string, string> = {
  separator: 'separator (Nashra bodies have no divider)',
  spacer: 'spacer',
  more: '"read more" marker',
  nextpage: 'page break (Nashra articles are one page)',
};

function convertNode(n: Node, warn: Warn): WpBlock[] {
  const id = typeof n.attrs.id === 'number' ? n.attrs.id : undefined;
  switch (n.name) {
    case 'paragraph':
    case 'heading':
      return flowToBlocks(n.full, warn);
    case 'list':
      nestedListWarning(n, warn);
      return flowToBlocks(n.full, warn);
    case 'list-item':
      return flowToBlocks(`<ul>${n.full}</ul>`, warn);
    case 'quote':
    case 'pullquote':
      return quoteBlock(n.full.replace(/<\/?figure\b[^>]*>/gi, ''), warn);
    case 'image':
      return figureBlock(n.full, id, warn);
    case 'gallery': {
      const images = n.children.length ? n.children.flatMap((c) => convertNode(c, warn)) : galleryImages(n.full, warn);
      warn(`gallery became ${images.length} image block${images.length === 1 ? '' : 's'}`);
      return images;
    }
    case 'embed':
      return embedNode(n, warn);
    case 'video':
    case 'audio':
    case 'file': {
      const src = attributes(/<(?:video|audio|a)\b[^>]*>/i.exec(n.full)?.[0] ?? '').src ?? attributes(/<a\b[^>]*>/i.exec(n.full)?.[0] ?? '').href;
      warn(`${n.name} block${src ? ` (${src})` : ''} is not supported: ${src ? 'kept as a link' : 'dropped'}`);
      return src ? [urlParagraph(src)] : [];
    }
    case 'html':
      warn('custom HTML block converted to text blocks');
      return flowToBlocks(n.full, warn);
    case 'freeform':
    case 'shortcode':
      return classicToBlocks(n.full, warn);
    case 'preformatted':
    case 'code':
    case 'verse':
      warn(`${n.name} block became a paragraph`);
      return flowToBlocks(`<p>${n.full.replace(/<\/?(?:pre|code)\b[^>]*>/gi, '').replace(/\n/g, '<br>')}</p>`, warn);
  }
  if (n.name.startsWith('core-embed/')) return embedNode(n, warn);
  if (DROPPED[n.name]) {
    warn(`${DROPPED[n.name]} dropped`);
    return [];
  }
  if (LAYOUT.has(n.name)) {
    warn(`layout block wp:${n.name} flattened`);
    const own = n.children.length ? [] : galleryImages(n.full, warn);
    return [...n.children.flatMap((c) => convertNode(c, warn)), ...own];
  }
  const text = textOf(n.full);
  if (!text) {
    warn(`unknown block wp:${n.name} without text dropped`);
    return [];
  }
  warn(`unknown block wp:${n.name} kept as a paragraph of its text`);
  return [{ type: 'paragraph', spans: [{ text }] }];
}

function embedNode(n: Node, warn: Warn): WpBlock[] {
  const wrapper = /<div class="wp-block-embed__wrapper">([\s\S]*?)<\/div>/i.exec(n.full)?.[1] ?? n.full.replace(/<figcaption\b[\s\S]*?<\/figcaption>/gi, '');
  const url = typeof n.attrs.url === 'string' ? n.attrs.url : (/https?:\/\/[^\s<>"]+/.exec(textOf(wrapper))?.[0] ?? '');
  const caption = /<figcaption\b[^>]*>([\s\S]*?)<\/figcaption>/i.exec(n.full)?.[1];
  const out: WpBlock[] = url ? [urlBlock(url, warn)] : [];
  if (!url) warn('embed block without a URL dropped');
  if (caption && textOf(caption)) {
    warn('embed caption kept as a paragraph after the embed');
    out.push(...flowToBlocks(`<p>${caption}</p>`, warn));
  }
  return out;
}

function urlParagraph(url: string): WpBlock {
  return URL.canParse(url) && /^https?:/i.test(url)
    ? { type: 'paragraph', spans: [{ text: url, href: url }] }
    : { type: 'paragraph', spans: [{ text: url }] };
}

// ---------------------------------------------------------------- classic editor

const TOKEN = (i: number) => `\u0000${i}\u0000`;
const TOKEN_SPLIT_RE = /(\u0000\d+\u0000)/;
const BLOCK_TAGS = 'address|article|aside|blockquote|dd|div|dl|dt|figure|figcaption|footer|form|h[1-6]|header|hr|li|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul|iframe|video|audio|object';
const BLOCK_TAG_RE = new RegExp(`<(/?)(${BLOCK_TAGS})\\b[^>]*?(/?)>`, 'gi');
const BARE_URL_RE = /^(https?:\/\/[^\s<>"]+)$/i;
// Shortcode names are ASCII; `[…]` and `[1]` in Arabic copy are not shortcodes.
const SHORTCODE_RE = /\[(\/?)([a-z_][a-z0-9_-]*)((?:\s[^\]]*)?)\/?\]/g;

/**
 * Classic-editor HTML the way WordPress shows it: blank lines separate paragraphs, a single
 * newline is a line break, `[caption]`/`[gallery]`/`[embed]` shortcodes are read, a URL alone on
 * its line is an embed (oEmbed), other shortcodes lose their brackets with a warning.
 */
export function classicToBlocks(html: string, warn: Warn): WpBlock[] {
  const tokens: WpBlock[][] = [];
  const token = (blocks: WpBlock[]) => `\n\n${TOKEN(tokens.push(blocks) - 1)}\n\n`;

  let text = html.replace(/\[caption\b([^\]]*)\]([\s\S]*?)\[\/caption\]/gi, (_, rawAttrs: string, inner: string) => {
    const a = attributes(rawAttrs);
    const markup = /(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?/i.exec(inner)?.[0];
    const captionText = textOf(inner.replace(/(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?/i, '')) || textOf(a.caption ?? '');
    if (!markup) {
      warn('[caption] without an image: its text kept as a paragraph');
      return captionText ? token([{ type: 'paragraph', spans: [{ text: captionText }] }]) : '';
    }
    const id = /^attachment_(\d+)$/.exec(a.id ?? '')?.[1];
    return token([imageBlock(markup, captionText, id ? Number(id) : undefined, warn)]);
  });
  text = text.replace(/\[gallery\b([^\]]*)\]/gi, (_, rawAttrs: string) => {
    const ids = (attributes(rawAttrs).ids ?? '').split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
    if (ids.length === 0) {
      warn('[gallery] without ids (all images attached to the post) not converted');
      return '';
    }
    warn(`[gallery] became ${ids.length} image block${ids.length === 1 ? '' : 's'}`);
    return token(ids.map((attachmentId) => ({ type: 'image', pending: { attachmentId } })));
  });
  text = text.replace(/\[embed\b[^\]]*\]([\s\S]*?)\[\/embed\]/gi, (_, url: string) => token([urlBlock(textOf(url), warn)]));
  const unknown = new Set<string>();
  text = text.replace(SHORTCODE_RE, (whole, _close: string, name: string) => {
    unknown.add(name);
    return '';
  });
  for (const name of unknown) warn(`shortcode [${name}] is not supported: its brackets were removed, its text kept`);

  return units(text).flatMap((u) => unitBlocks(u, tokens, warn));
}

interface Unit {
  element: boolean;
  html: string;
}

/** Block-level elements whole, and the text between them split at blank lines (wpautop's paragraphs). */
function units(text: string): Unit[] {
  const out: Unit[] = [];
  const pushText = (t: string) => {
    for (const para of t.split(/\n[ \t]*\n/)) if (para.trim()) out.push({ element: false, html: para.trim() });
  };
  let depth = 0;
  let start = 0; // start of the current element or text run
  let cursor = 0;
  for (const m of text.matchAll(BLOCK_TAG_RE)) {
    const [whole, close, tagName, selfClose] = m;
    const tag = tagName!.toLowerCase();
    if (depth === 0 && !close) {
      pushText(text.slice(cursor, m.index));
      start = m.index;
    }
    if (tag === 'hr' || selfClose) {
      if (depth === 0) {
        out.push({ element: true, html: whole });
        cursor = m.index + whole.length;
      }
      continue;
    }
    if (close) {
      if (depth === 0) continue; // a stray closing tag: the sanitizer drops it
      depth--;
      if (depth === 0) {
        cursor = m.index + whole.length;
        out.push({ element: true, html: text.slice(start, cursor) });
      }
    } else depth++;
  }
  if (depth > 0) out.push({ element: true, html: text.slice(start) });
  else pushText(text.slice(cursor));
  return out;
}

function unitBlocks(u: Unit, tokens: WpBlock[][], warn: Warn): WpBlock[] {
  const out: WpBlock[] = [];
  for (const part of u.html.split(TOKEN_SPLIT_RE)) {
    const t = /^\u0000(\d+)\u0000$/.exec(part);
    if (t) {
      out.push(...tokens[Number(t[1])]!);
      continue;
    }
    if (!part.trim()) continue;
    if (u.element) out.push(...elementBlocks(part.trim(), warn));
    else out.push(...textBlocks(part.trim(), warn));
  }
  return out;
}

function elementBlocks(html: string, warn: Warn): WpBlock[] {
  const tag = /^<([a-z0-9]+)/i.exec(html)?.[1]?.toLowerCase();
  if (tag === 'hr') {
    warn(`${DROPPED.separator} dropped`);
    return [];
  }
  if (tag === 'blockquote') return quoteBlock(html, warn);
  if (tag === 'figure' && /<img\b/i.test(html)) return figureBlock(html, undefined, warn);
  return flowToBlocks(html, warn);
}

/** A wpautop paragraph: URL lines alone become embeds, single newlines become line breaks. */
function textBlocks(text: string, warn: Warn): WpBlock[] {
  const out: WpBlock[] = [];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length) out.push(...flowToBlocks(`<p>${lines.join('<br>')}</p>`, warn));
    lines = [];
  };
  for (const line of text.split('\n')) {
    const url = BARE_URL_RE.exec(line.trim())?.[1];
    if (url) {
      flush();
      out.push(urlBlock(url, warn));
    } else lines.push(line);
  }
  flush();
  return out;
}
