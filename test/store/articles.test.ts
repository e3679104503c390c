import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleInput } from '../../src/domain/article.js';
import { ValidationError } from '../../src/domain/errors.js';
import { prepareImage, saveImageIn } from '../../src/services/media.js';
import { countArticles, listArticles } from '../../src/store/articles.js';
import { getContentVersion } from '../../src/store/siteState.js';
import { listSections } from '../../src/store/taxonomy.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

const base: ArticleInput = {
  headline: 'عنوان تجريبي للمقال',
  body: [
    { type: 'paragraph', spans: [{ text: 'فقرة أولى ' }, { text: 'بخط عريض', bold: true }] },
    { type: 'subheading', text: 'عنوان فرعي' },
    { type: 'quote', spans: [{ text: '"اقتباس"' }], speaker: 'متحدث' },
    { type: 'list', ordered: true, items: [[{ text: 'أول' }], [{ text: 'ثان' }]] },
  ],
  section: 'سياسة',
  tags: ['سوريا', 'روما', 'سوريا'],
  authors: ['مراسل نشرة'],
  status: 'published',
  publishedAt: '2021-06-28T17:39:00+03:00',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
};

describe.each(storeTargets())('articles on $name', (target) => {
  let site: TestSite;
  beforeAll(async () => {
    site = await openTestSite(target);
  });
  afterAll(() => site.dispose());

  it('stores every field of an article and reads it back', async () => {
    const { services, config } = site;
    const jpeg = await sharp({ create: { width: 800, height: 450, channels: 3, background: '#246' } }).jpeg().toBuffer();
    const img = await prepareImage(config.mediaDir, jpeg, 'lead.jpg');
    const media = await services.store.db.transaction().execute((trx) => saveImageIn(trx, img));
    const before = await getContentVersion(services.store.db);

    const a = await services.articles.create({
      ...base,
      lead: { mediaId: media.id, caption: 'تعليق الصورة', credit: 'رويترز' },
      datelinePlace: 'إسطنبول',
      sourceLabel: 'متابعات',
      body: [...base.body, { type: 'image', mediaId: media.id, caption: 'داخلية' }],
    });

    expect(a.slug).toBe('عنوان-تجريبي-للمقال');
    expect(a.publishedAt).toBe('2021-06-28T14:39:00.000Z');
    expect(a.status).toBe('published');
    expect(a.summary).toBe('فقرة أولى بخط عريض');
    expect(a.lead).toMatchObject({ caption: 'تعليق الصورة', credit: 'رويترز', media: { width: 800, height: 450, mime: 'image/jpeg' } });
    expect(a.datelinePlace).toBe('إسطنبول');
    expect(a.sourceLabel).toBe('متابعات');
    expect(a.section.name).toBe('سياسة');
    expect(a.tags.map((t) => t.name)).toEqual(['سوريا', 'روما']);
    expect(a.authors.map((t) => t.name)).toEqual(['مراسل نشرة']);
    expect(a.body).toHaveLength(5);
    expect(a.body[0]).toEqual(base.body[0]);
    expect(a.timeZone).toBe('Asia/Damascus');
    expect(a.city).toBe('دمشق');
    expect(await getContentVersion(services.store.db)).not.toBe(before);
  });

  it('lists published articles by section and by tag, newest first', async () => {
    const { services } = site;
    const newer = await services.articles.create({ ...base, headline: 'أحدث', publishedAt: '2022-01-01T00:00:00Z' });
    await services.articles.create({ ...base, headline: 'مسودة', status: 'draft', publishedAt: undefined });
    const [section] = await listSections(services.store.db);
    const published = await listArticles(services.store.db, { status: 'published', sectionId: section!.id, limit: 10 });
    expect(published.map((a) => a.headline)).toEqual(['أحدث', 'عنوان تجريبي للمقال']);
    const byTag = await listArticles(services.store.db, { status: 'published', tagId: newer.tags[1]!.id, limit: 10 });
    expect(byTag).toHaveLength(2);
  });

  it('keeps the id and first publication time when the headline changes', async () => {
    const { services } = site;
    const a = await services.articles.create({ ...base, headline: 'العنوان الأول' });
    const b = await services.articles.replace(a.id, { ...base, headline: 'العنوان الثاني', publishedAt: undefined });
    expect(b.id).toBe(a.id);
    expect(b.slug).toBe('العنوان-الثاني');
    expect(b.publishedAt).toBe(a.publishedAt);
  });

  it('rejects invalid input before writing anything', async () => {
    const { services } = site;
    const n = await countArticles(services.store.db);
    const bad: unknown[] = [
      { ...base, headline: '  ' },
      { ...base, timeZone: 'Mars/Olympus' },
      { ...base, body: [{ type: 'video' }] },
      { ...base, body: [{ type: 'paragraph', spans: [{ text: 'x', href: 'javascript:alert(1)' }] }] },
      { ...base, publishedAt: 'yesterday' },
      { ...base, lead: { mediaId: 999999 } },
    ];
    for (const input of bad) {
      await expect(services.articles.create(input as ArticleInput)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await countArticles(services.store.db)).toBe(n);
  });
});
