import { analyze, normalize, type Term } from '../text/analyzer/index.js';
import type { ParsedQuery, QueryWord } from './backend.js';
import { indexableTerm } from './documents.js';

/** Longer queries are refused (400): no reader types more, and it bounds the work per request. */
export const MAX_QUERY_CHARS = 500;
/** Beyond this many words or phrases the rest are ignored: keeps engine expressions small. */
const MAX_UNITS = 16;
const MAX_PHRASE_TERMS = 16;

export interface QueryParse extends ParsedQuery {
  /**
   * Every term to highlight: mains and alts of the positive words and phrases, and the words as
   * typed (normalized), so snippets can prefer the reader's own form over a stemmed relative.
   */
  highlight: { mains: Set<string>; alts: Set<string>; surfaces: Set<string> };
  /** True when the query had words to find but all were stopwords (exclusions alone are not). */
  onlyStopwords: boolean;
}

/** `"…"` and «…» quote a phrase; a quote left open runs to the end of the query. */
const QUOTES: Record<string, string> = { '"': '"', '«': '»', '“': '”' };
/** ASCII hyphen and the minus sign start an exclusion. */
const MINUS = /^[-\u2212]/;

interface Segment {
  text: string;
  phrase: boolean;
  excluded: boolean;
}

function segments(q: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  let plain = '';
  const flushPlain = () => {
    for (const w of plain.split(/\s+/)) if (w) out.push({ text: w.replace(MINUS, ''), phrase: false, excluded: MINUS.test(w) && w.length > 1 });
    plain = '';
  };
  while (i < q.length) {
    const ch = q[i]!;
    const close = QUOTES[ch];
    if (close) {
      // A minus right before the quote (`-"…"`) excludes the phrase.
      const excluded = MINUS.test(plain.slice(-1)) && (plain.length === 1 || /\s/.test(plain.at(-2)!));
      if (excluded) plain = plain.slice(0, -1);
      flushPlain();
      const end = q.indexOf(close, i + 1);
      const stop = end === -1 ? q.length : end;
      out.push({ text: q.slice(i + 1, stop), phrase: true, excluded });
      i = stop + 1;
    } else {
      plain += ch;
      i += 1;
    }
  }
  flushPlain();
  return out;
}

function usable(t: Term): boolean {
  return indexableTerm(t.main);
}

function toWord(t: Term): QueryWord {
  return t.alt && indexableTerm(t.alt) && t.alt !== t.main ? { main: t.main, alt: t.alt } : { main: t.main };
}

/**
 * A typed query to what the engines run: each word analyzed exactly as documents are, so the
 * reader's spelling variant, clitics and suffixes meet the stored forms. Stopwords count only
 * inside phrases. The caller checks the length first.
 */
export function parseQuery(q: string): QueryParse {
  const words = new Map<string, QueryWord>();
  const excludedWords = new Map<string, QueryWord>();
  const phrases = new Map<string, string[]>();
  const excludedPhrases = new Map<string, string[]>();
  const mains = new Set<string>();
  const alts = new Set<string>();
  const surfaces = new Set<string>();
  let sawTerms = false;

  for (const s of segments(q)) {
    const terms = analyze(s.text).filter(usable);
    if (!terms.length) continue;
    if (!s.excluded) sawTerms = true;
    if (s.phrase && terms.length > 1) {
      const run = terms.slice(0, MAX_PHRASE_TERMS).map((t) => t.main);
      const target = s.excluded ? excludedPhrases : phrases;
      target.set(run.join(' '), run);
      if (!s.excluded) {
        for (const t of terms) {
          mains.add(t.main);
          surfaces.add(normalize(s.text.slice(t.start, t.end)));
        }
      }
      continue;
    }
    for (const t of terms) {
      // A one-word phrase keeps its word even when it is a stopword: quoting it asked for it.
      if (t.stop && !s.phrase) continue;
      const w = toWord(t);
      (s.excluded ? excludedWords : words).set(w.main, w);
      if (!s.excluded) {
        mains.add(w.main);
        if (w.alt) alts.add(w.alt);
        surfaces.add(normalize(s.text.slice(t.start, t.end)));
      }
    }
  }
  const positive = [...words.values()].slice(0, MAX_UNITS);
  const positivePhrases = [...phrases.values()].slice(0, MAX_UNITS);
  return {
    words: positive,
    phrases: positivePhrases,
    excludedWords: [...excludedWords.values()].slice(0, MAX_UNITS),
    excludedPhrases: [...excludedPhrases.values()].slice(0, MAX_UNITS),
    highlight: { mains, alts, surfaces },
    onlyStopwords: sawTerms && !positive.length && !positivePhrases.length,
  };
}

export function isEmptyQuery(p: ParsedQuery): boolean {
  return !p.words.length && !p.phrases.length;
}
