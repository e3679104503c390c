import type { Block } from '../../domain/blocks.js';
import { isValidTimeZone, machineTime, zonedToUtc } from '../../domain/time.js';
import { toLatinDigits } from '../../text/digits.js';
import { lookupCity, normalizeArabic } from './cities.js';

export interface ParsedImage { filename: string; caption?: string; credit?: string }
export type ParsedBlock = Exclude<Block, { type: 'image' }> | ({ type: 'image' } & ParsedImage);
export interface ParsedPage {
  headline: string;
  publishedAt: string; // UTC, 'YYYY-MM-DDTHH:MM:SSZ'
  updatedAt?: string; // UTC, when the page shows "آخر تحديث"
  timeZone: string; // IANA zone of the city shown with the time
  city: string; // canonical spelling, e.g. 'دمشق'
  lead?: ParsedImage;
  datelinePlace?: string;
  sourceLabel?: string;
  body: ParsedBlock[];
}
export interface ParseWarning { line?: number; message: string }
export type ParseResult =
  | { ok: true; page: ParsedPage; warnings: ParseWarning[] }
  | { ok: false; error: string; line?: number };

// Direction marks and zero-width characters survive copy-paste from web pages and break matching.
const INVISIBLE = '\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff';
const INVISIBLE_RE = new RegExp(`[${INVISIBLE}]`, 'g');
const EDGES_RE = new RegExp(`^[\\s${INVISIBLE}]+|[\\s${INVISIBLE}]+$`, 'g');
const NO_DATE = 'no publication date found (expected e.g. "2021.06.28 | 17:39 دمشق")';

// ---------------------------------------------------------------- site chrome
const CHROME = new Set(
  [
    'icon', 'icons', 'أيقونة', 'التغطية الحية', 'تغطية حية', 'مباشر', 'بث مباشر', 'live',
    '+a', '-a', 'a+', 'a-', 'a', 'حجم الخط', 'font size', 'increase', 'decrease', 'تكبير الخط', 'تصغير الخط',
    'شارك', 'مشاركة', 'شارك الخبر', 'طباعة', 'print', 'share', 'facebook', 'twitter', 'x', 'whatsapp',
    'واتساب', 'واتس اب', 'تويتر', 'فيسبوك', 'فيس بوك', 'تلغرام', 'تيليغرام', 'telegram', 'linkedin',
    'instagram', 'youtube', 'messenger', 'email', 'البريد الإلكتروني', 'نسخ الرابط', 'copy link',
    'تم النسخ', 'اقرأ أيضاً', 'اقرأ المزيد', 'شاهد أيضاً', 'المزيد', 'القائمة', 'menu', 'بحث', 'search',
    'إغلاق', 'close', 'الرئيسية', 'home', 'تعليقات', 'التعليقات', 'comments', 'إعلان', 'advertisement',
  ].map(normalizeArabic),
);
const DECORATION_RE = /^[|·•\-–—_*/\\+]+$/u;

/** True for lines that are page furniture (icons, share and font-size controls), not article text. */
export function isChromeLine(line: string): boolean {
  const words = normalizeArabic(line.replace(INVISIBLE_RE, ''))
    .split(' ')
    .map((w) => w.replace(/[:.،]+$/u, '')) // "شارك:" is the same label
    .filter(Boolean);
  if (words.length === 0) return false;
  // Labels run together on one line ("+A حجم الخط -A"), so every word must belong to one.
  for (let i = 0; i < words.length; ) {
    if (DECORATION_RE.test(words[i]!)) { i++; continue; }
    let n = 3;
    while (n > 0 && !(i + n <= words.length && CHROME.has(words.slice(i, i + n).join(' ')))) n--;
    if (n === 0) return false;
    i += n;
  }
  return true;
}

// ---------------------------------------------------------------- dates and times
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
const PM_SET = new Set(PM.map(normalizeArabic));
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
  for (const n of list) MONTHS.set(normalizeArabic(n), i + 1);
});

interface DayDate { year: number; month: number; day: number; text: string }
interface Stamp { hour: number; minute: number; update: boolean; text: string; date?: DayDate }
interface TimeLine { date?: DayDate; stamps: Stamp[]; city?: string; extraWords: number }

/** `حزيران/يونيو` → 6; null unless every part names the same month. */
function monthNumber(text: string): number | null {
  const parts = text.split(/[/()\-–]/).map(normalizeArabic).filter(Boolean);
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
function readTimeLine(line: string): TimeLine {
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
    const meridiem = m[3] ? normalizeArabic(m[3]) : '';
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
const isTimeLine = (t: TimeLine) => t.extraWords <= 3 && (t.date !== undefined || t.stamps.length > 0);

/** The city words as shown ("17:39 دمشق الآن" still finds دمشق): the whole, then any 1–2 word run. */
function findCity(text: string) {
  const w = text.split(' ');
  const tries = [text, ...w.flatMap((_, i) => [w.slice(i, i + 2).join(' '), w[i]!])];
  for (const t of tries) {
    const hit = lookupCity(t);
    if (hit) return hit;
  }
  return null;
}

// ---------------------------------------------------------------- blocks
const IMAGE_RE = /^\S+\.(?:png|jpe?g|webp|gif|avif)$/i;
const DATELINE_RE = /^(\p{L}.*?)\s+[-–—]\s+(\p{L}.*)$/u;
const TERMINAL_RE = /[.!?؟:،,;؛…"]$/u;
const BULLET_RE = /^[-•*–·]\s+(.+)$/u;
const NUMBERED_RE = /^\d{1,2}[.)\-]\s+(.+)$/u;

function dateline(text: string): { place: string; source: string } | null {
  const m = DATELINE_RE.exec(text);
  if (!m || TERMINAL_RE.test(text) || /\d/.test(toLatinDigits(text))) return null;
  const [place, source] = [m[1]!.trim(), m[2]!.trim()];
  const short = (p: string) => p.split(/\s+/).length <= 4;
  return short(place) && short(source) ? { place, source } : null;
}

/** `وزير الخارجية (رويترز)` → caption and agency credit. */
function captionAndCredit(text: string): Omit<ParsedImage, 'filename'> {
  const m = /^(.*?)\s*\(([^()]+)\)$/u.exec(text);
  if (!m) return { caption: text };
  const caption = m[1]!.trim();
  return { ...(caption ? { caption } : {}), credit: m[2]!.trim() };
}

/**
 * Short, unpunctuated lines are subheadings. A closing quote mark is not punctuation (`تنظيم "الدولة"`),
 * but an unbalanced quote means the line is a broken-off sentence, never a heading.
 */
function isShortHeading(text: string): boolean {
  if (text.length > 60 || text.split(/\s+/).length > 8) return false;
  const count = (c: string) => text.split(c).length - 1;
  if (count('"') % 2 !== 0 || count('«') !== count('»') || count('“') !== count('”')) return false;
  const t = text.replace(/["»”]$/u, '');
  return t.trim().length > 0 && !TERMINAL_RE.test(t);
}

function listItem(text: string): { ordered: boolean; text: string } | null {
  const bullet = BULLET_RE.exec(text);
  if (bullet) return { ordered: false, text: bullet[1]! };
  const numbered = NUMBERED_RE.exec(toLatinDigits(text));
  return numbered ? { ordered: true, text: text.slice(text.length - numbered[1]!.length) } : null;
}

// ---------------------------------------------------------------- the page
interface Line { n: number; text: string }
interface Dated { stamp: Stamp; date: DayDate; line: Line; city?: string }

/** An image line and, when the next line can be one, its caption. */
function readImage(lines: Line[], i: number, inHeader: boolean): { image: ParsedImage; next: number } {
  const next = lines[i + 1]?.text;
  const isCaption =
    next !== undefined && !IMAGE_RE.test(next) && !(inHeader && (dateline(next) || isTimeLine(readTimeLine(next))));
  const image = { filename: lines[i]!.text, ...(isCaption ? captionAndCredit(next) : {}) };
  return { image, next: isCaption ? i + 2 : i + 1 };
}

/** Body blocks from line `i` on; "آخر تحديث" lines printed under the article go to `onUpdate`. */
function readBody(lines: Line[], i: number, onUpdate: (line: Line, info: TimeLine) => void): ParsedBlock[] {
  const entries: ({ block: ParsedBlock } | { text: string })[] = [];
  while (i < lines.length) {
    const line = lines[i]!;
    const info = readTimeLine(line.text);
    const first = listItem(line.text);
    const second = i + 1 < lines.length ? listItem(lines[i + 1]!.text) : null;
    if (info.stamps.length > 0 && info.stamps.every((s) => s.update) && isTimeLine(info)) {
      onUpdate(line, info);
      i++;
    } else if (IMAGE_RE.test(line.text)) {
      const { image, next } = readImage(lines, i, false);
      entries.push({ block: { type: 'image', ...image } });
      i = next;
    } else if (first && second && first.ordered === second.ordered) {
      // A lone "- " line is more often a dash-led sentence than a list: lists need two items.
      const items: { text: string }[][] = [];
      let item: ReturnType<typeof listItem> = first;
      for (; item?.ordered === first.ordered; item = lines[i] ? listItem(lines[i]!.text) : null) {
        items.push([{ text: item.text }]);
        i++;
      }
      entries.push({ block: { type: 'list', ordered: first.ordered, items } });
    } else {
      entries.push({ text: line.text });
      i++;
    }
  }
  return entries.map((e, k) => {
    if ('block' in e) return e.block;
    const between = k > 0 && k < entries.length - 1;
    return between && isShortHeading(e.text)
      ? { type: 'subheading', text: e.text }
      : { type: 'paragraph', spans: [{ text: e.text }] };
  });
}

export function parsePage(text: string, opts: { defaultTimeZone: string; defaultCity: string }): ParseResult {
  if (!isValidTimeZone(opts.defaultTimeZone)) {
    return { ok: false, error: `invalid default time zone "${opts.defaultTimeZone}"` };
  }
  const lines: Line[] = text
    .replace(/^\ufeff/, '')
    .split(/\r\n|\r|\n/)
    .map((raw, i) => ({ n: i + 1, text: raw.replace(EDGES_RE, '') }))
    .filter((l) => l.text !== '' && !isChromeLine(l.text));
  const warnings: ParseWarning[] = [];
  const dateAt = lines.findIndex((l) => {
    const info = readTimeLine(l.text);
    return info.date !== undefined && isTimeLine(info);
  });
  if (dateAt < 0) return { ok: false, error: NO_DATE };
  const dateLine = lines[dateAt]!;
  const dateInfo = readTimeLine(dateLine.text);
  const stamps: Dated[] = [];
  const addStamps = (line: Line, info: TimeLine) => {
    for (const stamp of info.stamps) {
      stamps.push({ stamp, date: stamp.date ?? info.date ?? dateInfo.date!, line, city: info.city });
    }
  };
  addStamps(dateLine, dateInfo);

  // Headline: first line of three or more words before the date (not a breadcrumb), else the longest.
  const before = lines.slice(0, dateAt);
  const breadcrumb = (t: string) => /\s[›»>/]\s/u.test(t) && !t.includes('«');
  const prose = before.filter((l) => !dateline(l.text) && !breadcrumb(l.text));
  const candidates = prose.length ? prose : before;
  const headline =
    candidates.find((l) => l.text.split(/\s+/).length >= 3) ??
    candidates.reduce<Line | undefined>((best, l) => (!best || l.text.length > best.text.length ? l : best), undefined);
  if (!headline) return { ok: false, error: 'no headline found' };
  // Some pages print the dateline above the time; it is only taken when it is not the headline.
  const placeLine = prose.length ? before.find((l) => dateline(l.text)) : undefined;
  let place = placeLine ? dateline(placeLine.text) : null;
  for (const l of before) {
    if (l === headline || l === placeLine) continue;
    warnings.push({ line: l.n, message: `ignored line before the date: "${l.text.slice(0, 50)}"` });
  }

  // Header: extra time lines, the lead image with its caption and the dateline, in any order.
  let lead: ParsedImage | undefined;
  let i = dateAt + 1;
  for (let line = lines[i]; line; line = lines[i]) {
    const info = readTimeLine(line.text);
    if (info.stamps.length > 0 && isTimeLine(info)) {
      addStamps(line, info);
      i++;
    } else if (!lead && IMAGE_RE.test(line.text)) {
      ({ image: lead, next: i } = readImage(lines, i, true));
    } else if (!place && dateline(line.text)) {
      place = dateline(line.text);
      i++;
    } else break;
  }
  const body = readBody(lines, i, addStamps);
  if (body.length === 0) warnings.push({ message: 'no body text found after the header' });

  // Publication time: the first unlabelled (or "نشر") time; failing that, the update time.
  const published = stamps.find((s) => !s.stamp.update) ?? stamps.find((s) => s.stamp.update);
  const updated = stamps.find((s) => s.stamp.update);
  const cityText = published?.city ?? updated?.city ?? dateInfo.city;
  const known = cityText ? findCity(cityText) : null;
  const zone = known ?? { city: opts.defaultCity, timeZone: opts.defaultTimeZone };
  if (!known) {
    const why = cityText ? `unknown city "${cityText}"` : 'no city shown with the time';
    warnings.push({ line: (published?.line ?? dateLine).n, message: `${why}; assuming ${zone.city} (${zone.timeZone})` });
  }
  if (!published) warnings.push({ line: dateLine.n, message: 'no time shown with the date; assuming 00:00' });

  const toUtc = (date: DayDate, stamp: Stamp | undefined, line: Line): string | { error: string; line: number } => {
    if (!zonedToUtc(date, 'UTC')) return { error: `invalid date "${date.text}"`, line: line.n };
    if (stamp && (stamp.hour > 23 || stamp.minute > 59)) return { error: `invalid time "${stamp.text}"`, line: line.n };
    const utc = zonedToUtc({ ...date, hour: stamp?.hour ?? 0, minute: stamp?.minute ?? 0 }, zone.timeZone);
    return utc ? machineTime(utc) : { error: `invalid date "${date.text}"`, line: line.n };
  };
  const publishedAt = toUtc(published?.date ?? dateInfo.date!, published?.stamp, published?.line ?? dateLine);
  if (typeof publishedAt !== 'string') return { ok: false, ...publishedAt };
  const updatedAt = updated && toUtc(updated.date, updated.stamp, updated.line);
  if (updatedAt !== undefined && typeof updatedAt !== 'string') return { ok: false, ...updatedAt };
  if (updated && updatedAt && updatedAt < publishedAt) {
    warnings.push({ line: updated.line.n, message: 'update time is earlier than the publication time' });
  }

  const page: ParsedPage = {
    headline: headline.text,
    publishedAt,
    ...(updatedAt ? { updatedAt } : {}),
    timeZone: zone.timeZone,
    city: zone.city,
    ...(lead ? { lead } : {}),
    ...(place ? { datelinePlace: place.place, sourceLabel: place.source } : {}),
    body,
  };
  return { ok: true, page, warnings };
}
