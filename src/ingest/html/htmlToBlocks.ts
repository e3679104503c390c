import sanitizeHtml from 'sanitize-html';
import type { Block, Span } from '../../domain/blocks.js';

/**
 * Pasted HTML (Word, Google Docs, a web page) to body blocks. sanitize-html does the security
 * work with an allow-list — paragraphs, headings, bold, italic, links (http, https, mailto),
 * lists, line breaks — so everything else (scripts, styles, event handlers, iframes, classes,
 * javascript: links) is gone before our own code reads a byte. The small reader below then only
 * ever sees that well-formed, attribute-poor output.
 */

export const MAX_PASTE_CHARS = 2_000_000;

const BOLD_STYLE = /font-weight\s*:\s*(bold|[6-9]00)/i;
const NOT_BOLD_STYLE = /font-weight\s*:\s*(normal|[1-4]00)/i;
const ITALIC_STYLE = /font-style\s*:\s*italic/i;

const asParagraph = () => ({ tagName: 'p', attribs: {} });

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'h2', 'h3', 'strong', 'b', 'em', 'i', 'a', 'ul', 'ol', 'li', 'br'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Their text is not article text: Word's <style> and <xml>, a page's <title> or <noscript>.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'xml', 'svg', 'math', 'select', 'button', 'iframe', 'object'],
  // Word and Google Docs mark emphasis with inline styles, not tags; read them before the
  // style attribute is dropped. Docs wraps the whole clipboard in <b style="font-weight:normal">.
  transformTags: {
    h1: 'h2',
    h4: 'h3',
    h5: 'h3',
    h6: 'h3',
    div: asParagraph,
    blockquote: asParagraph,
    td: asParagraph,
    th: asParagraph,
    pre: asParagraph,
    b: (tagName, attribs) => ({ tagName: NOT_BOLD_STYLE.test(attribs.style ?? '') ? 'span' : tagName, attribs }),
    span: (tagName, attribs) => {
      const style = attribs.style ?? '';
      if (BOLD_STYLE.test(style)) return { tagName: 'strong', attribs: {} };
      if (ITALIC_STYLE.test(style)) return { tagName: 'em', attribs: {} };
      return { tagName, attribs };
    },
  },
};

const TOKEN_RE = /<(\/?)([a-z0-9]+)((?:\s+[a-z-]+="[^"]*")*)\s*\/?>|([^<]+)/g;
const ENTITY_RE = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// A <br> survives whitespace collapsing as this character and becomes a newline at the end.
const BREAK = '\u2028';

function decode(text: string): string {
  return text.replace(ENTITY_RE, (_, e: string) => {
    const lower = e.toLowerCase();
    if (NAMED[lower]) return NAMED[lower];
    const code = lower.startsWith('#x') ? Number.parseInt(lower.slice(2), 16) : Number(lower.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

function usableHref(raw: string): string | undefined {
  const href = decode(raw).trim();
  // Relative links point into the site they came from; here they would point into ours.
  if (!/^(https?:\/\/|mailto:)/i.test(href) || !URL.canParse(href)) return undefined;
  return href;
}

/** Collapses HTML whitespace across the spans of one block and drops what ends up empty. */
function tidy(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const text = s.text.replace(/[\s\u00a0]+/g, (ws) => (ws.includes(BREAK) ? BREAK : ' '));
    const prev = out[out.length - 1];
    if (prev && !!prev.bold === !!s.bold && !!prev.italic === !!s.italic && prev.href === s.href) prev.text += text;
    else out.push({ ...s, text });
  }
  for (let i = 0; i < out.length; i++) {
    const s = out[i]!;
    if (i > 0 && /[ \u2028]$/.test(out[i - 1]!.text)) s.text = s.text.replace(/^ /, '');
    if (i === 0) s.text = s.text.replace(/^[ \u2028]+/, '');
    if (i === out.length - 1) s.text = s.text.replace(/[ \u2028]+$/, '');
    s.text = s.text.replace(/ ?\u2028 ?/g, '\n');
  }
  return out.filter((s) => s.text !== '');
}

export function htmlToBlocks(html: string): Block[] {
  const clean = sanitizeHtml(html.slice(0, MAX_PASTE_CHARS), OPTIONS);
  const blocks: Block[] = [];
  const lists: { ordered: boolean; items: Span[][] }[] = [];
  let kind: 'p' | 'h' | 'li' | null = null;
  let spans: Span[] = [];
  let bold = 0;
  let italic = 0;
  const hrefs: (string | undefined)[] = [];

  const flush = () => {
    const done = tidy(spans);
    if (done.length > 0) {
      if (kind === 'h') blocks.push({ type: 'subheading', text: done.map((s) => s.text).join('').replace(/\n/g, ' ') });
      else if (kind === 'li' && lists[0]) lists[0].items.push(done);
      else blocks.push({ type: 'paragraph', spans: done });
    }
    spans = [];
    kind = null;
  };

  for (const m of clean.matchAll(TOKEN_RE)) {
    const [, close, tag, attrs, text] = m;
    if (text !== undefined) {
      kind ??= lists.length ? 'li' : 'p';
      const span: Span = { text: decode(text) };
      if (bold) span.bold = true;
      if (italic) span.italic = true;
      const href = hrefs.findLast((h) => h !== undefined);
      if (href) span.href = href;
      spans.push(span);
      continue;
    }
    const opening = !close;
    switch (tag) {
      case 'p':
      case 'h2':
      case 'h3':
      case 'li':
        flush();
        if (opening) kind = tag === 'li' ? 'li' : tag === 'p' ? 'p' : 'h';
        break;
      case 'ul':
      case 'ol':
        flush();
        // Nested lists join the outermost one: the model has one level of list.
        if (opening) lists.push({ ordered: tag === 'ol', items: [] });
        else {
          const list = lists.pop();
          if (list && lists[0]) lists[0].items.push(...list.items);
          else if (list && list.items.length) blocks.push({ type: 'list', ordered: list.ordered, items: list.items });
        }
        break;
      case 'br':
        kind ??= lists.length ? 'li' : 'p';
        spans.push({ text: BREAK });
        break;
      case 'strong':
      case 'b':
        bold = Math.max(0, bold + (opening ? 1 : -1));
        break;
      case 'em':
      case 'i':
        italic = Math.max(0, italic + (opening ? 1 : -1));
        break;
      case 'a':
        if (opening) hrefs.push(usableHref(/href="([^"]*)"/.exec(attrs ?? '')?.[1] ?? ''));
        else hrefs.pop();
        break;
    }
  }
  flush();
  while (lists.length) {
    const list = lists.pop()!;
    if (list.items.length) blocks.push({ type: 'list', ordered: list.ordered, items: list.items });
  }
  return blocks.slice(0, 2000);
}
