// The search analyzer (issue 5): normalization, tokens with offsets, light stems, stopwords.
// Pure TypeScript with no imports outside this folder; docs/search.md states every rule.
import { fold, foldPlainArabic, normalize, splitFolded } from './normalize.js';
import { DEFAULT_STEM_EXCLUSIONS, exclusionForms, stems } from './stem.js';
import { ARABIC_STOPWORDS } from './stopwords.js';
import { forEachWord } from './tokenize.js';

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
let siteExclusions = DEFAULT_EXCLUSIONS;
let siteExtra: readonly string[] = [];

/**
 * The site's own proper nouns (a setting: NASHRA_STEM_EXCLUSIONS), kept whole in addition to
 * DEFAULT_STEM_EXCLUSIONS by every analyze() call that names no set of its own. Set once at start,
 * before anything is indexed or searched: an index built under another list needs a reindex,
 * which is why `siteExclusionsFingerprint()` is recorded beside the analyzer version.
 */
export function setSiteExclusions(extra: readonly string[]): void {
  siteExtra = [...new Set(extra.map((w) => w.trim()).filter(Boolean))].sort();
  siteExclusions = siteExtra.length ? normalizedExclusions(new Set([...DEFAULT_STEM_EXCLUSIONS, ...siteExtra])) : DEFAULT_EXCLUSIONS;
}

/** The words added by setSiteExclusions, sorted: what a worker thread needs to analyse alike. */
export function siteExclusionWords(): readonly string[] {
  return siteExtra;
}

/** '' with the default list; otherwise the sorted extra words, so a changed list is detected. */
export function siteExclusionsFingerprint(): string {
  return siteExtra.join(',');
}

type Analyzed = { main: string; alt?: string; stop: boolean };

// Words that are not plain Arabic (Latin names, harakat with hamza marks, presentation forms)
// go through NFKC and several regexes; each distinct one is analysed once per exclusion set.
// Plain Arabic words, nearly all of them, are not cached: folding and stemming one took less time
// than a lookup in a map big enough to hold a news vocabulary's long tail (bench:search, see
// docs/benchmarks.md). Bounded in two generations: when the newer fills it becomes the older and
// a fresh one starts, and a word found in the older moves back, so frequent words survive.
const CACHE_LIMIT = 20_000;
interface WordCache {
  young: Map<string, readonly Analyzed[]>;
  old: Map<string, readonly Analyzed[]>;
}
const caches = new WeakMap<ReadonlySet<string>, WordCache>();

function analyzeWord(typed: string, exclusions: ReadonlySet<string>): readonly Analyzed[] {
  const plain = foldPlainArabic(typed);
  // A plain word folds to one word, or to none if it was only tatweel and harakat.
  if (plain !== undefined) return plain.length ? [analyzeFolded(plain, exclusions)] : [];
  let cache = caches.get(exclusions);
  if (!cache) caches.set(exclusions, (cache = { young: new Map(), old: new Map() }));
  let hit = cache.young.get(typed);
  if (hit) return hit;
  hit = cache.old.get(typed) ?? splitFolded(fold(typed)).map((w) => analyzeFolded(w, exclusions));
  if (cache.young.size >= CACHE_LIMIT) {
    cache.old = cache.young;
    cache.young = new Map();
  }
  cache.young.set(typed, hit);
  return hit;
}

function analyzeFolded(w: string, exclusions: ReadonlySet<string>): Analyzed {
  if (STOPWORDS.has(w)) return { main: w, stop: true };
  const s = stems(w, exclusions);
  return s.alt === undefined ? { main: s.main, stop: false } : { main: s.main, alt: s.alt, stop: false };
}

export function analyze(text: string, opts?: AnalyzeOptions): Term[] {
  const exclusions = opts?.exclusions ? normalizedExclusions(opts.exclusions) : siteExclusions;
  const terms: Term[] = [];
  forEachWord(text, (typed, start, end) => {
    for (const a of analyzeWord(typed, exclusions)) {
      const term: Term = { main: a.main, start, end, position: terms.length, stop: a.stop };
      if (a.alt !== undefined) term.alt = a.alt;
      terms.push(term);
    }
  });
  return terms;
}

/** A term as an index stores it: analyze()'s Term without offsets or position (its place in the list). */
export interface IndexTerm {
  readonly main: string;
  readonly alt?: string;
  readonly stop: boolean;
}

/**
 * analyze() for bulk indexing: the same terms in the same order, without offsets, so no object is
 * made per word. The objects are shared between calls and must not be changed.
 */
export function indexTerms(text: string, opts?: AnalyzeOptions): IndexTerm[] {
  const exclusions = opts?.exclusions ? normalizedExclusions(opts.exclusions) : siteExclusions;
  const terms: IndexTerm[] = [];
  forEachWord(text, (typed) => {
    for (const a of analyzeWord(typed, exclusions)) terms.push(a);
  });
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
