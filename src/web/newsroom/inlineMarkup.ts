import type { Span } from '../../domain/blocks.js';

/**
 * Bold, italic and links inside a plain <textarea>, so the editor works without JavaScript:
 * `**عريض**`, `_مائل_`, `[نص](https://…)`. A backslash makes a mark literal (`\*`). Markdown's
 * inline subset and nothing more: writers know it from chat apps, and it cannot carry markup
 * the reader views would have to trust (spans are data, escaped on output).
 */

const ESCAPABLE = /[\\*_[\]]/g;
// Escaped characters hide in the Private Use Area while the marks are matched.
const HIDE_BASE = 0xe000;
const HIDDEN = new Map([...'\\*_[]'].map((c, i) => [c, String.fromCharCode(HIDE_BASE + i)]));
const SHOWN = new Map([...HIDDEN].map(([c, h]) => [h, c]));
const HIDDEN_RE = new RegExp(`[${[...SHOWN.keys()].join('')}]`, 'g');

// Balanced parentheses may appear in the address (Wikipedia's `Foo_(bar)`).
const LINK_RE = /\[([^\]]+)\]\(((?:https?:\/\/|mailto:)(?:[^\s()]|\([^\s()]*\))+)\)/;
const BOLD_RE = /\*\*(?=\S)(.+?)\*\*/s;
// Underscores between Latin letters or digits (snake_case, addresses typed as text) are not
// marks; between Arabic letters they are, since clitics attach: `و_مائل_` is "و" + italic.
const ITALIC_RE = /(?<![A-Za-z0-9])_(?=\S)([^_]+?)_(?![A-Za-z0-9])/s;

type Marks = Omit<Span, 'text'>;

function escapeText(text: string): string {
  return text.replace(ESCAPABLE, (c) => `\\${c}`);
}

/** Spaces and unbalanced parentheses would end the link early; percent-encoding keeps the address equal. */
function escapeHref(href: string): string {
  const balanced = /^(?:[^()]|\([^()]*\))*$/.test(href);
  return href.replace(balanced ? /\s/g : /[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function spansToMarkup(spans: readonly Span[]): string {
  return spans
    .map((s) => {
      let t = escapeText(s.text);
      // Marks go inside the link's brackets and never around surrounding spaces, which `**`
      // would not recognise as a closed pair.
      const [, lead = '', core = '', trail = ''] = /^(\s*)(.*?)(\s*)$/s.exec(t) ?? [];
      if (core) {
        t = core;
        if (s.italic) t = `_${t}_`;
        if (s.bold) t = `**${t}**`;
        if (s.href) t = `[${t}](${escapeHref(s.href)})`;
        t = lead + t + trail;
      }
      return t;
    })
    .join('');
}

function parse(text: string, marks: Marks, out: Span[]): void {
  let rest = text;
  while (rest) {
    const candidates = [
      { re: LINK_RE, m: LINK_RE.exec(rest) },
      { re: BOLD_RE, m: BOLD_RE.exec(rest) },
      { re: ITALIC_RE, m: ITALIC_RE.exec(rest) },
    ].filter((c) => c.m && !(c.re === LINK_RE && marks.href));
    const first = candidates.sort((a, b) => a.m!.index - b.m!.index)[0];
    if (!first) {
      push(out, rest, marks);
      return;
    }
    const m = first.m!;
    push(out, rest.slice(0, m.index), marks);
    if (first.re === LINK_RE) parse(m[1]!, { ...marks, href: m[2]! }, out);
    else parse(m[1]!, { ...marks, [first.re === BOLD_RE ? 'bold' : 'italic']: true }, out);
    rest = rest.slice(m.index + m[0].length);
  }
}

function push(out: Span[], raw: string, marks: Marks): void {
  const text = raw.replace(HIDDEN_RE, (h) => SHOWN.get(h)!);
  if (!text) return;
  const prev = out[out.length - 1];
  if (prev && !!prev.bold === !!marks.bold && !!prev.italic === !!marks.italic && prev.href === marks.href) {
    prev.text += text;
    return;
  }
  const span: Span = { text };
  if (marks.bold) span.bold = true;
  if (marks.italic) span.italic = true;
  if (marks.href) span.href = marks.href;
  out.push(span);
}

/** Spans from a textarea's text; unmatched marks stay as typed. Empty text gives no spans. */
export function markupToSpans(markup: string): Span[] {
  const hidden = markup.replace(/\\([\\*_[\]])/g, (_, c: string) => HIDDEN.get(c)!);
  const out: Span[] = [];
  parse(hidden, {}, out);
  return out;
}

/** The words a reader sees: marks and link addresses removed (word counts). */
export function markupPlainText(markup: string): string {
  return markupToSpans(markup)
    .map((s) => s.text)
    .join('');
}
