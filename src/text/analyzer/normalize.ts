// Folding rules for search (docs/search.md, "Normalization"). Pure functions, no imports.

// Arabic marks that do not change the word for a reader: harakat and other marks on letters
// (U+064B–U+065F, which includes a hamza or madda left over after NFKC could not compose it),
// superscript alef, Quranic annotation marks, and tatweel (a stretching glyph, not a letter).
const ARABIC_MARKS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/g;
// Invisible format characters: ZWNJ/ZWJ, LRM/RLM, the embeddings and isolates, ALM, BOM, soft
// hyphen, word joiner. Pasted text is full of them and a reader never sees them.
const INVISIBLES = /[\u00ad\u061c\u200c-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
// Combining marks used on Latin (and Greek/Cyrillic) letters: stripped after NFD so é → e.
const LATIN_COMBINING = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
// Only worth the NFD round trip when a decomposable Latin letter or a combining mark is present.
const NEEDS_LATIN_FOLD = /[\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/;
// Latin letters with no canonical decomposition that readers still type without the stroke.
const LATIN_EXTRA: Record<string, string> = { ø: 'o', đ: 'd', ł: 'l', ħ: 'h', ı: 'i', æ: 'ae', œ: 'oe', ß: 'ss', þ: 'th', ð: 'd' };
const LATIN_EXTRA_RE = /[øđłħıæœßþð]/g;

// Spelling variants of one letter: hamzated and wasla alefs, alef maqsura, ta marbuta, and the
// Persian/Urdu code points keyboards produce for yeh, kaf and heh.
const LETTER_FOLDS: Record<string, string> = {
  '\u0623': '\u0627', // أ
  '\u0625': '\u0627', // إ
  '\u0622': '\u0627', // آ
  '\u0671': '\u0627', // ٱ
  '\u0649': '\u064a', // ى → ي
  '\u06cc': '\u064a', // ی → ي
  '\u0629': '\u0647', // ة → ه
  '\u06c0': '\u0647', // ۀ → ه
  '\u06c1': '\u0647', // ہ → ه
  '\u06a9': '\u0643', // ک → ك
};
const LETTER_FOLDS_RE = /[\u0622\u0623\u0625\u0671\u0649\u06cc\u0629\u06c0\u06c1\u06a9]/g;
const EASTERN_DIGITS = /[\u0660-\u0669\u06f0-\u06f9]/g;
// Anything that is not a letter, digit or (remaining, non-Arabic) combining mark separates words.
const SEPARATORS = /[^\p{L}\p{N}\p{M}]+/gu;

/**
 * The folded form of a string, separators left in place: the per-word half of normalize().
 * Order matters: NFKC first so presentation forms and ligatures (ﻻ, ﷲ) become ordinary letters
 * that the later folds see; marks go before letter folds so a composed أ and a decomposed ا + ٔ
 * end up alike.
 */
export function fold(text: string): string {
  const plain = foldPlainArabic(text);
  if (plain !== undefined) return plain;
  let s = text.normalize('NFKC').toLowerCase();
  if (NEEDS_LATIN_FOLD.test(s)) s = s.normalize('NFD').replace(LATIN_COMBINING, '').normalize('NFC');
  return s
    .replace(LATIN_EXTRA_RE, (c) => LATIN_EXTRA[c] ?? c)
    .replace(ARABIC_MARKS, '')
    .replace(INVISIBLES, '')
    .replace(LETTER_FOLDS_RE, (c) => LETTER_FOLDS[c] ?? c)
    .replace(EASTERN_DIGITS, (d) => {
      const code = d.charCodeAt(0);
      return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
    });
}

/**
 * fold() for the common case, a word of basic Arabic letters (U+0621–U+063A, U+0641–U+064A) with
 * perhaps tatweel and harakat (U+064B–U+0652): one pass over the code units instead of NFKC and
 * seven regex passes. These letters are already NFKC and have no case, and these harakat compose
 * with nothing (the hamza and madda marks U+0653–U+0655, which do, take the full path), so the
 * result is the same: marks and tatweel dropped, أ إ آ → ا, ى → ي, ة → ه. Undefined for any other
 * input. A test compares both paths on random strings over these code points.
 */
export function foldPlainArabic(text: string): string | undefined {
  let changes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x0621 || c > 0x0652 || (c > 0x063a && c < 0x0640)) return undefined;
    if (c === 0x0622 || c === 0x0623 || c === 0x0625 || c === 0x0629 || c === 0x0640 || c === 0x0649 || c >= 0x064b) changes = true;
  }
  if (!changes) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0640 || c >= 0x064b) continue;
    out += c === 0x0622 || c === 0x0623 || c === 0x0625 ? '\u0627' : c === 0x0649 ? '\u064a' : c === 0x0629 ? '\u0647' : text[i];
  }
  return out;
}

/**
 * Search normalization: folded text with every run of separators (spaces, punctuation such as
 * « » ، ؛ ؟ and ASCII punctuation, symbols) turned into one space, trimmed.
 * The result is not the same length as the input; use analyze() for offsets.
 */
export function normalize(text: string): string {
  return fold(text).replace(SEPARATORS, ' ').trim();
}

/** Split a folded string into its words (NFKC can turn one typed word into several, e.g. ﷺ). */
export function splitFolded(folded: string): string[] {
  return folded.split(SEPARATORS).filter((w) => w.length > 0);
}
