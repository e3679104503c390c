// Light stemming for search (docs/search.md, "Stemming"): light10 (Larkey, Ballesteros &
// Connell) plus attached pronouns, and the single-letter proclitics as a second variant.
// Everything here works on normalize()d words: ة is already ه, أ/إ/آ are already ا.

/**
 * Proper nouns whose endings look like suffixes (ايران → اير, لبنان → لبن) or whose first
 * letter looks like a proclitic (بلينكن, واشنطن). Written as typed; compared normalized.
 */
export const DEFAULT_STEM_EXCLUSIONS: readonly string[] = [
  'إيران', 'لبنان', 'عمان', 'عمّان', 'السودان', 'سودان', 'الأردن', 'أردن', 'اليابان', 'يابان',
  'باكستان', 'أفغانستان', 'كازاخستان', 'أذربيجان', 'البلقان', 'بلقان', 'اليونان', 'يونان',
  'فلسطين', 'الصين', 'صين', 'البحرين', 'بحرين', 'طهران', 'عمران', 'لندن', 'برلين', 'بكين',
  'واشنطن', 'فيينا', 'أثينا', 'بلينكن', 'بايدن', 'بوتين', 'أردوغان', 'البنتاغون', 'بنتاغون',
  'الكرملين', 'كرملين', 'حسين', 'عثمان', 'سليمان', 'رمضان', 'نيسان', 'حزيران', 'تشرين', 'كانون',
  // place names that begin like a proclitic (ب ل ك ف) or are often written after one (بسوريا)
  'سوريا', 'العراق', 'مصر', 'روسيا', 'تركيا', 'أميركا', 'أمريكا', 'فرنسا', 'ألمانيا', 'بريطانيا',
  'إسرائيل', 'غزة', 'قطر', 'دمشق', 'بغداد', 'بيروت', 'القاهرة', 'روما', 'موسكو', 'باريس', 'بروكسل',
  'حلب', 'إدلب', 'بنغازي', 'الفلوجة', 'كركوك', 'كابل', 'لاهاي', 'ليبيا', 'فنزويلا',
];

const MIN_AFTER_ARTICLE = 2; // light10: an article goes only if at least 2 letters remain
const MIN_WORD_FOR_WAW = 4; // light10: و goes only from a word of 4+ letters (3+ remain)
const MIN_AFTER_SUFFIX = 2; // light10: a suffix goes only if at least 2 letters remain
const MIN_AFTER_PROCLITIC = 3; // variant only: ل ب ك ف (or و/ف + one of ل ب ك) leave 3+ letters

// light10 prefixes, tried in this order; at most one is removed.
const ARTICLES = ['ال', 'وال', 'بال', 'كال', 'فال', 'لل'] as const;
// light10 suffixes, tried once each in this order (right to left), so several can go: ات then ي.
// ة and ية are in the published list; after normalization they are ه and يه.
const SUFFIXES = ['ها', 'ان', 'ات', 'ون', 'ين', 'يه', 'ه', 'ي'] as const;
// Attached pronouns, longest first, at most one, removed before the light10 suffixes because
// they sit outside them (ضربات+نا). The rarer ones need more left over: كم/كن/هن/كما end
// many plain nouns (محاكم، اماكن، تراكم، حكما) that must not lose them.
const PRONOUNS: ReadonlyArray<readonly [string, number]> = [
  ['هما', 3], ['كما', 4], ['هم', 3], ['نا', 3], ['هن', 4], ['كم', 4], ['كن', 4],
];

// Arabic letters only (after folding); words with digits, Latin or other scripts are not stemmed.
const ARABIC_WORD = /^[\u0621-\u063a\u0641-\u064a\u066e-\u06d3\u06fa-\u06ff]+$/;

export function isArabicWord(word: string): boolean {
  return ARABIC_WORD.test(word);
}

function stripArticle(w: string): string | undefined {
  for (const p of ARTICLES) {
    if (w.startsWith(p) && w.length - p.length >= MIN_AFTER_ARTICLE) return w.slice(p.length);
  }
  return undefined;
}

/**
 * light10 prefix step: one article (leaving 2+), else و (from a word of 4+) — and then, our
 * addition, an article after that و, so وللميليشيات and وبالضربات reach the same stem as
 * الميليشيات and الضربات (light10 proper stops at للميليشيات).
 */
function stripPrefix(w: string): string {
  const a = stripArticle(w);
  if (a !== undefined) return a;
  if (w.startsWith('و') && w.length >= MIN_WORD_FOR_WAW) {
    const rest = w.slice(1);
    return stripArticle(rest) ?? rest;
  }
  return w;
}

/**
 * A caller's exclusion list, normalized by the caller, as the stemmer compares it: the article
 * is part of how a name is written (البنتاغون) but the stemmer sees the word after removing it.
 */
export function exclusionForms(normalized: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const w of normalized) {
    if (w.length === 0) continue;
    out.add(w.startsWith('ال') && w.length - 2 >= MIN_AFTER_ARTICLE ? w.slice(2) : w);
  }
  return out;
}

interface Stripped {
  stem: string;
  /** A pronoun, ها/ه or the dual ان/ين came off: a final ت may be a ta marbuta written ت before it. */
  taBefore: boolean;
}

/** Pronoun then light10 suffixes; stops as soon as the form is a protected word. */
function stripSuffixes(w: string, exclusions: ReadonlySet<string>): Stripped {
  if (exclusions.has(w)) return { stem: w, taBefore: false };
  let taBefore = false;
  // ه after the plural ات (تصريحاته): light10 tries ات before ه, so the pair would stay whole.
  if (w.endsWith('اته') && w.length - 1 >= 4) {
    w = w.slice(0, -1);
    taBefore = true;
  } else {
    for (const [p, min] of PRONOUNS) {
      if (w.endsWith(p) && w.length - p.length >= min) {
        w = w.slice(0, -p.length);
        taBefore = true;
        break;
      }
    }
  }
  if (exclusions.has(w)) return { stem: w, taBefore };
  for (const s of SUFFIXES) {
    if (w.endsWith(s) && w.length - s.length >= MIN_AFTER_SUFFIX) {
      w = w.slice(0, -s.length);
      if (s === 'ها' || s === 'ه' || s === 'ان' || s === 'ين') taBefore = true;
      if (exclusions.has(w)) return { stem: w, taBefore };
    }
  }
  return { stem: w, taBefore };
}

/**
 * ة is written ت before a pronoun or the dual ending (حكومة → حكومتها, قضية → قضيتهم,
 * طائرة → الطائرتان): the stem read with ه again and stemmed on, so it meets the stem of the bare
 * noun. Undefined when not applicable.
 */
function taMarbutaForm(r: Stripped, exclusions: ReadonlySet<string>): string | undefined {
  if (!r.taBefore || !r.stem.endsWith('ت') || r.stem.length < 3) return undefined;
  return stripSuffixes(r.stem.slice(0, -1) + 'ه', exclusions).stem;
}

/** The stem used for a variant: the ta-marbuta reading when there is one. */
function variantStem(w: string, exclusions: ReadonlySet<string>): string {
  const r = stripSuffixes(w, exclusions);
  return taMarbutaForm(r, exclusions) ?? r.stem;
}

/**
 * The indefinite accusative ends in ا (مدرباً, يومياً, مؤتمراً; the tanween is usually not typed, and
 * normalization drops it anyway): the stem without that ا, when 3+ letters remain.
 */
function accusativeForm(prefixless: string, exclusions: ReadonlySet<string>): string | undefined {
  if (!prefixless.endsWith('ا') || prefixless.length - 1 < 3) return undefined;
  return variantStem(prefixless.slice(0, -1), exclusions);
}

/** ل ب ك ف, or و/ف followed by ل ب ك, when 3+ letters remain; undefined otherwise. */
function withoutProclitic(w: string): string | undefined {
  const c0 = w[0];
  const c1 = w[1];
  if ((c0 === 'و' || c0 === 'ف') && (c1 === 'ل' || c1 === 'ب' || c1 === 'ك') && w.length - 2 >= MIN_AFTER_PROCLITIC) {
    return w.slice(2);
  }
  if ((c0 === 'ل' || c0 === 'ب' || c0 === 'ك' || c0 === 'ف') && w.length - 1 >= MIN_AFTER_PROCLITIC) {
    return w.slice(1);
  }
  return undefined;
}

export interface Stems {
  main: string;
  alt?: string;
}

/**
 * Main and variant stems of one normalized, non-stop word.
 * - main: light10 + pronouns; an excluded word (or an excluded word behind one proclitic, as in
 *   لإيران) stays whole.
 * - alt, the first that applies:
 *   1. no article came off and the word starts with a proclitic: the stem of the rest
 *      (لميليشيات → ميليش, meeting الميليشيات);
 *   2. the article uncovered a word starting with و (الوزير → وزير): the stem without it, so it
 *      meets the light10 main of the bare word (وزير → زير);
 *   3. a pronoun or the dual left a final ت: the ta-marbuta reading (حكومتها → حكوم, meeting
 *      الحكومة);
 *   4. nothing came off the end and it is an ا that can be the accusative ending: the stem
 *      without it (مدربا → مدرب).
 *   Variants 1 and 2 also take the ta-marbuta reading when it applies. Absent when equal to main.
 */
export function stems(w: string, exclusions: ReadonlySet<string>): Stems {
  if (exclusions.has(w) || !isArabicWord(w)) return { main: w };
  const bare = withoutProclitic(w);
  if (bare !== undefined && exclusions.has(bare)) return { main: bare };
  const prefixless = stripPrefix(w);
  const stripped = stripSuffixes(prefixless, exclusions);
  const main = stripped.stem;
  const articleRemoved = prefixless.length <= w.length - 2;
  let alt: string | undefined;
  if (bare !== undefined && !articleRemoved) {
    alt = variantStem(stripPrefix(bare), exclusions);
  } else if (articleRemoved && prefixless.startsWith('و') && prefixless.length >= MIN_WORD_FOR_WAW) {
    alt = variantStem(prefixless.slice(1), exclusions);
  } else {
    // The accusative reading only when nothing came off the end (ضرباتنا lost نا, not ا).
    alt = taMarbutaForm(stripped, exclusions) ?? (main === prefixless ? accusativeForm(prefixless, exclusions) : undefined);
  }
  return alt === undefined || alt === main ? { main } : { main, alt };
}
