// Word boundaries on the ORIGINAL text, so offsets point at what the writer typed even though
// normalization changes lengths (ﻻ → لا, ﷲ → الله, dropped harakat).

// A word is a run of letters, digits and combining marks; invisible format characters inside it
// (ZWNJ in Persian words, stray RLM) do not break it. Tatweel is a letter (Lm) already.
const WORD_RUN = /[\p{L}\p{N}\p{M}\u00ad\u061c\u200c-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]+/gu;
// A word starts at its first letter or digit (a mark without a base, or an RLM, is not typed
// text to highlight) and ends after its last letter, digit or mark (so a final tanween is kept).
const BASE = /[\p{L}\p{N}]/u;
const VISIBLE = /[\p{L}\p{N}\p{M}]/u;
// Digits glued to Arabic letters are two words: the year in 2024م or ١٤٤٥هـ must meet 2024.
// (Latin letters and digits stay together: covid19, G20 are names.)
const DIGIT_LETTER_BOUNDARY =
  /(?<=[0-9\u0660-\u0669\u06f0-\u06f9])(?=[\u0621-\u064a\u0671-\u06d3])|(?<=[\u0621-\u065f\u0671-\u06d3])(?=[0-9\u0660-\u0669\u06f0-\u06f9])/;

export interface Word {
  text: string;
  start: number;
  end: number;
}

export function words(text: string): Word[] {
  const out: Word[] = [];
  forEachWord(text, (w, start, end) => {
    out.push({ text: w, start, end });
  });
  return out;
}

/** words() as calls, in order, without a Word object each: the bulk indexing path. */
export function forEachWord(text: string, visit: (word: string, start: number, end: number) => void): void {
  if (isPlainText(text)) {
    plainRuns(text, visit);
    return;
  }
  for (const m of text.matchAll(WORD_RUN)) {
    const run = m[0];
    let start = 0;
    let end = run.length;
    // Almost every word starts and ends with a plain Arabic or ASCII letter: skip the regexes.
    if (isPlainLetter(run.charCodeAt(0)) && isPlainLetter(run.charCodeAt(end - 1))) {
      push(visit, run, m.index ?? 0);
      continue;
    }
    // Step by code point: an astral letter (𝐀) is two UTF-16 units and neither alone is a letter.
    while (start < end && !BASE.test(String.fromCodePoint(run.codePointAt(start) ?? 0))) start += codeUnits(run, start);
    while (end > start && !VISIBLE.test(lastCodePoint(run, end))) end -= lastCodePoint(run, end).length;
    if (start >= end) continue;
    push(visit, run.slice(start, end), (m.index ?? 0) + start);
  }
}

/**
 * Code units whose class words() knows without a regex: ASCII, basic Arabic letters, tatweel and
 * harakat (U+0621–U+0652), Arabic-Indic digits, and the separators news text uses (« » ، ؛ ؟ ٪ ٫
 * ٬ ٭). Text made only of these (nearly every article) is split by plainRuns; any other code
 * unit sends the whole text down the regex path.
 */
function isPlainText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80 || (c >= 0x0621 && c <= 0x0652) || (c >= 0x0660 && c <= 0x066d)) continue;
    if (c === 0xab || c === 0xbb || c === 0x060c || c === 0x061b || c === 0x061f) continue;
    return false;
  }
  return true;
}

/** Same words and offsets as the regex path: runs of word units, leading harakat trimmed (a mark is not a base). */
function plainRuns(text: string, visit: (word: string, start: number, end: number) => void): void {
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x20;
    const word = c < 0x80 ? (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) : (c >= 0x0621 && c <= 0x0652) || (c >= 0x0660 && c <= 0x0669);
    if (word) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      let s = start;
      while (s < i && text.charCodeAt(s) >= 0x064b && text.charCodeAt(s) <= 0x0652) s++;
      if (s < i) push(visit, text.slice(s, i), s);
      start = -1;
    }
  }
}

function hasDigit(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x0660 && c <= 0x0669) || (c >= 0x06f0 && c <= 0x06f9)) return true;
  }
  return false;
}

function push(visit: (word: string, start: number, end: number) => void, text: string, at: number): void {
  if (!hasDigit(text)) {
    visit(text, at, at + text.length);
    return;
  }
  for (const part of text.split(DIGIT_LETTER_BOUNDARY)) {
    visit(part, at, at + part.length);
    at += part.length;
  }
}

/** Basic Arabic letters, ASCII letters and digits: a base at the start, visible at the end. */
function isPlainLetter(c: number): boolean {
  return (c >= 0x0621 && c <= 0x063a) || (c >= 0x0641 && c <= 0x064a) || (c >= 0x0660 && c <= 0x0669) ||
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

function codeUnits(s: string, i: number): number {
  return (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
}

/** The code point ending at `end`, as a string (one or two UTF-16 units). */
function lastCodePoint(s: string, end: number): string {
  const low = s.charCodeAt(end - 1);
  if (low >= 0xdc00 && low <= 0xdfff && end >= 2) {
    const high = s.charCodeAt(end - 2);
    if (high >= 0xd800 && high <= 0xdbff) return s.slice(end - 2, end);
  }
  return s.slice(end - 1, end);
}
