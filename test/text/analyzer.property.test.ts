import { describe, it, expect } from 'vitest';
import { analyze, indexText, normalize } from '../../src/text/analyzer/index.js';
// Seeded, so a failure names an input that fails again.
import { mulberry32 } from '../../bench/search/prng.js';

// Ranges that stress the analyzer: Arabic letters, marks and digits, presentation forms and
// ligatures, Persian letters, bidi and zero-width controls, Latin with accents, combining marks,
// punctuation, whitespace, astral letters and emoji, lone surrogates, and anything at all.
const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x0600, 0x06ff], [0x0600, 0x06ff], [0x0621, 0x064a], [0x0621, 0x064a], [0x064b, 0x065f],
  [0xfb50, 0xfdff], [0xfe70, 0xfeff], [0x200b, 0x200f], [0x202a, 0x202e], [0x2066, 0x2069],
  [0x0041, 0x007a], [0x00c0, 0x024f], [0x0300, 0x036f], [0x0020, 0x0040], [0x00ab, 0x00bb],
  [0x1d400, 0x1d7ff], [0x1f300, 0x1f6ff], [0xd800, 0xdfff], [0x0000, 0xffff], [0x0000, 0x10ffff],
];

function randomString(next: () => number): string {
  const len = Math.floor(next() * 40);
  let s = '';
  for (let i = 0; i < len; i++) {
    const [lo, hi] = RANGES[Math.floor(next() * RANGES.length)]!;
    const cp = lo + Math.floor(next() * (hi - lo + 1));
    // Lone surrogates are built from UTF-16 units on purpose: pasted text can contain them.
    s += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
  }
  return s;
}

describe('analyzer properties over random Unicode', () => {
  const next = mulberry32(0x5eed);
  const inputs = Array.from({ length: 4000 }, () => randomString(next));

  it('never throws, and every term is well formed', () => {
    for (const text of inputs) {
      const terms = analyze(text);
      let lastStart = -1;
      let lastEnd = 0;
      terms.forEach((t, i) => {
        const where = JSON.stringify(text);
        expect(t.main.length, where).toBeGreaterThan(0);
        if (t.alt !== undefined) expect(t.alt.length, where).toBeGreaterThan(0);
        expect(t.position, where).toBe(i);
        expect(t.start, where).toBeGreaterThanOrEqual(0);
        expect(t.end, where).toBeLessThanOrEqual(text.length);
        expect(t.start, where).toBeLessThan(t.end);
        // Offsets never go backwards; a word NFKC expands into several terms repeats its offsets.
        if (t.start === lastStart) expect(t.end, where).toBe(lastEnd);
        else expect(t.start, where).toBeGreaterThanOrEqual(lastEnd);
        lastStart = t.start;
        lastEnd = t.end;
        expect(t.main, where).not.toMatch(/\s/);
      });
      expect(() => indexText(text)).not.toThrow();
    }
  });

  it('normalize never throws, is trimmed, has no double spaces and is idempotent', () => {
    for (const text of inputs) {
      const n = normalize(text);
      expect(n).toBe(n.trim());
      expect(n).not.toMatch(/ {2}/);
      expect(normalize(n), JSON.stringify(text)).toBe(n);
    }
  });
});
