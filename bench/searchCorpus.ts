/**
 * A deterministic Arabic news corpus for `npm run bench:search`: any article can be rebuilt from
 * its number alone (a seeded PRNG per article), so 100,000 of them stream without being held.
 *
 * Vocabulary: stems made the way Arabic makes words, by pouring three-letter roots into patterns
 * (كاتب مكتوب مكتب كتاب تكتيب…), from ~150 common real roots and a long tail of generated ones,
 * ranked after the function words (في من على…) and drawn, all together, with one Zipf law
 * (frequency ∝ 1/rank), as words are in real text: function words then make up about 40% of the
 * tokens and the commonest content word turns up in about half the articles, not in all of them.
 * Each content occurrence may take a proclitic (و ف ب ل ك ال وال بال لل…) and a suffix (ات ون ين
 * ها هم ة…) at rates close to news copy.
 */
import { mulberry32 } from './search/prng.js';

const REAL_ROOTS = (
  'كتب درس علم عمل حكم قتل سلم حرب نصر جمع قول خبر نشر صحف سوق بيع شرك نقل حمل سفر وصل رجع ' +
  'خرج دخل فتح غلق قطع زرع حصد صنع نتج دفع قبض طلب سال جوب شرح فهم عرف ذكر نسي حفظ ' +
  'كسب خسر ربح مول صرف نفق حسب قدر رفع خفض زود نقص كثر قلل صغر كبر طول قصر عرض ' +
  'حضر غيب شهد نظر سمع لمس شعر حزن فرح ضحك بكي غضب صبر شكر حمد رحم غفر عدل ظلم ' +
  'حقق بحث فحص جرب خدم رعي علج مرض صحح طبب دوي سكن بني هدم رمم خطط نظم قود ' +
  'رسل سفر وفد مثل نوب حزب شعب وطن دول قطر بلد مدن قري ريف سهل جبل بحر نهر مطر ' +
  'ثلج برد حرر ريح غيم شمس قمر نجم زرق خضر حمر سود بيض صفر لعب فوز هزم درب ركض ' +
  'سبح قفز رمي هدف حرس حمي دفع هجم سطر عسكر جند امن شرط قضي حكم سجن حرر عفو'
).split(/\s+/);

const PATTERNS: ((a: string, b: string, c: string) => string)[] = [
  (a, b, c) => `${a}ا${b}${c}`, // فاعل
  (a, b, c) => `م${a}${b}و${c}`, // مفعول
  (a, b, c) => `م${a}${b}${c}`, // مفعل
  (a, b, c) => `ت${a}${b}ي${c}`, // تفعيل
  (a, b, c) => `${a}${b}ا${c}`, // فعال
  (a, b, c) => `${a}${b}ي${c}`, // فعيل
  (a, b, c) => `ا${a}ت${b}ا${c}`, // افتعال
  (a, b, c) => `است${a}${b}ا${c}`, // استفعال
  (a, b, c) => `م${a}${b}${c}ة`, // مفعلة
  (a, b, c) => `${a}${b}${c}`, // فعل
  (a, b, c) => `ي${a}${b}${c}`, // يفعل
  (a, b, c) => `م${a}ا${b}${c}`, // مفاعل
];

const FUNCTION_WORDS = (
  'في من على إلى أن عن مع التي الذي هذا هذه كان قد بين بعد قبل حتى كما ذلك لم لا ما إن أو ثم كل عند خلال حيث أيضاً ' +
  'وقال وأضاف وأكد التي الذين منذ لدى نحو غير دون'
).split(/\s+/);

const LETTERS = 'بتثجحخدذرزسشصضطظعغفقكلمنهء'.split('');
const TAIL_ROOTS = 3200;
const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';

/** Cumulative Zipf weights over `n` ranks; sampled by binary search. */
function zipfCdf(n: number, s = 1): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cdf[r] = sum += 1 / Math.pow(r + 1, s);
  for (let r = 0; r < n; r++) cdf[r]! /= sum;
  return cdf;
}

function sample(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function buildStems(): string[] {
  const rand = mulberry32(7);
  const roots = [...new Set(REAL_ROOTS)];
  const seen = new Set(roots);
  while (roots.length < REAL_ROOTS.length + TAIL_ROOTS) {
    const r = Array.from({ length: 3 }, () => LETTERS[Math.floor(rand() * LETTERS.length)]!).join('');
    if (!seen.has(r)) {
      seen.add(r);
      roots.push(r);
    }
  }
  const stems: string[] = [];
  const seenStem = new Set<string>();
  // Real roots' words rank first (they are what news is written with), each root's patterns spread out.
  for (let band = 0; band < 2; band++) {
    const group = band === 0 ? roots.slice(0, REAL_ROOTS.length) : roots.slice(REAL_ROOTS.length);
    const batch: string[] = [];
    for (const root of group) {
      const [a, b, c] = [...root] as [string, string, string];
      for (const p of PATTERNS) {
        const w = p(a, b, c);
        if (!seenStem.has(w)) {
          seenStem.add(w);
          batch.push(w);
        }
      }
    }
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [batch[i], batch[j]] = [batch[j]!, batch[i]!];
    }
    stems.push(...batch);
  }
  return stems;
}

export const STEMS: readonly string[] = buildStems();
/** Ranks 0…FUNCTION_WORDS.length-1 are the function words, then the stems. */
const WORD_CDF = zipfCdf(FUNCTION_WORDS.length + STEMS.length);
/** The stems' own slice of the law, for drawing query words (readers type content words). */
const STEM_CDF = (() => {
  const base = WORD_CDF[FUNCTION_WORDS.length - 1]!;
  const rest = 1 - base;
  return WORD_CDF.slice(FUNCTION_WORDS.length).map((c) => (c - base) / rest);
})();

const PREFIXES: [string, number][] = [
  ['ال', 0.3], ['وال', 0.07], ['بال', 0.05], ['لل', 0.04], ['فال', 0.01], ['كال', 0.01],
  ['و', 0.06], ['ب', 0.03], ['ل', 0.03], ['ف', 0.01], ['ك', 0.01],
];
const SUFFIXES: [string, number][] = [
  ['ات', 0.06], ['ين', 0.04], ['ون', 0.02], ['ة', 0.06], ['ها', 0.03], ['هم', 0.02], ['ه', 0.02], ['ان', 0.01], ['نا', 0.01], ['ية', 0.02],
];

function pickAffix(table: [string, number][], u: number): string {
  let acc = 0;
  for (const [a, p] of table) {
    acc += p;
    if (u < acc) return a;
  }
  return '';
}

/** One inflected occurrence of a stem, as it would stand in running text. */
export function inflect(stem: string, rand: () => number): string {
  let suffix = pickAffix(SUFFIXES, rand());
  let base = stem;
  if (base.endsWith('ة')) {
    if (suffix === 'ات' || suffix === 'ان') base = base.slice(0, -1);
    else if (suffix) base = `${base.slice(0, -1)}ت`;
    if (suffix === 'ة' || suffix === 'ية') suffix = '';
  }
  return `${pickAffix(PREFIXES, rand())}${base}${suffix}`;
}

export function contentStem(rand: () => number): string {
  return STEMS[sample(STEM_CDF, rand())]!;
}

function token(rand: () => number): string {
  if (rand() < 0.01) {
    // Figures: years and amounts, in either digit style, as newsrooms mix them.
    const n = String(Math.floor(rand() * 3000));
    return rand() < 0.4 ? n.replace(/\d/g, (d) => ARABIC_INDIC[Number(d)]!) : n;
  }
  const rank = sample(WORD_CDF, rand());
  return rank < FUNCTION_WORDS.length ? FUNCTION_WORDS[rank]! : inflect(STEMS[rank - FUNCTION_WORDS.length]!, rand);
}

function sentence(rand: () => number, words: number): string {
  return Array.from({ length: words }, () => token(rand)).join(' ');
}

export interface CorpusArticle {
  n: number;
  headline: string;
  summary: string;
  body: string;
  publishedAt: string;
}

const EPOCH = Date.UTC(2021, 0, 1);

/** Article `n` (0-based), the same on every run and machine; about 400 words in all. */
export function corpusArticle(n: number): CorpusArticle {
  const rand = mulberry32(0x5eed0000 + n);
  const headline = sentence(rand, 6 + Math.floor(rand() * 5));
  const summary = sentence(rand, 18 + Math.floor(rand() * 8));
  const target = 360 + Math.floor(rand() * 40);
  const paragraphs: string[] = [];
  let count = 0;
  while (count < target) {
    const sentences: string[] = [];
    for (let s = 0; s < 3 && count < target; s++) {
      const len = Math.min(target - count, 8 + Math.floor(rand() * 14));
      sentences.push(`${sentence(rand, len)}${s < 2 ? '،' : '.'}`);
      count += len;
    }
    paragraphs.push(sentences.join(' '));
  }
  // Articles go out about every 15 minutes over the years the corpus spans, newest last.
  return { n, headline, summary, body: paragraphs.join('\n'), publishedAt: new Date(EPOCH + n * 900_000).toISOString() };
}

/** A reader's query word: a content word drawn by frequency, in the form running text has it. */
export function queryWord(rand: () => number): string {
  return inflect(contentStem(rand), rand);
}

/** A phrase that occurs: `len` consecutive words of a (random) article's body. */
export function queryPhrase(rand: () => number, articles: number, len: number): string {
  const a = corpusArticle(Math.floor(rand() * articles));
  const words = a.body.replace(/[،.]/g, '').split(/\s+/);
  const at = Math.floor(rand() * (words.length - len));
  return `"${words.slice(at, at + len).join(' ')}"`;
}
