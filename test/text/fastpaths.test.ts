import { describe, expect, it } from 'vitest';
import { analyze, indexTerms } from '../../src/text/analyzer/index.js';
import { fold, foldPlainArabic } from '../../src/text/analyzer/normalize.js';
import { words } from '../../src/text/analyzer/tokenize.js';

// The analyzer's fast paths for plain Arabic text must agree with the general ones. A trailing
// ZWNJ (invisible, dropped by folding, trimmed off a word's end) sends the same text down the
// general path, which is the reference.
function rng(seed: number) {
  return () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
}
const PLAIN = [
  ...Array.from({ length: 0x0652 - 0x0621 + 1 }, (_, i) => 0x0621 + i),
  ...Array.from({ length: 14 }, (_, i) => 0x0660 + i),
  0x20, 0x20, 0x20, 0x2e, 0x41, 0x7a, 0x35, 0x0a, 0xab, 0xbb, 0x060c, 0x061b, 0x061f,
];
function randomPlain(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 24);
  for (let i = 0; i < n; i++) s += String.fromCharCode(PLAIN[Math.floor(r() * PLAIN.length)]!);
  return s;
}

describe('analyzer fast paths', () => {
  it('fold of plain Arabic letters and harakat equals the NFKC path', () => {
    const r = rng(7);
    for (let i = 0; i < 20000; i++) {
      let w = '';
      const n = 1 + Math.floor(r() * 8);
      for (let j = 0; j < n; j++) w += String.fromCharCode(0x0621 + Math.floor(r() * (0x0652 - 0x0621 + 1)));
      const fast = foldPlainArabic(w);
      if (fast === undefined) continue;
      expect(fast).toBe(fold(`${w}\u200c`));
    }
    expect(foldPlainArabic('ؤ')).toBeUndefined(); // hamza above composes under NFKC: general path
    expect(foldPlainArabic('أحمد')).toBe('احمد');
  });

  it('words and analyze on plain text equal the regex path', () => {
    const r = rng(11);
    for (let i = 0; i < 20000; i++) {
      const s = randomPlain(r);
      expect(words(s)).toEqual(words(`${s}\u200c`));
      expect(analyze(s)).toEqual(analyze(`${s}\u200c`));
    }
  });

  it('indexTerms gives analyze() terms without offsets', () => {
    const r = rng(13);
    for (let i = 0; i < 5000; i++) {
      const s = randomPlain(r) + (i % 3 ? '' : ' Café ﻻ ١٤٤٥هـ');
      expect(indexTerms(s).map((t) => [t.main, t.alt, t.stop])).toEqual(analyze(s).map((t) => [t.main, t.alt, t.stop]));
    }
  });
});
