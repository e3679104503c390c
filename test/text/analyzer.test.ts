import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  ANALYZER_VERSION,
  ARABIC_STOPWORDS,
  DEFAULT_STEM_EXCLUSIONS,
  analyze,
  indexText,
  normalize,
  type Term,
} from '../../src/text/analyzer/index.js';
import { hasSeed, SEED_PATH } from '../helpers/services.js';

/** Main term of a single word. */
const main = (word: string): string => {
  const terms = analyze(word);
  expect(terms).toHaveLength(1);
  return terms[0]!.main;
};
/** Main and alt of one word, as a set to meet on. */
const forms = (word: string): Set<string> => {
  const [t] = analyze(word);
  return new Set([t!.main, ...(t!.alt ? [t!.alt] : [])]);
};
const meet = (a: string, b: string) => [...forms(a)].some((f) => forms(b).has(f));

describe('normalize', () => {
  it('applies NFKC: presentation forms and lam-alef ligatures become plain letters', () => {
    expect(normalize('ﻻ')).toBe('لا');
    expect(normalize('ﻷ')).toBe('لا'); // lam + alef with hamza, then أ → ا
    expect(normalize('ﺑﺴﻢ')).toBe('بسم');
    expect(normalize('ﷲ')).toBe('الله');
    expect(normalize('ﬁ')).toBe('fi');
  });

  it('removes harakat U+064B–U+0652 and the superscript alef', () => {
    for (let c = 0x064b; c <= 0x0652; c++) expect(normalize(`ك${String.fromCharCode(c)}تب`)).toBe('كتب');
    expect(normalize('هٰذا')).toBe('هذا');
    expect(normalize('مُحَمَّدٌ')).toBe('محمد');
  });

  it('removes Quranic marks U+0610–U+061A and U+06D6–U+06ED', () => {
    for (let c = 0x0610; c <= 0x061a; c++) expect(normalize(`ق${String.fromCharCode(c)}ل`)).toBe('قل');
    for (let c = 0x06d6; c <= 0x06ed; c++) expect(normalize(`ق${String.fromCharCode(c)}ل`)).toBe('قل');
  });

  it('removes tatweel', () => {
    expect(normalize('روبرـــــت')).toBe('روبرت');
    expect(normalize('الـــعـــراق')).toBe('العراق');
  });

  it('removes bidi controls, ZWJ/ZWNJ and BOM', () => {
    for (const c of ['\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200c', '\u200d', '\ufeff']) {
      expect(normalize(`سو${c}ريا`)).toBe('سوريا');
      expect(normalize(`${c}دمشق${c}`)).toBe('دمشق');
    }
  });

  it('folds alef forms, alef maqsura, ta marbuta and the Persian letters', () => {
    expect(normalize('أ إ آ ٱ')).toBe('ا ا ا ا');
    expect(normalize('مستشفى')).toBe('مستشفي');
    expect(normalize('مدينة')).toBe('مدينه');
    expect(normalize('ایران')).toBe('ايران'); // Persian yeh U+06CC
    expect(normalize('کتاب')).toBe('كتاب'); // keheh U+06A9
    expect(normalize('خانۀ')).toBe('خانه'); // heh with yeh above U+06C0
    expect(normalize('ہ')).toBe('ه'); // heh goal U+06C1
    expect(normalize('ا\u0654')).toBe('ا'); // decomposed hamza composes (NFKC), then folds
  });

  it('turns Arabic-Indic and Persian digits into 0-9', () => {
    expect(normalize('٠١٢٣٤٥٦٧٨٩')).toBe('0123456789');
    expect(normalize('۰۱۲۳۴۵۶۷۸۹')).toBe('0123456789');
    expect(normalize('٢٠٢٤')).toBe('2024');
  });

  it('lowercases and accent-folds Latin', () => {
    expect(normalize('Café DÉJÀ Über Ñandú')).toBe('cafe deja uber nandu');
    expect(normalize('Łódź Øre straße')).toBe('lodz ore strasse');
    expect(normalize('ＡＢＣ')).toBe('abc'); // fullwidth, by NFKC
  });

  it('turns punctuation, including Arabic punctuation, into single spaces', () => {
    expect(normalize('«روما»، دمشق؛ ماذا؟')).toBe('روما دمشق ماذا');
    expect(normalize('a.b,c;d:e!f?g(h)i[j]k{l}m"n\'o-p_q/r\\s')).toBe('a b c d e f g h i j k l m n o p q r s');
    expect(normalize('  ...  ')).toBe('');
    expect(normalize('2021.06.28 | 17:39')).toBe('2021 06 28 17 39');
  });
});

describe('Lucene ArabicNormalizationFilter behaviours', () => {
  // The examples documented by Lucene's normalizer tests, one rule each.
  it.each([
    ['آجن', 'اجن'], // alef madda
    ['أحمد', 'احمد'], // alef hamza above
    ['إعاذ', 'اعاذ'], // alef hamza below
    ['بنى', 'بني'], // alef maksura
    ['فاطمة', 'فاطمه'], // teh marbuta
    ['روبرـــــت', 'روبرت'], // tatweel
    ['مَبنا', 'مبنا'], // fatha
    ['علِي', 'علي'], // kasra
    ['بُوات', 'بوات'], // damma
    ['ولداً', 'ولدا'], // fathatan
    ['ولدٍ', 'ولد'], // kasratan
    ['ولدٌ', 'ولد'], // dammatan
    ['نلْسون', 'نلسون'], // sukun
    ['هتميّ', 'هتمي'], // shadda
  ])('%s → %s', (input, expected) => {
    expect(normalize(input)).toBe(expected);
  });
});

describe('Lucene ArabicStemFilter behaviours (light10)', () => {
  it.each([
    ['الحسن', 'حسن'],
    ['والحسن', 'حسن'],
    ['بالحسن', 'حسن'],
    ['كالحسن', 'حسن'],
    ['فالحسن', 'حسن'],
    ['للاخر', 'اخر'],
    ['وحسن', 'حسن'],
    ['زوجها', 'زوج'],
    ['ساهدان', 'ساهد'],
    ['ساهدات', 'ساهد'],
    ['ساهدون', 'ساهد'],
    ['ساهدين', 'ساهد'],
    ['ساهديه', 'ساهد'],
    ['ساهدية', 'ساهد'],
    ['ساهده', 'ساهد'],
    ['ساهدة', 'ساهد'],
    ['ساهدي', 'ساهد'],
    ['وساهدون', 'ساهد'],
    ['ساهدهات', 'ساهد'],
    ['الو', 'الو'], // too short to lose anything
  ])('%s → %s', (input, expected) => {
    expect(main(input)).toBe(expected);
  });

  it('keeps a protected (keyword) word whole', () => {
    expect(analyze('ساهدهات', { exclusions: new Set(['ساهدهات']) })[0]!.main).toBe('ساهدهات');
  });

  it('leaves non-Arabic words unstemmed (only lowercased)', () => {
    expect(main('English')).toBe('english');
  });
});

describe('light10 guards', () => {
  it('removes an article only when 2+ letters remain', () => {
    expect(main('الم')).toBe('الم');
    expect(main('الما')).toBe('ما');
    expect(main('للب')).toBe('للب');
  });

  it('removes و only from a word of 4+ letters', () => {
    expect(main('ولد')).toBe('ولد');
    expect(main('وكتب')).toBe('كتب');
  });

  it('removes each suffix once, in order, while 2+ letters remain', () => {
    expect(main('بها')).not.toBe('ب'); // stopword, kept
    expect(main('مها')).toBe('مها'); // 1 letter would remain
    expect(main('مياه')).toBe('ميا'); // ه goes, 3 remain
    expect(main('ولايات')).toBe('لا'); // و, then ات, then ي
  });

  it('removes one pronoun suffix before the light10 suffixes, with its own guard', () => {
    expect(main('بلدانهم')).toBe('بلد');
    expect(main('ضرباتنا')).toBe('ضرب');
    expect(main('شعبنا')).toBe('شعب');
    expect(main('بيوتكم')).toBe('بيوت');
    expect(main('بيتهما')).toBe('بيت');
    expect(main('بيتكما')).toBe('بيتكما'); // كما needs 4 letters left
    expect(main('تراكم')).toBe('تراكم');
    // plain nouns that merely end like a pronoun keep their ending
    expect(main('فهم')).toBe('فهم');
    expect(main('متهم')).toBe('متهم');
    expect(main('محاكم')).toBe('محاكم');
    expect(main('اماكن')).toBe('اماكن');
    expect(main('يمكن')).toBe('يمكن');
  });
});

describe('proclitic variant (alt)', () => {
  it('gives ل ب ك ف words a second form without the letter', () => {
    const [t] = analyze('لميليشيات');
    expect(t!.alt).toBe(main('الميليشيات'));
    expect(analyze('فقال')[0]!.alt).toBe('قال');
    expect(analyze('وللميليشيات')[0]!.main).toBe('ميليش'); // و, then the article لل
    expect(analyze('وبالضربات')[0]!.main).toBe('ضرب'); // و, then the article
  });

  it('keeps short words whole: no alt when fewer than 3 letters would remain', () => {
    expect(analyze('بلد')[0]!.alt).toBeUndefined();
    expect(analyze('كتب')[0]!.alt).toBeUndefined();
    expect(analyze('فلم')[0]!.alt).toBeUndefined();
  });

  it('has no alt when it would equal main', () => {
    expect(analyze('بالضربات')[0]!.alt).toBeUndefined();
  });

  it('lets الوزير meet وزير despite light10 taking و off the bare word', () => {
    expect(main('وزير')).toBe('زير');
    expect(meet('الوزير', 'وزير')).toBe(true);
    expect(meet('والوزير', 'وزير')).toBe(true);
  });
});

describe('our additions to light10', () => {
  it('takes ه off after the plural ات, which light10 would try too late', () => {
    expect(main('تصريحاته')).toBe(main('التصريحات'));
    expect(main('سياراتهم')).toBe(main('سيارات'));
  });

  it('reads a ت left by a pronoun as ta marbuta in the variant, so حكومتها meets الحكومة', () => {
    expect(analyze('حكومتها')[0]).toMatchObject({ main: 'حكومت', alt: main('الحكومة') });
    expect(meet('قضيتهم', 'قضية')).toBe(true);
    expect(meet('إعادتهم', 'إعادة')).toBe(true);
    expect(meet('لحكومتها', 'الحكومة')).toBe(true);
    expect(main('الوقت')).toBe('وقت'); // no pronoun came off: a ت stays a ت
  });

  it('does the same after the dual ending, so الطائرتان meets طائرة', () => {
    expect(meet('الطائرتان', 'طائرة')).toBe(true);
    expect(meet('طائرتين', 'الطائرة')).toBe(true);
    expect(main('الطائرتان')).toBe('طائرت');
  });

  it('reads a final ا as the accusative ending in the variant, so مدرباً meets المدرب', () => {
    expect(analyze('مدرباً')[0]).toMatchObject({ main: 'مدربا', alt: 'مدرب' });
    expect(meet('خطاطاً', 'الخطاطين')).toBe(true);
    expect(meet('يومياً', 'يومي')).toBe(true);
    expect(analyze('سوريا')[0]!.alt).toBeUndefined(); // a protected name
    expect(analyze('هدى')[0]!.alt).toBeUndefined(); // 2 letters would remain
    expect(analyze('ضرباتنا')[0]!.alt).toBeUndefined(); // نا came off, not an accusative ا
  });

  it('gives no proclitic variant when an article already came off (للقضاء is not ل + لقضاء)', () => {
    expect(analyze('للقضاء')[0]).toMatchObject({ main: 'قضاء' });
    expect(analyze('للقضاء')[0]!.alt).toBeUndefined();
  });
});

describe('stem exclusions', () => {
  it('keeps the default proper nouns whole, also behind a proclitic', () => {
    expect(main('لبنان')).toBe('لبنان');
    expect(analyze('لبنان')[0]!.alt).toBeUndefined();
    expect(main('إيران')).toBe('ايران');
    expect(main('لإيران')).toBe('ايران');
    expect(main('وإيران')).toBe('ايران');
    expect(main('بلينكن')).toBe('بلينكن');
    expect(main('واشنطن')).toBe('واشنطن');
    expect(main('البنتاغون')).toBe('بنتاغون');
    expect(main('بسوريا')).toBe('سوريا');
    expect(analyze('بغداد')[0]!.alt).toBeUndefined();
  });

  it('stops stemming a derived form once it reaches a protected word', () => {
    expect(main('الإيرانية')).toBe('ايران');
    expect(main('اللبنانية')).toBe('لبنان');
    expect(main('الفلسطينيون')).toBe('فلسطين');
  });

  it('is configurable: a caller set replaces the default, entries written as typed', () => {
    const exclusions = new Set(['إيران', 'كاظمين']);
    expect(analyze('الكاظمين', { exclusions })[0]!.main).toBe('كاظمين');
    expect(analyze('الكاظمين')[0]!.main).toBe('كاظم');
    expect(analyze('لبنان', { exclusions })[0]!.main).toBe('لبن'); // not in the caller's set
    expect(DEFAULT_STEM_EXCLUSIONS).toContain('لبنان');
  });
});

describe('stopwords', () => {
  it('marks function words stop, whatever their spelling variant, and keeps their positions', () => {
    const terms = analyze('في مدينة إلى دمشق وعلى الطريق');
    expect(terms.map((t) => [t.main, t.stop])).toEqual([
      ['في', true],
      ['مدين', false],
      ['الي', true],
      ['دمشق', false],
      ['وعلي', true],
      ['طريق', false],
    ]);
    expect(terms.map((t) => t.position)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const w of ['من', 'على', 'عن', 'أن', 'إن', 'هذا', 'التي', 'الذي', 'هو', 'هي']) expect(analyze(w)[0]!.stop).toBe(true);
    expect(ARABIC_STOPWORDS.length).toBeGreaterThan(100);
  });

  it('does not give stopwords an alt', () => {
    expect(analyze('لكن')[0]!.stop).toBe(true);
    expect(analyze('لكن')[0]!.alt).toBeUndefined();
  });
});

describe('analyze: offsets and positions', () => {
  it('points each term at the word as typed, even where normalization changed its length', () => {
    const text = '«وَزِيرُ» الخارجـــية، أنتوني بلينكن: ٢٠٢٤ ﻻ Café';
    const terms = analyze(text);
    expect(terms.map((t) => text.slice(t.start, t.end))).toEqual(['وَزِيرُ', 'الخارجـــية', 'أنتوني', 'بلينكن', '٢٠٢٤', 'ﻻ', 'Café']);
    expect(terms.map((t) => t.position)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(terms[4]!.main).toBe('2024');
  });

  it('keeps a word whole across ZWNJ and invisible marks, but highlights only the visible word', () => {
    const text = 'قال \u200fسوريا\u200f اليوم';
    const terms = analyze(text);
    expect(terms.map((t) => text.slice(t.start, t.end))).toEqual(['قال', 'سوريا', 'اليوم']);
    expect(analyze('می\u200cخواهم')).toHaveLength(1);
  });

  it('gives one term to a diacritized word (FTS5 unicode61 would split مَبنا)', () => {
    const terms = analyze('مَبنا');
    expect(terms).toHaveLength(1);
    expect(terms[0]).toMatchObject({ main: 'مبنا', start: 0, end: 5, position: 0, stop: false });
  });

  it('splits a ligature that NFKC expands into words, sharing the offsets of what was typed', () => {
    const terms = analyze('ﷺ');
    expect(terms.length).toBeGreaterThan(1);
    for (const t of terms) expect([t.start, t.end]).toEqual([0, 1]);
    expect(terms.map((t) => t.position)).toEqual(terms.map((_, i) => i));
  });

  it('handles astral characters with UTF-16 offsets', () => {
    const text = '😀 𝐀𝐁 سوريا';
    const terms = analyze(text);
    expect(terms.map((t) => text.slice(t.start, t.end))).toEqual(['𝐀𝐁', 'سوريا']);
    expect(terms[0]!.main).toBe('ab');
  });

  it('separates digits glued to Arabic letters, keeping Latin names like covid19 whole', () => {
    const text = 'عام 2024م و١٤٤٥هـ ومنذ covid19';
    const terms = analyze(text);
    expect(terms.map((t) => [text.slice(t.start, t.end), t.main])).toEqual([
      ['عام', 'عام'], ['2024', '2024'], ['م', 'م'], ['و', 'و'], ['١٤٤٥', '1445'], ['هـ', 'ه'], ['ومنذ', 'منذ'], ['covid19', 'covid19'],
    ]);
  });

  it('returns nothing for empty or separator-only text', () => {
    expect(analyze('')).toEqual([]);
    expect(analyze(' ،؛؟«» ...\n\t')).toEqual([]);
    expect(analyze('ـــ \u064e')).toEqual([]);
  });
});

describe('the example in docs/search.md', () => {
  it('analyzes as documented', () => {
    expect(analyze('ضرباتنا رادعة لميليشيات إيران')).toEqual([
      { main: 'ضرب', start: 0, end: 7, position: 0, stop: false },
      { main: 'رادع', start: 8, end: 13, position: 1, stop: false },
      { main: 'لميليش', alt: 'ميليش', start: 14, end: 23, position: 2, stop: false },
      { main: 'ايران', start: 24, end: 29, position: 3, stop: false },
    ]);
  });
});

describe('indexText', () => {
  it('joins main terms and existing variants, without stopwords', () => {
    expect(indexText('وجه رسائل لميليشيات إيران في العراق')).toEqual({
      main: `${main('وجه')} ${main('رسائل')} لميليش ايران عراق`,
      alt: 'ميليش',
    });
  });
});

describe('ANALYZER_VERSION', () => {
  it('is a positive integer an index can record', () => {
    expect(Number.isInteger(ANALYZER_VERSION) && ANALYZER_VERSION > 0).toBe(true);
  });
});

describe('the seed article', () => {
  const seed = hasSeed() ? readFileSync(SEED_PATH, 'utf8') : '';

  it.runIf(seed)('إيران and ايران give the same main term', () => {
    expect(seed).toContain('إيران');
    expect(main('إيران')).toBe(main('ايران'));
  });

  it.runIf(seed)('لميليشيات, ميليشياتها and الميليشيات meet on one term', () => {
    for (const w of ['لميليشيات', 'ميليشياتها', 'الميليشيات']) expect(seed).toContain(w);
    const common = [...forms('لميليشيات')].filter((f) => forms('ميليشياتها').has(f) && forms('الميليشيات').has(f));
    expect(common).toEqual(['ميليش']);
  });

  it.runIf(seed)('بالضربات and الضربات meet; لبنان stays لبنان', () => {
    expect(seed).toContain('بالضربات');
    expect(main('بالضربات')).toBe(main('الضربات'));
    expect(main('لبنان')).toBe('لبنان');
  });

  it.runIf(seed)('every term of the seed points at its word and the text normalizes the same way whole or per term', () => {
    const terms: Term[] = analyze(seed);
    expect(terms.length).toBeGreaterThan(500);
    let last = -1;
    for (const t of terms) {
      const typed = seed.slice(t.start, t.end);
      expect(typed).toMatch(/^[\p{L}\p{N}]/u);
      expect(normalize(typed).length).toBeGreaterThan(0);
      expect(t.start).toBeGreaterThan(last);
      last = t.start;
    }
    // A query typed as normalized text analyzes to the same terms as the original.
    expect(analyze(normalize(seed)).map((t) => t.main)).toEqual(terms.map((t) => t.main));
  });
});
