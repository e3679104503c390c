import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { buildApp } from '../../src/web/app.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
// Seeded, so a failure names an input that fails again.
import { mulberry32 } from '../../bench/search/prng.js';

const SYNTAX = ['"', '"', '-', '*', 'NEAR', 'NEAR(', 'AND', 'OR', 'NOT', ':', '^', '(', ')', '&', '|', '!', '<->', '<2>', "'", '\\', '{', '}', '«', '»', '+', '%', '_', ',', '.', '\0', '\n', '\t', ' ', ' ', ' ', 'headline:', '{alt}:', 'rank', ':*', '؟', '،'];
const WORDS = ['إيران', 'ايران', 'الميليشيات', 'لميليشيات', 'وزير', 'في', 'من', 'مَبنى', 'ـــ', '٢٠٢٤', 'ﻻ', 'ی', 'ک', 'NEAR', 'select', 'drop'];
/** Code point ranges: ASCII, Latin-1, Arabic and its supplements, presentation forms, marks, bidi controls, emoji. */
const RANGES: [number, number][] = [
  [0x20, 0x7e], [0x00, 0x1f], [0xa0, 0xff], [0x600, 0x6ff], [0x750, 0x77f], [0x8a0, 0x8ff], [0xfb50, 0xfdff], [0xfe70, 0xfeff],
  [0x300, 0x36f], [0x200b, 0x200f], [0x202a, 0x202e], [0x2066, 0x2069], [0x1f300, 0x1faff], [0x4e00, 0x4e80], [0x10000, 0x10ffff],
];

function randomQuery(r: () => number): string {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const roll = r();
  if (roll < 0.01) return 'ا'.repeat(400 + Math.floor(r() * 5000)); // huge
  let out = '';
  const pieces = Math.floor(r() * 24);
  for (let i = 0; i < pieces; i++) {
    const k = r();
    if (k < 0.3) out += pick(SYNTAX);
    else if (k < 0.55) out += pick(WORDS);
    else if (k < 0.6) out += String.fromCharCode(0xd800 + Math.floor(r() * 0x800)); // lone surrogate
    else {
      const [lo, hi] = pick(RANGES);
      out += String.fromCodePoint(lo + Math.floor(r() * (hi - lo + 1)));
    }
  }
  return out;
}

const N = 10_000;

describe.each(storeTargets())('search fuzz on $name', (target) => {
  let site: TestSite;
  let app: FastifyInstance;

  beforeAll(async () => {
    site = await openTestSite(target);
    app = await buildApp({ services: site.services });
    for (const [headline, text] of [
      ['وزير الخارجية في إيران', 'استهدفت الضربات مواقع الميليشيات الإيرانية، وقال الوزير إن "الحل" سياسي (NEAR AND OR).'],
      ['مَبنى البلدية ٢٠٢٤', 'نص فيه رموز: * ^ : ( ) & | ! <-> وكلمات select و drop.'],
    ]) {
      await site.services.articles.create({
        headline: headline!,
        body: [{ type: 'paragraph', spans: [{ text: text! }] }],
        section: 'سياسة',
        status: 'published',
        timeZone: 'Asia/Damascus',
        city: 'دمشق',
      });
    }
  });
  afterAll(async () => {
    await app.close();
    await site.dispose();
  });

  it(`never throws anything but a ValidationError for ${N} random queries`, async () => {
    const r = mulberry32(target.name === 'sqlite' ? 1 : 2);
    const unexpected: string[] = [];
    let hits = 0;
    let refused = 0;
    for (let i = 0; i < N; i++) {
      const q = randomQuery(r);
      try {
        hits += (await site.services.search.search({ q })).results.length;
      } catch (e) {
        if (e instanceof ValidationError) refused++;
        else unexpected.push(`${JSON.stringify(q)}: ${String(e)}`);
      }
    }
    expect(unexpected.slice(0, 5)).toEqual([]);
    // The generator must reach both sides: some queries find the articles, the huge ones are refused.
    expect(hits).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 120_000);

  it('indexes articles whose text is random Unicode, huge words included', async () => {
    const r = mulberry32(target.name === 'sqlite' ? 5 : 6);
    for (let i = 0; i < 40; i++) {
      const text = randomQuery(r).replaceAll('\0', '') + (i % 10 === 0 ? ' ' + 'ب'.repeat(5000) : '') || 'نص';
      const a = await site.services.articles.create({
        headline: `عنوان ${i}`,
        body: [{ type: 'paragraph', spans: [{ text }] }],
        section: 'سياسة',
        status: 'published',
        timeZone: 'Asia/Damascus',
        city: 'دمشق',
      });
      expect(a.status).toBe('published');
    }
    expect((await site.services.search.search({ q: 'عنوان' })).results.length).toBeGreaterThan(0);
  });

  it('never answers 500 over HTTP, on the page or the API', async () => {
    const r = mulberry32(target.name === 'sqlite' ? 3 : 4);
    const bad: string[] = [];
    for (let i = 0; i < 300; i++) {
      const q = randomQuery(r);
      // Lone surrogates cannot be percent-encoded: send them as the raw bytes a client might.
      const enc = Buffer.from(q, 'utf8').toString('binary').replace(/[^A-Za-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
      for (const path of ['/search', '/api/v1/search']) {
        const res = await app.inject({ method: 'GET', url: `${path}?q=${enc}&page=${i % 3 === 0 ? 'x' : '1'}` });
        if (res.statusCode >= 500) bad.push(`${path} ${JSON.stringify(q)} → ${res.statusCode}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  }, 120_000);
});
