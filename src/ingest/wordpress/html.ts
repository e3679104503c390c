import sanitizeHtml from 'sanitize-html';
import { embedProvider, type Block, type Span } from '../../domain/blocks.js';
import { captionAndCredit } from '../page/parse.js';
import { htmlToBlocks } from '../html/htmlToBlocks.js';

/**
 * HTML fragments of a WordPress body to Nashra blocks. The newsroom's paste sanitizer does the
 * security work and the paragraph/heading/list/emphasis/link reading; this file adds what a
 * WordPress body has and a paste does not: images (returned as pending references for the
 * importer to resolve), quotes with a speaker, embeds, and a warning for everything dropped.
 */

/** An image found in a body or set as featured: the importer resolves it through the media pipeline. */
export interface PendingImage {
  /** URL as written (`https://site/wp-content/uploads/2021/01/x-300x188.jpg`). */
  src?: string;
  /** WordPress attachment post id (`wp-image-N` class, `attachment_N` caption id, block `id`). */
  attachmentId?: number;
  alt?: string;
  caption?: string;
  credit?: string;
}

/** A body block before its images are resolved: image blocks carry the reference, not a media id. */
export type WpBlock = Exclude<Block, { type: 'image' }> | { type: 'image'; pending: PendingImage };

export type Warn = (message: string) => void;

const NON_TEXT = ['script', 'style', 'textarea', 'noscript', 'title', 'head', 'template', 'svg', 'math', 'iframe', 'object', 'select', 'button'];

/** Visible text of an HTML fragment, entities decoded, whitespace collapsed. */
export function textOf(html: string): string {
  const escaped = sanitizeHtml(html.replace(/<br\s*\/?>/gi, ' '), { allowedTags: [], allowedAttributes: {}, nonTextTags: NON_TEXT });
  return decodeBasic(escaped).replace(/[\s\u00a0]+/g, ' ').trim();
}

/** The five entities sanitize-html leaves escaped in text it outputs. */
function decodeBasic(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" })[e]!);
}

/** Attribute values of one tag (`<img src="…" class="…">`), entities decoded. */
export function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
    const raw = m[2] ?? m[3] ?? m[4] ?? '';
    out[m[1]!.toLowerCase()] = raw.includes('&') ? textOf(raw.replace(/</g, '&lt;')) : raw;
  }
  return out;
}

/** A `…(رويترز)` caption split into text and credit, the seed-page importer's rule. */
export function splitCaption(text: string): { caption?: string; credit?: string } {
  const t = text.trim();
  return t ? captionAndCredit(t) : {};
}

/** A pending image from an `<img>` tag and the caption text shown with it. */
export function imageFromTag(imgTag: string, captionText = '', extraId?: number): PendingImage {
  const a = attributes(imgTag);
  const idFromClass = /(?:^|\s)wp-image-(\d+)(?:\s|$)/.exec(a.class ?? '')?.[1];
  const attachmentId = idFromClass ? Number(idFromClass) : extraId;
  return {
    ...(a.src ? { src: a.src } : {}),
    ...(attachmentId ? { attachmentId } : {}),
    ...(a.alt?.trim() ? { alt: a.alt.trim() } : {}),
    ...splitCaption(captionText),
  };
}

const IMG_RE = /(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?/gi;
const YT_IFRAME_RE = /<iframe\b[^>]*\bsrc\s*=\s*["'](?:https?:)?\/\/(?:www\.)?youtube(?:-nocookie)?\.com\/embed\/([\w-]{6,20})[^"']*["'][^>]*>[\s\S]*?<\/iframe>/gi;
// Tags whose content is lost (or flattened) on the way through the sanitizer: said, never silent.
const LOSSY: Record<string, string> = {
  iframe: 'an embedded frame', object: 'an embedded object', embed: 'an embedded object', video: 'a video',
  audio: 'an audio player', script: 'a script', style: 'a style sheet', form: 'a form', canvas: 'a canvas',
  svg: 'an SVG drawing', table: 'a table (its cells became paragraphs)', math: 'a formula', select: 'a form control',
  button: 'a button', input: 'a form control', textarea: 'a form control', noscript: 'a noscript section',
};

function warnLossy(html: string, warn: Warn): void {
  const seen = new Set<string>();
  for (const m of html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)\b/g)) {
    const tag = m[1]!.toLowerCase();
    if (LOSSY[tag] && !seen.has(tag)) {
      seen.add(tag);
      warn(`dropped ${LOSSY[tag]} (<${tag}>)`);
    }
  }
}

/** A URL alone: an embed when Nashra supports the provider, else a paragraph linking to it. */
export function urlBlock(url: string, warn: Warn): WpBlock {
  const provider = embedProvider(url);
  if (provider) return { type: 'embed', url, provider };
  warn(`embed of ${url} is not a supported provider (YouTube, X, HLS): kept as a link`);
  return URL.canParse(url) && /^https?:/i.test(url)
    ? { type: 'paragraph', spans: [{ text: url, href: url }] }
    : { type: 'paragraph', spans: [{ text: url }] };
}

/**
 * Flowing HTML (a paragraph, a classic-editor chunk, a custom-HTML block) to blocks, images and
 * YouTube frames taken out in place, everything else through the paste sanitizer.
 */
export function flowToBlocks(html: string, warn: Warn): WpBlock[] {
  const out: WpBlock[] = [];
  const framed = html.replace(YT_IFRAME_RE, (_, id: string) => `\n<nashra-embed>https://www.youtube.com/watch?v=${id}</nashra-embed>\n`);
  const parts = framed.split(/(<nashra-embed>[^<]*<\/nashra-embed>|(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?)/i);
  for (const part of parts) {
    if (!part) continue;
    const embed = /^<nashra-embed>([^<]*)<\/nashra-embed>$/.exec(part);
    if (embed) {
      out.push(urlBlock(embed[1]!, warn));
    } else if (/^(?:<a\b[^>]*>\s*)?<img\b/i.test(part)) {
      out.push(imageBlock(part, '', undefined, warn));
    } else if (part.trim()) {
      warnLossy(part, warn);
      // The paste reader never makes image blocks (it has no <img> in its allow-list).
      out.push(...htmlToBlocks(part).filter((b): b is Exclude<Block, { type: 'image' }> => b.type !== 'image'));
    }
  }
  return out;
}

/** `<a href><img></a>` + caption → an image block; a link elsewhere than the picture is reported. */
export function imageBlock(markup: string, captionText: string, extraId: number | undefined, warn: Warn): WpBlock {
  const img = /<img\b[^>]*>/i.exec(markup)?.[0] ?? '';
  const pending = imageFromTag(img, captionText, extraId);
  const href = /<a\b[^>]*>/i.exec(markup)?.[0];
  if (href) {
    const link = attributes(href).href ?? '';
    if (link && !isSameImage(link, pending.src)) warn(`image link to ${link} dropped (image blocks carry no link)`);
  }
  if (!pending.src && !pending.attachmentId) warn('image without a source dropped');
  return { type: 'image', pending };
}

function isSameImage(link: string, src: string | undefined): boolean {
  if (!src) return false;
  const base = (u: string) => u.replace(/[?#].*$/, '').replace(/-\d+x\d+(\.\w+)$/, '$1');
  return base(link) === base(src) || /\/wp-content\/uploads\//.test(link) || /[?&]attachment_id=|\/attachment\//.test(link);
}

/** Blockquote HTML to one quote block: paragraphs joined by line breaks, `<cite>` as the speaker. */
export function quoteBlock(html: string, warn: Warn): WpBlock[] {
  const citeHtml = /<cite\b[^>]*>([\s\S]*?)<\/cite>/i.exec(html)?.[1];
  const body = html.replace(/<cite\b[^>]*>[\s\S]*?<\/cite>/gi, '').replace(/<\/?blockquote\b[^>]*>/gi, '');
  const inner = flowToBlocks(body, warn);
  const spans: Span[] = [];
  const extra: WpBlock[] = [];
  for (const b of inner) {
    const s: Span[] | null =
      b.type === 'paragraph' || b.type === 'quote' ? b.spans
      : b.type === 'subheading' ? [{ text: b.text }]
      : b.type === 'list' ? b.items.flatMap((it, i) => (i ? [{ text: '\n' }, ...it] : it))
      : null;
    if (!s) {
      extra.push(b);
      warn(`${b.type} inside a quote moved after it`);
      continue;
    }
    if (b.type === 'list' || b.type === 'subheading') warn(`${b.type} inside a quote became quoted text`);
    if (spans.length) spans.push({ text: '\n' });
    spans.push(...s);
  }
  const speaker = citeHtml ? textOf(citeHtml) : '';
  if (spans.length === 0) {
    if (speaker) warn(`quote without text dropped (citation "${speaker}")`);
    return extra;
  }
  return [{ type: 'quote', spans, ...(speaker ? { speaker } : {}) }, ...extra];
}

/** `<figure><img><figcaption>…</figcaption></figure>` → an image block. */
export function figureBlock(html: string, extraId: number | undefined, warn: Warn): WpBlock[] {
  const caption = /<figcaption\b[^>]*>([\s\S]*?)<\/figcaption>/i.exec(html)?.[1] ?? '';
  const markup = /(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?/i.exec(html)?.[0];
  if (!markup) {
    const text = textOf(html);
    warn(`image block without an <img> dropped${text ? ` (its text "${text.slice(0, 60)}" kept)` : ''}`);
    return text ? [{ type: 'paragraph', spans: [{ text }] }] : [];
  }
  return [imageBlock(markup, textOf(caption), extraId, warn)];
}

/** Every figure/img of a gallery as image blocks (old gallery markup, no inner blocks). */
export function galleryImages(html: string, warn: Warn): WpBlock[] {
  const figures = [...html.matchAll(/<figure\b[^>]*>(?:(?!<figure\b)[\s\S])*?<img\b[\s\S]*?<\/figure>/gi)].map((m) => m[0]);
  const blocks = figures.length ? figures.flatMap((f) => figureBlock(f, undefined, warn)) : [...html.matchAll(IMG_RE)].map((m) => imageBlock(m[0], '', undefined, warn));
  return blocks;
}
