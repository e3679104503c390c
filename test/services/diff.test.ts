import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/domain/blocks.js';
import type { RevisionContent } from '../../src/domain/revision.js';
import { diffContent, diffText, wordTokens, type DiffPart } from '../../src/services/diff.js';

const sentence = 'قالَ الوزيرُ إنّ المسؤوليةَ لا تقعُ على أحدٍ، لأنّ الأمرَ «مُؤجَّل» وسُئِلَ عن آلاف الطلبات ﻻ غير.';
const marked = ['قالَ', 'الوزيرُ', 'إنّ', 'المسؤوليةَ', 'لا', 'تقعُ', 'أحدٍ', 'لأنّ', 'الأمرَ', 'مُؤجَّل', 'وسُئِلَ', 'آلاف', 'ﻻ'];

const graphemes = new Intl.Segmenter('ar', { granularity: 'grapheme' });
/** Offsets where a grapheme (a letter with its marks) starts. */
const graphemeStarts = (s: string) => new Set(Array.from(graphemes.segment(s), (g) => g.index));

function sides(parts: DiffPart[]) {
  return {
    before: parts.filter((p) => p.op !== 'added').map((p) => p.text).join(''),
    after: parts.filter((p) => p.op !== 'removed').map((p) => p.text).join(''),
  };
}

describe('word tokens', () => {
  it('keeps Arabic words whole with their harakat, shadda, hamza and lam-alef', () => {
    const tokens = wordTokens(sentence);
    for (const w of marked) expect(tokens).toContain(w);
    expect(tokens.join('')).toBe(sentence);
  });

  it('never cuts inside a letter and its marks', () => {
    const starts = graphemeStarts(sentence);
    let at = 0;
    for (const t of wordTokens(sentence)) {
      expect(starts.has(at), `token ${JSON.stringify(t)} starts inside a grapheme`).toBe(true);
      expect(t).not.toMatch(/^\p{M}/u);
      at += t.length;
    }
  });

  it('keeps mixed Arabic, Latin and digit runs whole', () => {
    const text = 'نقلت والـCNN عن بـ5 مصادر أن قمة G20 لعام 2021 ناقشت iPhone15 ونسبة 3.5% و1,500 دولار و١٩٤٨ و٣٫٥';
    const tokens = wordTokens(text);
    for (const w of ['والـCNN', 'بـ5', 'G20', '2021', 'iPhone15', '3.5', 'و1,500', 'و١٩٤٨', 'و٣٫٥']) expect(tokens).toContain(w);
  });
});

describe('text diff', () => {
  it('reports a changed haraka or hamza seat as the whole word replaced', () => {
    expect(diffText('قالَ الوزيرُ', 'قالُ الوزيرُ')).toEqual([
      { op: 'removed', text: 'قالَ' },
      { op: 'added', text: 'قالُ' },
      { op: 'same', text: ' الوزيرُ' },
    ]);
    expect(diffText('مسؤول كبير', 'مسئول كبير')).toEqual([
      { op: 'removed', text: 'مسؤول' },
      { op: 'added', text: 'مسئول' },
      { op: 'same', text: ' كبير' },
    ]);
  });

  it('replaces numbers and Latin names inside Arabic as whole runs', () => {
    expect(diffText('في عام 2021 قالت والـCNN', 'في عام 2022 قالت والـBBC')).toEqual([
      { op: 'same', text: 'في عام ' },
      { op: 'removed', text: '2021' },
      { op: 'added', text: '2022' },
      { op: 'same', text: ' قالت ' },
      { op: 'removed', text: 'والـCNN' },
      { op: 'added', text: 'والـBBC' },
    ]);
  });

  it('groups a replaced phrase instead of alternating single words', () => {
    expect(diffText('قال الوزير إنّ الخطة جاهزة', 'صرّح المتحدث باسم الوزارة إنّ الخطة جاهزة')).toEqual([
      { op: 'removed', text: 'قال الوزير' },
      { op: 'added', text: 'صرّح المتحدث باسم الوزارة' },
      { op: 'same', text: ' إنّ الخطة جاهزة' },
    ]);
  });

  it('rebuilds both texts exactly from its parts, and never splits a marked word', () => {
    const before = sentence;
    const after = sentence.replace('المسؤوليةَ', 'المسئوليةُ').replace('آلاف', 'مئات') + ' انتهى';
    const parts = diffText(before, after);
    expect(sides(parts)).toEqual({ before, after });
    for (const p of parts) {
      if (p.op === 'same') continue;
      for (const w of wordTokens(p.text)) if (/\p{L}/u.test(w)) expect(wordTokens(before + ' ' + after)).toContain(w);
    }
    expect(diffText('نص', 'نص')).toEqual([{ op: 'same', text: 'نص' }]);
    expect(diffText('', '')).toEqual([]);
    expect(diffText('', 'جديد')).toEqual([{ op: 'added', text: 'جديد' }]);
  });
});

describe('content diff', () => {
  const p = (text: string): Block => ({ type: 'paragraph', spans: [{ text }] });
  const base: RevisionContent = {
    headline: 'عنوان الخبر',
    summary: 'ملخص',
    body: [p('الفقرة الأولى.'), { type: 'subheading', text: 'عنوان فرعي' }, p('الفقرة الثانية.')],
    section: 'أخبار',
    tags: [],
    authors: [],
    timeZone: 'Asia/Damascus',
    city: 'دمشق',
  };

  it('shows an inserted paragraph as one added block, not every block after it changed', () => {
    const fields = diffContent(base, { ...base, body: [p('فقرة جديدة في الأعلى.'), ...base.body] });
    const body = fields.filter((f) => f.field === 'body');
    expect(body.map((f) => [f.changed, f.before, f.after])).toEqual([
      [true, null, 0],
      [false, 0, 1],
      [false, 1, 2],
      [false, 2, 3],
    ]);
    expect(body[0]!.parts).toEqual([{ op: 'added', text: 'فقرة جديدة في الأعلى.' }]);
    expect(fields.filter((f) => f.field !== 'body').every((f) => !f.changed)).toBe(true);
  });

  it('diffs a block edited in place word by word, and labels fields in Arabic', () => {
    const after = { ...base, headline: 'عنوانُ الخبر', body: [p('الفقرة الأولى المعدلة.'), base.body[1]!] };
    const fields = diffContent(base, after);
    expect(fields[0]).toMatchObject({ label: 'العنوان', changed: true });
    const edited = fields.find((f) => f.field === 'body' && f.before === 0)!;
    expect(edited).toMatchObject({ label: 'فقرة', after: 0 });
    expect(edited.parts).toEqual([
      { op: 'same', text: 'الفقرة الأولى' },
      { op: 'added', text: ' المعدلة' },
      { op: 'same', text: '.' },
    ]);
    expect(fields.find((f) => f.before === 2)).toMatchObject({ after: null, parts: [{ op: 'removed', text: 'الفقرة الثانية.' }] });
  });
});
