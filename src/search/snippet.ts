import { analyze, normalize, type Term } from '../text/analyzer/index.js';
import type { SourceField, SourceText } from './documents.js';

export interface Highlight {
  mains: Set<string>;
  alts: Set<string>;
  /** The query's words as typed, normalized: a window showing one of them is preferred. */
  surfaces?: Set<string>;
}

/** How much text a snippet shows, and how much of it comes before the first match. */
const SNIPPET_CHARS = 240;
const LEAD_CHARS = 70;
/** Snippet fields by preference when they match equally well; the headline is shown on its own. */
const FIELDS: SourceField[] = ['summary', 'body', 'captions', 'tags', 'headline'];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Same rule as the engines: a main meets a main or an alt, an alt meets a main or an alt. */
function matches(t: Term, h: Highlight): boolean {
  return h.mains.has(t.main) || h.alts.has(t.main) || (t.alt != null && (h.mains.has(t.alt) || h.alts.has(t.alt)));
}

function matchedTerms(text: string, h: Highlight): Term[] {
  return text ? analyze(text).filter((t) => !t.stop && matches(t, h)) : [];
}

/** Escaped text with the matched words, as the writer spelled them, inside `<mark>`. */
function marked(text: string, from: number, to: number, terms: Term[]): string {
  let out = '';
  let at = from;
  for (const t of terms) {
    if (t.start < at || t.end > to) continue;
    out += `${escapeHtml(text.slice(at, t.start))}<mark>${escapeHtml(text.slice(t.start, t.end))}</mark>`;
    at = t.end;
  }
  return (out + escapeHtml(text.slice(at, to))).replace(/\s+/g, ' ');
}

/** The whole text, highlighted (headlines). */
export function highlightAll(text: string, h: Highlight): string {
  return marked(text, 0, text.length, matchedTerms(text, h));
}

/** Back or forward to whitespace, so a window never cuts a word (or a surrogate pair) in two. */
function boundary(text: string, i: number, dir: -1 | 1): number {
  if (i <= 0) return 0;
  if (i >= text.length) return text.length;
  let j = i;
  while (j > 0 && j < text.length && !/\s/.test(text[j]!)) j += dir;
  return j;
}

/**
 * An HTML snippet from the original text of the field where the most distinct query words
 * matched: a window that opens a little before the first match, every match marked. Escaped,
 * with `<mark>` the only markup. Falls back to the opening of the summary or body.
 */
export function snippetHtml(src: SourceText, h: Highlight): string {
  // Most distinct query words first; among equals, a field showing a word as the reader typed it
  // (`إيران` for ايران) beats one with only a stemmed relative (`الإيرانية`).
  let best: { field: SourceField; terms: Term[]; score: number; exact: Term | undefined } | undefined;
  for (const field of FIELDS) {
    const text = src[field];
    const terms = matchedTerms(text, h);
    const exact = terms.find((t) => h.surfaces?.has(normalize(text.slice(t.start, t.end))));
    const score = new Set(terms.map((t) => t.main)).size * 2 + (exact ? 1 : 0);
    if (score > (best?.score ?? 0)) best = { field, terms, score, exact };
  }
  const text = best ? src[best.field] : src.summary || src.body || src.captions;
  const terms = best?.terms ?? [];
  const first = (best?.exact ?? terms[0])?.start ?? 0;
  const start = first - LEAD_CHARS <= 0 ? 0 : Math.min(first, boundary(text, first - LEAD_CHARS, 1));
  const end = start + SNIPPET_CHARS >= text.length ? text.length : boundary(text, start + SNIPPET_CHARS, -1);
  const cutEnd = end > first ? end : text.length;
  return `${start > 0 ? '… ' : ''}${marked(text, start, cutEnd, terms).trim()}${cutEnd < text.length ? ' …' : ''}`;
}
