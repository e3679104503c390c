import type { Block } from '../../domain/blocks.js';
import { isValidTimeZone, machineTime, zonedToUtc } from '../../domain/time.js';
import { toLatinDigits } from '../../text/digits.js';
import { foldArabic } from '../../text/fold.js';
import {
  findCity,
  INVISIBLE,
  INVISIBLE_RE,
  isTimeLine,
  readTimeLine,
  type DayDate,
  type Stamp,
  type TimeLine,
} from './dates.js';

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
  ].map(foldArabic),
);
const DECORATION_RE = /^[|·•\-–—_*/\\+]+$/u;

/** True for lines that are page furniture (icons, share and font-size controls), not article text. */
export function isChromeLine(line: string): boolean {
  const words = foldArabic(line.replace(INVISIBLE_RE, ''))
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

// ---------------------------------------------------------------- blocks
const IMAGE_RE = /^\S+\.(?:png|jpe?g|webp|gif|avif)$/i;
const DATELINE_RE = /^(\p{L}.*?)\s+[-–—]\s+(\p{L}.*)$/u;
const TERMINAL_RE = /[.!?؟:،,;؛…"]$/u;
const BULLET_RE = /^[-•*–·]\s+(.+)$/u;
const NUMBERED_RE = /^\d{1,2}[.)\-]\s+(.+)$/u;

/** `إسطنبول - متابعات` → place and source; null unless both parts are short and unpunctuated. */
export function dateline(text: string): { place: string; source: string } | null {
  const m = DATELINE_RE.exec(text);
  if (!m || TERMINAL_RE.test(text) || /\d/.test(toLatinDigits(text))) return null;
  const [place, source] = [m[1]!.trim(), m[2]!.trim()];
  const short = (p: string) => p.split(/\s+/).length <= 4;
  return short(place) && short(source) ? { place, source } : null;
}

/** `وزير الخارجية (رويترز)` → caption and agency credit. */
export function captionAndCredit(text: string): Omit<ParsedImage, 'filename'> {
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
