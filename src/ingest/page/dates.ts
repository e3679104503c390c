import { toLatinDigits } from '../../text/digits.js';
import { foldArabic } from '../../text/fold.js';
import { lookupCity } from './cities.js';

// Reading the date, time and city line of a pasted page: `2021.06.28 | 17:39 دمشق`.

// Direction marks and zero-width characters survive copy-paste from web pages and break matching.
export const INVISIBLE = '\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff';
export const INVISIBLE_RE = new RegExp(`[${INVISIBLE}]`, 'g');

const MARKS = '[\\u064b-\\u065f\\u0670\\u0640]*';
/** Regex source for an Arabic phrase in any of its usual spellings (hamza forms, marks, tatweel). */
function ar(phrase: string): string {
  return [...phrase]
    .map((c) => {
      if (new RegExp(MARKS.slice(0, -1)).test(c)) return ''; // the pattern allows any marks anyway
      if ('اأإآ'.includes(c)) return `[اأإآ]${MARKS}`;
      if ('ةه'.includes(c)) return `[ةه]${MARKS}`;
      if ('يى'.includes(c)) return `[يى]${MARKS}`;
      return c === ' ' ? '\\s+' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + MARKS;
    })
    .join('');
}
// Longest first, so "آخر تحديث" wins over "تحديث"; the lookarounds keep words whole.
const alternatives = (list: string[]) => [...list].sort((a, b) => b.length - a.length).map(ar).join('|');
const words = (list: string[]) => `(?<![\\p{L}\\p{N}])(?:${alternatives(list)})(?![\\p{L}\\p{N}])`;

const UPDATE_LABELS = ['آخر تحديث', 'تم التحديث', 'تحديث', 'محدث', 'updated', 'last updated'];
const OTHER_LABELS = [
  'تاريخ النشر', 'نشر في', 'نشر بتاريخ', 'نشر', 'بتاريخ', 'published', 'الساعة', 'بتوقيت', 'توقيت',
  'الموافق', 'في', 'يوم', 'تاريخ', 'الأحد', 'الإثنين', 'الاثنين', 'الثلاثاء', 'الأربعاء', 'الخميس', 'الجمعة', 'السبت',
];
const UPDATE_RE = new RegExp(words(UPDATE_LABELS), 'iu');
const LABEL_RE = new RegExp(words([...UPDATE_LABELS, ...OTHER_LABELS]), 'giu');
const PM = ['م', 'مساء', 'مساءً', 'pm', 'p.m.'];
const PM_SET = new Set(PM.map(foldArabic));
// No lookbehind here: "5:30م" is written without a space.
const MERIDIEM = `(?:${alternatives(['ص', 'صباحا', 'صباحاً', 'am', 'a.m.', ...PM])})(?![\\p{L}\\p{N}])`;
const TIME_RE = new RegExp(`(?<![\\d:.])(\\d{1,2}):(\\d{2})(?::\\d{2})?(?![\\d:])(?:\\s*(${MERIDIEM}))?`, 'giu');

const MONTHS = new Map<string, number>();
[
  'يناير كانون الثاني جانفي', 'فبراير شباط فيفري', 'مارس آذار', 'أبريل نيسان أفريل', 'مايو أيار ماي',
  'يونيو يونيه حزيران جوان', 'يوليو يوليه تموز جويلية يوليوز', 'أغسطس آب أوت غشت', 'سبتمبر أيلول شتنبر',
  'أكتوبر تشرين الأول', 'نوفمبر تشرين الثاني نونبر', 'ديسمبر كانون الأول دجنبر',
].forEach((names, i) => {
  // Two-word Levantine names are written with a space; keep them whole.
  const list = names.replace(/(كانون|تشرين) /g, '$1_').split(' ').map((n) => n.replace('_', ' '));
  for (const n of list) MONTHS.set(foldArabic(n), i + 1);
});

export interface DayDate { year: number; month: number; day: number; text: string }
export interface Stamp { hour: number; minute: number; update: boolean; text: string; date?: DayDate }
export interface TimeLine { date?: DayDate; stamps: Stamp[]; city?: string; extraWords: number }

/** `حزيران/يونيو` → 6; null unless every part names the same month. */
function monthNumber(text: string): number | null {
  const parts = text.split(/[/()\-–]/).map(foldArabic).filter(Boolean);
  const nums = new Set(parts.map((p) => MONTHS.get(p) ?? 0));
  const [only] = nums;
  return parts.length > 0 && nums.size === 1 && only ? only : null;
}

function findDate(s: string): { date: DayDate; start: number; end: number } | null {
  const at = (m: RegExpExecArray, year: string, month: number, day: string) => ({
    date: { year: Number(year), month, day: Number(day), text: m[0] },
    start: m.index,
    end: m.index + m[0].length,
  });
  let m = /(?<!\d)(\d{4})([./-])(\d{1,2})\2(\d{1,2})(?![\d])/.exec(s);
  if (m) return at(m, m[1]!, Number(m[3]), m[4]!);
  m = /(?<![\d.:])(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?!\d)/.exec(s); // day first, as Arabic pages write it
  if (m) return at(m, m[4]!, Number(m[3]), m[1]!);
  for (const n of s.matchAll(/(?<!\d)(\d{1,2})\s+([^\d|:،,]+?)\s*[،,]?\s*(\d{4})(?!\d)/gu)) {
    const month = monthNumber(n[2]!);
    if (month) return at(n as RegExpExecArray, n[3]!, month, n[1]!);
  }
  return null;
}

/** Reads a date/time line; `extraWords` counts what is neither date, time, label nor punctuation. */
export function readTimeLine(line: string): TimeLine {
  const s = toLatinDigits(line.replace(INVISIBLE_RE, ''));
  // Dates are blanked out in place so time positions (and the labels before them) stay put.
  const dates: { date: DayDate; start: number }[] = [];
  let rest = s;
  for (let f = findDate(rest); f; f = findDate(rest)) {
    dates.push(f);
    rest = rest.slice(0, f.start) + ' '.repeat(f.end - f.start) + rest.slice(f.end);
  }
  dates.sort((a, b) => a.start - b.start);
  const stamps: Stamp[] = [];
  let from = 0;
  for (const m of rest.matchAll(TIME_RE)) {
    // "نشر: 01/03 10:00 | آخر تحديث: 02/03 11:30": each time belongs to the date before it.
    const date = dates.filter((d) => d.start < m.index).pop()?.date;
    let hour = Number(m[1]);
    const meridiem = m[3] ? foldArabic(m[3]) : '';
    if (meridiem && PM_SET.has(meridiem) && hour < 12) hour += 12;
    else if (meridiem && !PM_SET.has(meridiem) && hour === 12) hour = 0;
    const update = UPDATE_RE.test(rest.slice(from, m.index));
    stamps.push({ hour, minute: Number(m[2]), update, text: m[0], ...(date ? { date } : {}) });
    from = m.index + m[0].length;
  }
  const clean = (t: string) => t.replace(LABEL_RE, ' ').replace(/[\p{P}\p{S}]/gu, ' ').split(/\s+/).filter(Boolean);
  const inParens: string[][] = [];
  const outside = clean(rest.replace(TIME_RE, ' ').replace(/\(([^()]*)\)/g, (_, inner: string) => {
    inParens.push(clean(inner));
    return ' ';
  }));
  const named = inParens.find((p) => p.length > 0) ?? outside;
  return {
    ...(dates[0] ? { date: dates[0].date } : {}),
    stamps,
    ...(named.length ? { city: named.join(' ') } : {}),
    extraWords: outside.length + inParens.reduce((n, p) => n + p.length, 0),
  };
}

// A date or time line carries at most a city besides its date, time and labels.
export const isTimeLine = (t: TimeLine) => t.extraWords <= 3 && (t.date !== undefined || t.stamps.length > 0);

/** The city words as shown ("17:39 دمشق الآن" still finds دمشق): the whole, then any 1–2 word run. */
export function findCity(text: string) {
  const w = text.split(' ');
  const tries = [text, ...w.flatMap((_, i) => [w.slice(i, i + 2).join(' '), w[i]!])];
  for (const t of tries) {
    const hit = lookupCity(t);
    if (hit) return hit;
  }
  return null;
}
