import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleInput } from '../../src/domain/article.js';
import { setImportedArticleState } from '../../src/store/importKeys.js';
import { buildApp } from '../../src/web/app.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

const base = (headline: string, publishedAt: string): ArticleInput => ({
  headline,
  body: [{ type: 'paragraph', spans: [{ text: `نص ${headline}` }] }],
  section: 'سياسة',
  status: 'published',
  publishedAt,
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
});

/** Sticky WordPress posts become featured; the newest featured published article leads the home page. */
describe.each(storeTargets())('featured lead on the home page ($name)', (target) => {
  let site: TestSite;
  let app: Awaited<ReturnType<typeof buildApp>>;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    site = await openTestSite(target);
    app = await buildApp({ services: site.services });
    for (let i = 0; i < 7; i++) {
      const a = await site.services.articles.create(base(`خبر رقم ${i}`, `2024-01-0${i + 1}T10:00:00Z`));
      ids[i] = a.id;
    }
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  const feature = (id: number, featured: boolean) =>
    setImportedArticleState(site.services.store.db, id, { featured, scheduledAt: null, updatedAt: new Date().toISOString() });

  it('leads with the newest articles when none is featured', async () => {
    const { latest } = await site.services.reader.home();
    expect(latest.map((a) => a.headline)).toEqual(['خبر رقم 6', 'خبر رقم 5', 'خبر رقم 4', 'خبر رقم 3', 'خبر رقم 2']);
    expect(latest.every((a) => a.featured === false)).toBe(true);
  });

  it('puts the newest featured article first, even an old one, then the latest others without repeating it', async () => {
    await feature(ids[0]!, true);
    await feature(ids[1]!, true);
    const { latest } = await site.services.reader.home();
    expect(latest.map((a) => a.headline)).toEqual(['خبر رقم 1', 'خبر رقم 6', 'خبر رقم 5', 'خبر رقم 4', 'خبر رقم 3']);
    expect(latest[0]!.featured).toBe(true);
    const html = (await app.inject('/')).body;
    expect(html.indexOf('خبر رقم 1')).toBeGreaterThan(0);
    expect(html.indexOf('خبر رقم 1')).toBeLessThan(html.indexOf('خبر رقم 6'));
  });

  it('does not repeat a featured article that is already among the latest', async () => {
    await feature(ids[5]!, true);
    const { latest } = await site.services.reader.home();
    expect(latest.map((a) => a.headline)).toEqual(['خبر رقم 5', 'خبر رقم 6', 'خبر رقم 4', 'خبر رقم 3', 'خبر رقم 2']);
  });

  it('ignores a featured article that is not published', async () => {
    await feature(ids[5]!, false);
    await feature(ids[1]!, false);
    await feature(ids[0]!, false);
    const draft = await site.services.articles.create({ ...base('مسودة مميزة', '2024-02-01T10:00:00Z'), status: 'draft' });
    await feature(draft.id, true);
    const { latest } = await site.services.reader.home();
    expect(latest[0]!.headline).toBe('خبر رقم 6');
    expect(latest.some((a) => a.id === draft.id)).toBe(false);
  });
});
