import { embedProvider, type Block, type Span } from '../../domain/blocks.js';
import { captionAndCredit } from '../page/parse.js';
import { all, isElement, squash, tagOf, TEXT_NODE, type DomElement, type DomNode } from './dom.js';
import { htmlToBlocks } from './htmlToBlocks.js';

/**
 * Readability's article tree to body blocks. Figures, quotes and video frames are read here from
 * the tree; every other run of markup goes through the newsroom's allow-list sanitizer
 * (`htmlToBlocks`), so the security of the text path is the paste's.
 */

/** An image as the page shows it: `src` as written (a URL, or a path into the saved page's folder). */
export interface ExtractedImage {
  src: string;
  alt?: string;
  caption?: string;
  credit?: string;
}
export type ExtractedBlock = Exclude<Block, { type: 'image' }> | { type: 'image'; image: ExtractedImage };

const SPECIAL = 'figure, img, picture, blockquote, iframe';
const INLINE = new Set(['a', 'b', 'strong', 'i', 'em', 'span', 'small', 'sup', 'sub', 'u', 'mark', 'time', 'abbr', 'cite', 'q', 'code', 'font', 'label', 'br']);

/** The sanitizer's blocks; it never makes image blocks (no <img> in its allow-list). */
const textBlocks = (html: string): ExtractedBlock[] =>
  htmlToBlocks(html).filter((b): b is Exclude<Block, { type: 'image' }> => b.type !== 'image');

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function imageSrc(img: DomElement): string | undefined {
  // Lazy-loading themes keep the real address in data-* and a placeholder in src.
  for (const a of ['data-src', 'data-lazy-src', 'data-original', 'src']) {
    const v = img.getAttribute(a)?.trim();
    if (v && !v.startsWith('data:')) return v;
  }
  return undefined;
}

/** A figcaption's text and credit: a `<cite>`/`.credit` element, else the trailing `(رويترز)` rule of the page importer. */
export function figureCaption(figure: DomElement): { caption?: string; credit?: string } {
  const cap = figure.querySelector('figcaption');
  if (!cap) return {};
  const creditEl = cap.querySelector('cite, .credit, .copyright, [class*="credit"]');
  const credit = squash(creditEl?.textContent);
  const text = squash(creditEl ? cap.textContent?.replace(creditEl.textContent ?? '', ' ') : cap.textContent);
  if (credit) return { ...(text ? { caption: text } : {}), credit };
  return text ? captionAndCredit(text) : {};
}

export function figureImage(el: DomElement): ExtractedImage | null {
  const img = tagOf(el) === 'img' ? el : el.querySelector('img');
  const src = img && imageSrc(img);
  if (!img || !src) return null;
  const alt = squash(img.getAttribute('alt'));
  return { src, ...(alt ? { alt } : {}), ...(tagOf(el) === 'figure' ? figureCaption(el) : {}) };
}

function quoteBlock(el: DomElement): ExtractedBlock[] {
  const citeEl = el.querySelector('cite, footer');
  const speaker = squash(citeEl?.textContent).replace(/^[-–—\s]+/, '');
  citeEl?.remove();
  const spans: Span[] = [];
  for (const b of htmlToBlocks(el.innerHTML)) {
    const s: Span[] = b.type === 'paragraph' ? b.spans : b.type === 'subheading' ? [{ text: b.text }] : b.type === 'list' ? b.items.flat() : [];
    if (s.length === 0) continue;
    if (spans.length) spans.push({ text: '\n' });
    spans.push(...s);
  }
  return spans.length ? [{ type: 'quote', spans, ...(speaker ? { speaker } : {}) }] : [];
}

function frameBlock(el: DomElement): ExtractedBlock[] {
  const id = /youtube(?:-nocookie)?\.com\/embed\/([\w-]{6,20})/.exec(el.getAttribute('src') ?? '')?.[1];
  const url = id ? `https://www.youtube.com/watch?v=${id}` : '';
  const provider = url ? embedProvider(url) : null;
  return provider ? [{ type: 'embed', url, provider }] : [];
}

/** Relative links point into the site the page came from: made absolute against its address, or dropped. */
function absoluteLinks(root: DomElement, pageUrl: string | undefined): void {
  for (const a of all(root, 'a[href]')) {
    const href = a.getAttribute('href')!.trim();
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || !pageUrl) continue;
    try {
      a.setAttribute('href', new URL(href, pageUrl).href);
    } catch {
      // Left as it is: the sanitizer drops links it cannot use.
    }
  }
}

export function contentBlocks(root: DomElement, pageUrl: string | undefined): ExtractedBlock[] {
  absoluteLinks(root, pageUrl);
  const out: ExtractedBlock[] = [];
  let inline = '';
  const flushInline = () => {
    if (inline.trim()) out.push(...textBlocks(`<p>${inline}</p>`));
    inline = '';
  };
  const walk = (parent: DomNode) => {
    for (const n of Array.from(parent.childNodes)) {
      if (n.nodeType === TEXT_NODE) {
        inline += escapeText(n.textContent ?? '');
        continue;
      }
      if (!isElement(n)) continue;
      const tag = tagOf(n);
      if (INLINE.has(tag) && !n.querySelector(SPECIAL)) {
        inline += n.outerHTML;
        continue;
      }
      flushInline();
      if (tag === 'figure' || tag === 'img' || tag === 'picture') {
        const image = figureImage(n);
        if (image) out.push({ type: 'image', image });
        else if (tag === 'figure') out.push(...textBlocks(n.outerHTML));
      } else if (tag === 'blockquote') {
        out.push(...quoteBlock(n));
      } else if (tag === 'iframe') {
        out.push(...frameBlock(n));
      } else if (n.querySelector(SPECIAL)) {
        walk(n);
        flushInline();
      } else {
        out.push(...textBlocks(n.outerHTML));
      }
    }
  };
  walk(root);
  flushInline();
  return out;
}
