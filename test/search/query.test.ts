import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleInput } from '../../src/domain/article.js';
import { ValidationError } from '../../src/domain/errors.js';
import type { Services } from '../../src/services/index.js';
import { parseQuery } from '../../src/search/query.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY).toISOString();

const item = (key: string, headline: string, text: string, extra: Partial<ArticleInput> = {}) => ({
  key,
  input: {
    headline,
    body: [{ type: 'paragraph' as const, spans: [{ text }] }],
    section: 'سياسة',
    status: 'published' as const,
    publishedAt: daysAgo(1),
    timeZone: 'Asia/Damascus',
    city: 'دمشق',
    ...extra,
  } satisfies ArticleInput,
});

const ITEMS = [
  item('iran', 'زيارة وزير الخارجية', 'وصل الوزير إلى إيران صباح اليوم في زيارة رسمية.'),
  item('militia', 'تقرير أمني', 'استهدفت الضربات مواقع الميليشيات قرب الحدود.'),
  item('fatima', 'تكريم المعلمة', 'كرّمت المدرسة المعلمة فاطمة على مسيرتها.'),
  item('hospital', 'افتتاح مستشفى', 'افتتح مستشفى جديد في المدينة الكبرى بحضور المحافظ.'),
  item('diacritics', 'مَبنى البلديّة', 'رُمّم مَبنى البَلديّة القديم بالكامل.'),
  item('digits', 'ميزانية العام', 'أقرّ البرلمان ميزانية عام 2024 بعد نقاش طويل.'),
  item('lebanon', 'أخبار لبنان', 'عقد البرلمان في لبنان جلسة استثنائية.'),
  item('phrase1', 'اجتماع', 'قال رئيس الوزراء إن الحكومة ماضية في الإصلاح.'),
  item('phrase2', 'تصريح', 'قال الوزراء إن رئيس الحكومة ماضٍ في خطته.'),
  item('sport', 'الدوري', 'فاز الفريق في مباراة كرة القدم.', { section: 'رياضة' }),
  item('old', 'كرة القدم قديماً', 'مباراة كرة القدم في الأرشيف.', { section: 'رياضة', publishedAt: daysAgo(400) }),
];

describe('parseQuery', () => {
  it('drops stopwords outside phrases, keeps them inside, reads exclusions and both quote styles', () => {
    const p = parseQuery('في إيران "رئيس الوزراء" -لبنان «وزير الخارجية» -"كرة القدم"');
    expect(p.words.map((w) => w.main)).toEqual(['ايران']);
    expect(p.phrases).toHaveLength(2);
    expect(p.excludedWords).toHaveLength(1);
    expect(p.excludedPhrases).toHaveLength(1);
    expect(parseQuery('في من على').onlyStopwords).toBe(true);
    expect(parseQuery('-لبنان').onlyStopwords).toBe(false);
    expect(parseQuery('- -- """').words).toEqual([]);
  });
});

describe.each(storeTargets())('search queries on $name', (target) => {
  let site: TestSite;
  let s: Services;
  const id = new Map<string, number>();
  const keys = async (q: string, more: Record<string, unknown> = {}) => {
    const r = await s.search.search({ q, ...more }, NOW);
    return r.results.map((h) => [...id].find(([, v]) => v === h.id)?.[0]);
  };

  beforeAll(async () => {
    site = await openTestSite(target);
    s = site.services;
    for (const it of ITEMS) id.set(it.key, (await s.articles.create(it.input)).id);
  });
  afterAll(() => site.dispose());

  it.each([
    ['ايران', 'iran'],
    ['إيران', 'iran'],
    ['أيران', 'iran'],
    ['إيـــران', 'iran'],
    ['لميليشيات', 'militia'],
    ['ميليشياتها', 'militia'],
    ['فاطمه', 'fatima'],
    ['مستشفي', 'hospital'],
    ['الكبري', 'hospital'],
    ['مبنى', 'diacritics'],
    ['البلدية', 'diacritics'],
    ['٢٠٢٤', 'digits'],
    ['مستشفی', 'hospital'],
    ['الکبری', 'hospital'],
    ['بالمستشفى', 'hospital'],
    ['وفاطمة', 'fatima'],
    ['۲۰۲۴', 'digits'],
  ])('%s finds %s', async (q, key) => {
    expect(await keys(q)).toContain(key);
  });

  it('does not strip the ل of لبنان into another word', async () => {
    expect(await keys('بنان')).toEqual([]);
    expect(await keys('لبنان')).toEqual(['lebanon']);
  });

  it('matches phrases by position, with their stopwords, and excludes words and phrases', async () => {
    expect((await keys('رئيس الوزراء')).sort()).toEqual(['phrase1', 'phrase2']);
    expect(await keys('"رئيس الوزراء"')).toEqual(['phrase1']);
    expect(await keys('"في المدينة"')).toEqual(['hospital']);
    expect(await keys('الحكومة -الإصلاح')).toEqual(['phrase2']);
    expect(await keys('قال -"رئيس الوزراء"')).toEqual(['phrase2']);
  });

  it('filters by section, type and dates in the newsroom zone', async () => {
    expect((await keys('كرة')).sort()).toEqual(['old', 'sport']);
    expect(await keys('كرة', { section: 'رياضة' })).toHaveLength(2);
    expect(await keys('كرة', { section: 'سياسة' })).toEqual([]);
    expect(await keys('كرة', { section: 'لا-يوجد' })).toEqual([]);
    expect(await keys('كرة', { type: 'live' })).toEqual([]);
    const yesterday = daysAgo(1).slice(0, 10);
    expect(await keys('كرة', { from: yesterday })).toEqual(['sport']);
    expect(await keys('كرة', { to: daysAgo(300).slice(0, 10) })).toEqual(['old']);
    expect(await keys('كرة', { from: '٢٠٢٠-٠١-٠١', to: yesterday })).toHaveLength(2);
  });

  it('blends relevance with recency: the newer of two equal matches ranks first', async () => {
    expect(await keys('مباراة')).toEqual(['sport', 'old']);
  });

  it('rejects bad input with a ValidationError and answers empty queries without searching', async () => {
    for (const bad of [{ q: 'ا'.repeat(501) }, { q: 'x', page: 0 }, { q: 'x', page: 101 }, { q: 'x', page: 'abc' }, { q: 'x', type: 'video' },
      { q: 'x', from: '2024-02-30' }, { q: 'x', from: '01/02/2024' }, { q: 'x', from: '2024-03-02', to: '2024-03-01' }, { q: ['a', 'b'] }]) {
      await expect(s.search.search(bad, NOW)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await s.search.search({ q: '   ' }, NOW)).toMatchObject({ results: [], notice: 'empty' });
    expect(await s.search.search({ q: 'في على' }, NOW)).toMatchObject({ results: [], notice: 'stopwords' });
  });

  it('pages ten at a time', async () => {
    const extra = [];
    for (let i = 0; i < 12; i++) {
      extra.push((await s.articles.create(item(`p${i}`, `نشرة الطقس رقم ${i}`, 'أمطار متفرقة.', { publishedAt: daysAgo(2 + i) }).input)).id);
    }
    const p1 = await s.search.search({ q: 'الطقس' }, NOW);
    const p2 = await s.search.search({ q: 'الطقس', page: '2' }, NOW);
    expect(p1.results).toHaveLength(10);
    expect(p1.hasMore).toBe(true);
    expect(p2.results).toHaveLength(2);
    expect(p2.hasMore).toBe(false);
    expect(new Set([...p1.results, ...p2.results].map((r) => r.id))).toEqual(new Set(extra));
  });

  it('highlights the original spelling in snippets, escaped', async () => {
    const hit = (await s.search.search({ q: 'ايران' }, NOW)).results[0]!;
    expect(hit.snippet).toContain('<mark>إيران</mark>');
    const m = (await s.search.search({ q: 'الميليشيات' }, NOW)).results[0]!;
    expect(m.snippet).toContain('<mark>الميليشيات</mark>');
    const x = await s.articles.create(item('xss', 'عنوان <b>', 'نص فيه <script>alert(1)</script> وكلمة تجريبية.').input);
    const h = (await s.search.search({ q: 'تجريبية' }, NOW)).results.find((r) => r.id === x.id)!;
    expect(h.snippet).toContain('&#60;script&#62;');
    expect(h.snippet).not.toContain('<script>');
    expect(h.snippet).toContain('<mark>تجريبية</mark>');
    expect(h.headlineHtml).toBe('عنوان &#60;b&#62;');
  });
});
