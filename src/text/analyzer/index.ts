// The search analyzer (issue 5): normalization, tokens with offsets, light stems, stopwords.
// Pure TypeScript with no imports outside this folder; docs/search.md states every rule.
import { fold, normalize, splitFolded } from './normalize.js';
import { DEFAULT_STEM_EXCLUSIONS, exclusionForms, stems } from './stem.js';
import { ARABIC_STOPWORDS } from './stopwords.js';
import { words } from './tokenize.js';

export { normalize } from './normalize.js';
export { DEFAULT_STEM_EXCLUSIONS } from './stem.js';
export { ARABIC_STOPWORDS } from './stopwords.js';

/** Bump whenever analyze() output can change for some input: an index built by another version must be rebuilt. */
export const ANALYZER_VERSION = 1;

export interface Term {
  /** Main index term: normalized, light-stemmed (light10 + pronoun suffixes), or the word itself when excluded. */
  main: string;
  /**
   * Second, lower-weight variant: the main form after also removing one single-letter proclitic
   * ل ب ك ف (and و/ف + it), only when that leaves a plausible word; failing that, the reading that
   * lets الوزير meet وزير, a ت before a pronoun or the dual read as ة, or the accusative ا removed
   * (docs/search.md, "The variant"). Undefined when there is none.
   */
  alt?: string;
  /** Offsets of the word in the ORIGINAL input (UTF-16 code units, end exclusive), for highlighting. */
  start: number;
  end: number;
  /** Position among the terms of the text (0, 1, 2…), stopwords included, for phrases. */
  position: number;
  stop: boolean;
}

export interface AnalyzeOptions {
  /** Words kept whole by the stemmer (proper nouns), as typed; replaces DEFAULT_STEM_EXCLUSIONS. */
  exclusions?: ReadonlySet<string>;
}

const STOPWORDS: ReadonlySet<string> = new Set(ARABIC_STOPWORDS.map(normalize));

// Callers pass exclusions as typed; normalize each set once.
const normalizedSets = new WeakMap<ReadonlySet<string>, ReadonlySet<string>>();
function normalizedExclusions(set: ReadonlySet<string>): ReadonlySet<string> {
  let n = normalizedSets.get(set);
  if (!n) {
    n = exclusionForms([...set].map(normalize));
    normalizedSets.set(set, n);
  }
  return n;
}
const DEFAULT_EXCLUSIONS: ReadonlySet<string> = normalizedExclusions(new Set(DEFAULT_STEM_EXCLUSIONS));

type Analyzed = { main: string; alt?: string; stop: boolean };

// News text repeats a small vocabulary (Zipf): analysing each distinct typed word once per
// exclusion set makes indexing several times faster. Bounded, and simply emptied when full.
const CACHE_LIMIT = 100_000;
const caches = new WeakMap<ReadonlySet<string>, Map<string, readonly Analyzed[]>>();

function analyzeWord(typed: string, exclusions: ReadonlySet<string>): readonly Analyzed[] {
  let cache = caches.get(exclusions);
  if (!cache) caches.set(exclusions, (cache = new Map()));
  const hit = cache.get(typed);
  if (hit) return hit;
  const out: Analyzed[] = [];
  for (const w of splitFolded(fold(typed))) {
    if (STOPWORDS.has(w)) {
      out.push({ main: w, stop: true });
      continue;
    }
    const s = stems(w, exclusions);
    out.push(s.alt === undefined ? { main: s.main, stop: false } : { main: s.main, alt: s.alt, stop: false });
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(typed, out);
  return out;
}

export function analyze(text: string, opts?: AnalyzeOptions): Term[] {
  const exclusions = opts?.exclusions ? normalizedExclusions(opts.exclusions) : DEFAULT_EXCLUSIONS;
  const terms: Term[] = [];
  for (const word of words(text)) {
    for (const a of analyzeWord(word.text, exclusions)) {
      const term: Term = { main: a.main, start: word.start, end: word.end, position: terms.length, stop: a.stop };
      if (a.alt !== undefined) term.alt = a.alt;
      terms.push(term);
    }
  }
  return terms;
}

/** Convenience: the main terms of non-stopwords, space-joined; `alt` holds the variants that exist. */
export function indexText(text: string, opts?: AnalyzeOptions): { main: string; alt: string } {
  const main: string[] = [];
  const alt: string[] = [];
  for (const t of analyze(text, opts)) {
    if (t.stop) continue;
    main.push(t.main);
    if (t.alt !== undefined) alt.push(t.alt);
  }
  return { main: main.join(' '), alt: alt.join(' ') };
}
