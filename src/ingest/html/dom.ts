import { parseHTML } from 'linkedom';

/**
 * The few DOM members the HTML importer reads, typed here because the project compiles without
 * the browser's `lib.dom` (this is server code). linkedom builds the tree: a parser, no script
 * engine, no network, so nothing in a saved page ever runs or loads.
 */
export interface DomNode {
  nodeType: number;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  parentNode: DomNode | null;
}
export interface DomElement extends DomNode {
  tagName: string;
  id: string;
  className: string;
  outerHTML: string;
  innerHTML: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  closest(selector: string): DomElement | null;
  remove(): void;
}
export interface DomDocument {
  documentElement: DomElement | null;
  body: DomElement | null;
  head: DomElement | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;
export const COMMENT_NODE = 8;

export function parseDocument(html: string): DomDocument {
  return parseHTML(html).document as unknown as DomDocument;
}

export const all = (root: { querySelectorAll(s: string): ArrayLike<DomElement> }, selector: string): DomElement[] =>
  Array.from(root.querySelectorAll(selector));

export const isElement = (n: DomNode): n is DomElement => n.nodeType === ELEMENT_NODE;
export const tagOf = (n: DomNode): string => (isElement(n) ? n.tagName.toLowerCase() : '');

/** Whitespace collapsed, as a reader sees the text. */
export const squash = (s: string | null | undefined): string => (s ?? '').replace(/[\s\u00a0]+/g, ' ').trim();

// Never article text, wherever they appear.
const NON_TEXT = 'script, style, noscript, template, svg, math, iframe:not([src*="youtube"]), object, embed, form, button, select, textarea, input, link, meta';

// Page furniture by class or id word: ads, share bars, comments, related lists, newsletter boxes.
// Whole words only (split on - and _), so `header` or `loaded` never match `ad`.
const CLUTTER_WORDS = new Set([
  'ad', 'ads', 'adv', 'advert', 'advertisement', 'adsense', 'dfp', 'sponsor', 'sponsored', 'promo', 'banner',
  'share', 'sharing', 'social', 'comment', 'comments', 'disqus', 'related', 'newsletter', 'subscribe',
  'outbrain', 'taboola', 'popup', 'cookie', 'breadcrumb', 'breadcrumbs', 'sidebar', 'widget', 'tags', 'menu',
]);

function isClutter(el: DomElement): boolean {
  const words = `${el.className ?? ''} ${el.id ?? ''}`.toLowerCase().split(/[\s_-]+/);
  return words.some((w) => CLUTTER_WORDS.has(w));
}

/**
 * Removes what is never part of an article before extraction: scripts and other non-text elements,
 * navigation, sidebars, and clutter named by class or id. The headline's own ancestors are kept
 * whatever their class (a theme may call the article wrapper `post-widget`).
 */
export function removeClutter(doc: DomDocument): void {
  for (const el of all(doc, NON_TEXT)) el.remove();
  const keep = new Set<DomElement>();
  for (let p = doc.querySelector('h1'); p; p = p.parentNode as DomElement | null) {
    if (!isElement(p)) break;
    keep.add(p);
  }
  for (const el of all(doc, 'nav, aside, footer, [role="navigation"], [role="complementary"], [aria-hidden="true"]')) {
    if (!keep.has(el)) el.remove();
  }
  // A wrapper holding most of the page's paragraphs is the article whatever its class says
  // (`post-share-enabled`); comment threads long enough to win that are left to Readability.
  const proseOf = (root: DomDocument | DomElement) => all(root, 'p').reduce((n, p) => n + squash(p.textContent).length, 0);
  const prose = proseOf(doc);
  for (const el of all(doc, 'body *')) {
    if (keep.has(el) || !el.parentNode || !isClutter(el)) continue;
    if (prose > 0 && proseOf(el) > prose / 2) continue;
    el.remove();
  }
}

const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure', 'footer',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table',
  'td', 'th', 'tr', 'ul',
]);

/** The visible text of an element as lines, the way a browser's "select all, copy" gives it. */
export function textLines(root: DomNode): string[] {
  const parts: string[] = [];
  const walk = (n: DomNode) => {
    if (n.nodeType === TEXT_NODE) {
      parts.push((n.textContent ?? '').replace(/[\s\u00a0]+/g, ' '));
      return;
    }
    if (!isElement(n)) return;
    const block = BLOCK_TAGS.has(tagOf(n));
    if (block) parts.push('\n');
    for (const c of Array.from(n.childNodes)) walk(c);
    if (block) parts.push('\n');
  };
  walk(root);
  return parts
    .join('')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
