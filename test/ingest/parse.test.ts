import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { BlockSchema } from '../../src/domain/blocks.js';
import { isValidTimeZone } from '../../src/domain/time.js';
import { CITIES, lookupCity } from '../../src/ingest/page/cities.js';
import { isChromeLine, parsePage, type ParseResult } from '../../src/ingest/page/parse.js';

const OPTS = { defaultTimeZone: 'Asia/Damascus', defaultCity: 'دمشق' };
const SEED_URL = new URL('../../../shared/seeds/000_dae4cb50e85c2d6a.txt', import.meta.url);
const seed = existsSync(SEED_URL) ? readFileSync(SEED_URL, 'utf8') : null;
// Under CI a missing seed must fail, so the tests run anyway and trip over the null.
const skipSeed = seed === null && process.env.CI !== 'true';
if (skipSeed) console.warn(`parse.test: seed page not found at ${fileURLToPath(SEED_URL)}; skipping seed tests`);

function ok(result: ParseResult) {
  if (!result.ok) throw new Error(`expected a page, got error "${result.error}" (line ${result.line})`);
  return result;
}
const parse = (text: string) => ok(parsePage(text, OPTS));
const para = (text: string) => ({ type: 'paragraph', spans: [{ text }] });
const HEADLINE = 'وزير الخارجية يصل إلى العاصمة في زيارة رسمية';

describe('parsePage: the seed page', () => {
  it.skipIf(skipSeed)('reads header, lead image and dateline', () => {
    expect(seed, 'seed page missing').not.toBeNull();
    const { page, warnings } = parse(seed!);
    expect(warnings).toEqual([]);
    expect(page.headline).toBe('بلينكن من مؤتمر روما: وجهنا رسائل قوية لميليشيات إيران وسنواصل قتال تنظيم الدولة');
    expect(page.publishedAt).toBe('2021-06-28T14:39:00Z');
    expect(page.updatedAt).toBeUndefined();
    expect(page.timeZone).toBe('Asia/Damascus');
    expect(page.city).toBe('دمشق');
    expect(page.lead).toEqual({ filename: 'blynkn.png', caption: 'وزير الخارجية الأميركي، أنتوني بلينكن', credit: 'رويترز' });
    expect(page.datelinePlace).toBe('إسطنبول');
    expect(page.sourceLabel).toBe('متابعات');
  });

  it.skipIf(skipSeed)('keeps every body line, in order, with three subheadings', () => {
    expect(seed, 'seed page missing').not.toBeNull();
    const { page } = parse(seed!);
    const subheadings = ['إيران وميليشياتها', 'تنظيم "الدولة"', 'حل الملف السوري وإيصال المساعدات'];
    expect(page.body.filter((b) => b.type === 'subheading')).toEqual(subheadings.map((text) => ({ type: 'subheading', text })));
    // Everything after the font-size controls is body text, line for line.
    const lines = seed!.split(/\r?\n/).map((l) => l.trim());
    const bodyLines = lines.slice(lines.indexOf('-A') + 1).filter((l) => l !== '');
    expect(page.body).toEqual(bodyLines.map((text) => (subheadings.includes(text) ? { type: 'subheading', text } : para(text))));
    expect(page.body.filter((b) => b.type === 'paragraph')).toHaveLength(20);
    expect(page.body).toContainEqual(para('وأضاف "نأمل أن تكون ضرباتنا في سوريا والعراق رادعة لميليشيات إيران.'));
    for (const block of page.body) expect(() => BlockSchema.parse(block)).not.toThrow();
  });

  it.skipIf(skipSeed)('marks exactly the page furniture as chrome', () => {
    expect(seed, 'seed page missing').not.toBeNull();
    const chrome = seed!.split(/\r?\n/).filter((l) => isChromeLine(l));
    expect(chrome).toEqual(['icon', 'التغطية الحية', '+A', 'حجم الخط', '-A']);
  });

  it.skipIf(skipSeed)('gives the same page for CRLF line endings and a BOM', () => {
    expect(seed, 'seed page missing').not.toBeNull();
    expect(parse('\ufeff' + seed!.replace(/\n/g, '\r\n')).page).toEqual(parse(seed!).page);
  });
});

describe('parsePage: date and time formats', () => {
  const at = (dateLines: string) => parse(`${HEADLINE}\n${dateLines}\nفقرة أولى من النص.`);

  it('takes the time and city from an "آخر تحديث" line under a bare date', () => {
    const { page, warnings } = at('2021/03/01\nآخر تحديث: 15:42 (بيروت)');
    expect(page).toMatchObject({ publishedAt: '2021-03-01T13:42:00Z', updatedAt: '2021-03-01T13:42:00Z' });
    expect(page).toMatchObject({ timeZone: 'Asia/Beirut', city: 'بيروت' });
    expect(warnings).toEqual([]);
    expect(page.body).toEqual([para('فقرة أولى من النص.')]);
  });

  it('reads Arabic-Indic digits', () => {
    const { page } = at('٢٠٢١.٠٦.٢٨ | ١٧:٣٩ دمشق');
    expect(page).toMatchObject({ publishedAt: '2021-06-28T14:39:00Z', timeZone: 'Asia/Damascus', city: 'دمشق' });
  });

  it('reads day-first dates in Cairo and month names in Riyadh', () => {
    expect(at('28/06/2021 - 17:39 القاهرة').page).toMatchObject({ publishedAt: '2021-06-28T15:39:00Z', timeZone: 'Africa/Cairo' });
    expect(at('28.06.2021 17:39 القاهرة').page.publishedAt).toBe('2021-06-28T15:39:00Z');
    const riyadh = at('الاثنين 28 يونيو 2021 - 17:39 بتوقيت الرياض').page;
    expect(riyadh).toMatchObject({ publishedAt: '2021-06-28T14:39:00Z', timeZone: 'Asia/Riyadh', city: 'الرياض' });
  });

  it('reads Levantine month names and 12-hour times', () => {
    expect(at('28 حزيران 2021 | 17:39 (عمّان)').page).toMatchObject({ publishedAt: '2021-06-28T14:39:00Z', city: 'عمّان' });
    expect(at('28 حزيران/يونيو 2021، 5:39 م دمشق').page.publishedAt).toBe('2021-06-28T14:39:00Z');
  });

  it('sets updatedAt from a separate update line', () => {
    const { page } = at('2021-03-01\nنشر في: 10:00 بغداد\nآخر تحديث: 12:30');
    expect(page).toMatchObject({ publishedAt: '2021-03-01T07:00:00Z', updatedAt: '2021-03-01T09:30:00Z', timeZone: 'Asia/Baghdad' });
  });

  it('reads publication and update on one line, each with its own date', () => {
    const { page } = at('نشر في: 01/03/2021 10:00 الرياض | آخر تحديث: 02/03/2021 11:30');
    expect(page).toMatchObject({ publishedAt: '2021-03-01T07:00:00Z', updatedAt: '2021-03-02T08:30:00Z' });
  });

  it('falls back to the default zone, with a warning naming the city, for an unknown city', () => {
    const { page, warnings } = at('2021.06.28 | 17:39 كوكب');
    expect(page).toMatchObject({ publishedAt: '2021-06-28T14:39:00Z', timeZone: 'Asia/Damascus', city: 'دمشق' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ line: 2 });
    expect(warnings[0]!.message).toContain('كوكب');
  });

  it('warns when no city is shown', () => {
    const result = parsePage(`${HEADLINE}\n2021.06.28 | 17:39\nنص.`, { defaultTimeZone: 'Africa/Cairo', defaultCity: 'القاهرة' });
    const { page, warnings } = ok(result);
    expect(page).toMatchObject({ publishedAt: '2021-06-28T15:39:00Z', timeZone: 'Africa/Cairo', city: 'القاهرة' });
    expect(warnings.map((w) => w.message).join()).toMatch(/no city/);
  });
});

describe('parsePage: page layouts', () => {
  it('parses a page without image or dateline', () => {
    const { page, warnings } = parse(`${HEADLINE}\n2021.06.28 | 17:39 حلب\n\nالفقرة الأولى.\n\nعنوان فرعي\n\nالفقرة الثانية.`);
    expect(warnings).toEqual([]);
    expect(page.lead).toBeUndefined();
    expect(page.datelinePlace).toBeUndefined();
    expect(page.sourceLabel).toBeUndefined();
    expect(page.body).toEqual([para('الفقرة الأولى.'), { type: 'subheading', text: 'عنوان فرعي' }, para('الفقرة الثانية.')]);
  });

  it('drops chrome at the top, between paragraphs and at the bottom', () => {
    const text = [
      'أيقونة', 'مباشر', HEADLINE, 'شارك', '2021.06.28 | 17:39 دمشق', 'A+', 'A-', 'دمشق – خاص',
      'الفقرة الأولى.', 'طباعة', 'Facebook', 'عنوان فرعي', 'X', 'الفقرة الثانية.',
      'شارك: فيسبوك | تويتر | واتساب', 'نسخ الرابط', 'icon', 'Telegram',
    ].join('\n');
    const { page, warnings } = parse(text);
    expect(warnings).toEqual([]);
    expect(page).toMatchObject({ headline: HEADLINE, datelinePlace: 'دمشق', sourceLabel: 'خاص' });
    expect(page.body).toEqual([para('الفقرة الأولى.'), { type: 'subheading', text: 'عنوان فرعي' }, para('الفقرة الثانية.')]);
  });

  it('reads body images, captions with and without credit, and lists', () => {
    const text = `${HEADLINE}\n2021.06.28 | 17:39 دمشق\nlead.jpg\nصورة أرشيفية\nالفقرة الأولى.\nmap.webp\nخريطة المنطقة (وكالات)\n- البند الأول\n- البند الثاني\nالفقرة الأخيرة.\nend.gif`;
    const { page } = parse(text);
    expect(page.lead).toEqual({ filename: 'lead.jpg', caption: 'صورة أرشيفية' });
    expect(page.body).toEqual([
      para('الفقرة الأولى.'),
      { type: 'image', filename: 'map.webp', caption: 'خريطة المنطقة', credit: 'وكالات' },
      { type: 'list', ordered: false, items: [[{ text: 'البند الأول' }], [{ text: 'البند الثاني' }]] },
      para('الفقرة الأخيرة.'),
      { type: 'image', filename: 'end.gif' },
    ]);
  });

  it('keeps a short last line, quoted lines and punctuated short lines as paragraphs', () => {
    const { page } = parse(`${HEADLINE}\n2021.06.28 | 17:39 دمشق\nأولى.\nقال "نعم\nثانية.\nلماذا الآن؟\nثالثة.\nالنهاية`);
    expect(page.body.map((b) => b.type)).toEqual(Array(6).fill('paragraph'));
  });

  it('picks the headline over a category label before it, with a warning', () => {
    const { page, warnings } = parse(`سياسة\n${HEADLINE}\n2021.06.28 | 17:39 دمشق\nنص.`);
    expect(page.headline).toBe(HEADLINE);
    expect(warnings).toEqual([{ line: 1, message: expect.stringContaining('سياسة') }]);
  });

  it('gives the same page for CRLF and CR line endings', () => {
    const text = `${HEADLINE}\n2021/03/01\nآخر تحديث: 15:42 (بيروت)\nصورة.png\nتعليق (أ ف ب)\nبيروت - خاص\nنص أول.\nعنوان\nنص ثان.`;
    const lf = parse(text);
    expect(lf.page.lead).toEqual({ filename: 'صورة.png', caption: 'تعليق', credit: 'أ ف ب' });
    expect(parse(text.replace(/\n/g, '\r\n'))).toEqual(lf);
    expect(parse(text.replace(/\n/g, '\r'))).toEqual(lf);
  });
});

describe('parsePage: errors', () => {
  it('requires a headline', () => {
    expect(parsePage('icon\n2021.06.28 | 17:39 دمشق\nنص.', OPTS)).toEqual({ ok: false, error: 'no headline found' });
  });

  it('requires a publication date', () => {
    expect(parsePage(`${HEADLINE}\nنص بلا تاريخ.`, OPTS)).toEqual({
      ok: false,
      error: 'no publication date found (expected e.g. "2021.06.28 | 17:39 دمشق")',
    });
    expect(parsePage('', OPTS).ok).toBe(false);
  });

  it('rejects an impossible date or time with its line number', () => {
    const bad = parsePage(`icon\n${HEADLINE}\n2021.02.30 | 17:39 دمشق\nنص.`, OPTS);
    expect(bad).toMatchObject({ ok: false, line: 3 });
    expect(!bad.ok && bad.error).toContain('2021.02.30');
    expect(parsePage(`${HEADLINE}\n2021.06.28 | 25:10 دمشق\nنص.`, OPTS)).toMatchObject({ ok: false, line: 2 });
  });
});

describe('isChromeLine', () => {
  it('recognises UI labels alone or run together', () => {
    for (const l of ['icon', 'أيقونة', 'تغطية حية', '+A', 'A-', 'تكبير الخط', 'Twitter', 'واتساب', '  طباعة  ', 'شارك: فيسبوك | X']) {
      expect(isChromeLine(l), l).toBe(true);
    }
  });
  it('leaves article text alone', () => {
    for (const l of ['', 'إسطنبول - متابعات', 'blynkn.png', 'مباشر من دمشق', '2021.06.28 | 17:39 دمشق', 'X أعلنت']) {
      expect(isChromeLine(l), l).toBe(false);
    }
  });
});

describe('lookupCity', () => {
  it('folds hamza, ta marbuta, diacritics, tatweel and spaces to the canonical spelling', () => {
    expect(lookupCity('اسطنبول')).toEqual({ city: 'إسطنبول', timeZone: 'Europe/Istanbul' });
    expect(lookupCity('عمان')).toEqual({ city: 'عمّان', timeZone: 'Asia/Amman' });
    expect(lookupCity('دِمَشْق')?.city).toBe('دمشق');
    expect(lookupCity('دمـــشق')?.city).toBe('دمشق');
    expect(lookupCity('حماه')?.city).toBe('حماة');
    expect(lookupCity('ابو ظبي')).toEqual({ city: 'أبوظبي', timeZone: 'Asia/Dubai' });
    expect(lookupCity('ديرالزور')?.city).toBe('دير الزور');
    expect(lookupCity(' (القاهرة) ')?.timeZone).toBe('Africa/Cairo');
  });
  it('keeps the article: "الرقة" is known, "رقة" is not', () => {
    expect(lookupCity('الرقه')?.city).toBe('الرقة');
    expect(lookupCity('رقة')).toBeNull();
  });
  it('reads bare Tripoli as the Libyan capital', () => {
    expect(lookupCity('طرابلس')?.timeZone).toBe('Africa/Tripoli');
    expect(lookupCity('طرابلس لبنان')?.timeZone).toBe('Asia/Beirut');
    expect(lookupCity('طرابلس اللبنانية')?.timeZone).toBe('Asia/Beirut');
  });
  it('returns null for unknown or empty names', () => {
    expect(lookupCity('كوكب')).toBeNull();
    expect(lookupCity('')).toBeNull();
  });
  it('maps every city to a valid IANA zone', () => {
    for (const c of CITIES) expect(isValidTimeZone(c.timeZone), c.city).toBe(true);
  });
});
