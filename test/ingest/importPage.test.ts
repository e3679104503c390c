import { readdirSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPageFile } from '../../src/ingest/page/importPage.js';
import { ImportError } from '../../src/ingest/page/read.js';
import { countArticles } from '../../src/store/articles.js';
import { SEED_PATH, hasSeed, openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

const PAGE = `التغطية الحية
عنوان تجريبي لصفحة مستوردة

2021.06.28 | 17:39 دمشق

photo.jpg
تعليق على الصورة (أ ف ب)
حلب - خاص
+A
حجم الخط
-A

فقرة أولى من المتن تنتهي بنقطة.

عنوان فرعي

فقرة ثانية من المتن.
`;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

describe.each(storeTargets())('page import on $name', (target) => {
  let site: TestSite;
  let dir: string;
  beforeAll(async () => {
    site = await openTestSite(target);
    dir = mkdtempSync(join(tmpdir(), 'nashra-pages-'));
  });
  afterAll(() => site.dispose());

  it.runIf(hasSeed())('imports the seed with exactly the expected fields', async () => {
    const r = await importPageFile(site.services, SEED_PATH, { publish: true });
    expect(r.status).toBe('published');
    expect(r.url).toBe(`${site.config.baseUrl}/news/${r.id}/${encodeURIComponent(r.slug)}`);
    expect(r.warnings).toEqual([expect.stringContaining('blynkn.png not found')]);
    const a = (await site.services.articles.get(r.id))!;
    expect(a.headline).toBe('بلينكن من مؤتمر روما: وجهنا رسائل قوية لميليشيات إيران وسنواصل قتال تنظيم الدولة');
    expect(a.publishedAt).toBe('2021-06-28T14:39:00.000Z');
    expect(a.timeZone).toBe('Asia/Damascus');
    expect(a.city).toBe('دمشق');
    expect(a.lead?.media.originalName).toBe('blynkn.png');
    expect(a.lead?.media.storageKey).toBeNull();
    expect(a.lead?.caption).toBe('وزير الخارجية الأميركي، أنتوني بلينكن');
    expect(a.lead?.credit).toBe('رويترز');
    expect(a.datelinePlace).toBe('إسطنبول');
    expect(a.sourceLabel).toBe('متابعات');
    expect(a.body.filter((b) => b.type === 'subheading').map((b) => b.type === 'subheading' && b.text)).toEqual([
      'إيران وميليشياتها',
      'تنظيم "الدولة"',
      'حل الملف السوري وإيصال المساعدات',
    ]);
    // Every other body line is a paragraph, with its text exactly as written.
    const seedLines = (await readFile(SEED_PATH, 'utf8')).split('\n').map((l) => l.trim());
    const bodyStart = seedLines.indexOf('-A') + 1;
    const expected = seedLines.slice(bodyStart).filter(Boolean);
    const got = a.body.map((b) => (b.type === 'subheading' ? b.text : b.type === 'paragraph' ? b.spans.map((s) => s.text).join('') : `?${b.type}`));
    expect(got).toEqual(expected);
    expect(a.body.filter((b) => b.type === 'paragraph')).toHaveLength(expected.length - 3);
    expect(got).toContain('وأضاف "نأمل أن تكون ضرباتنا في سوريا والعراق رادعة لميليشيات إيران.');
  });

  it('stores a named image found in --media-dir, with its variants', async () => {
    const page = join(dir, 'with-image.txt');
    writeFileSync(page, PAGE);
    const media = mkdtempSync(join(tmpdir(), 'nashra-media-'));
    writeFileSync(join(media, 'photo.jpg'), await sharp({ create: { width: 1000, height: 600, channels: 3, background: '#a33' } }).jpeg().toBuffer());
    const r = await importPageFile(site.services, page, { publish: false, mediaDir: media });
    expect(r.status).toBe('draft');
    expect(r.warnings).toEqual([]);
    const a = (await site.services.articles.get(r.id))!;
    expect(a.lead).toMatchObject({ caption: 'تعليق على الصورة', credit: 'أ ف ب', media: { width: 1000, height: 600 } });
    expect(a.datelinePlace).toBe('حلب');
    expect(a.sourceLabel).toBe('خاص');
    expect(filesUnder(site.config.mediaDir)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^[0-9a-f]{24}\.jpg$/),
        ...[320, 640, 1000].flatMap((w) => ['avif', 'webp', 'jpg'].map((ext) => expect.stringMatching(new RegExp(`-${w}\\.${ext}$`)))),
      ]),
    );
  });

  it('keeps the page\'s own update time as the article\'s آخر تحديث', async () => {
    const page = join(dir, 'updated.txt');
    writeFileSync(page, 'عنوان خبر محدث بعد نشره\n\n2021.06.28 | 17:39 دمشق\nآخر تحديث: 2021.06.28 | 19:05 دمشق\n\nفقرة من المتن.\n');
    const r = await importPageFile(site.services, page, { publish: true });
    const a = (await site.services.articles.get(r.id))!;
    expect(a.publishedAt).toBe('2021-06-28T14:39:00.000Z');
    expect(a.revisedAt).toBe('2021-06-28T16:05:00.000Z');
  });

  it('refuses bad files with a message naming the file, and writes nothing', async () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['no-headline.txt', '2021.06.28 | 17:39 دمشق\n', /headline/],
      ['no-date.txt', 'عنوان بلا تاريخ\n\nفقرة من المتن.\n', /date/],
      ['bad-date.txt', 'عنوان\n\n2021.02.30 | 17:39 دمشق\n\nفقرة.\n', /date/],
      ['binary.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]), /binary/],
      ['latin1.txt', Buffer.concat([Buffer.from('عنوان\n'), Buffer.from([0xe9, 0x0a])]), /UTF-8/],
      ['huge.txt', Buffer.alloc(5 * 1024 * 1024 + 1, 0x61), /5 MB/],
      ['empty.txt', '', /empty/],
    ];
    const articles = await countArticles(site.services.store.db);
    const mediaFiles = filesUnder(site.config.mediaDir).length;
    for (const [name, content, message] of cases) {
      const file = join(dir, name);
      writeFileSync(file, content);
      const err = await importPageFile(site.services, file, { publish: true }).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(ImportError);
      expect(String(err), name).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+)?: `));
      expect(String(err), name).toMatch(message);
    }
    const missing = await importPageFile(site.services, join(dir, 'nope.txt')).catch((e: unknown) => e);
    expect(String(missing)).toMatch(/nope\.txt: file not found/);
    expect(await countArticles(site.services.store.db)).toBe(articles);
    expect(filesUnder(site.config.mediaDir)).toHaveLength(mediaFiles);
  });

  it('names the line of a non-UTF-8 byte', async () => {
    const file = join(dir, 'line3.txt');
    writeFileSync(file, Buffer.concat([Buffer.from('سطر\nسطر\nسطر '), Buffer.from([0xff]), Buffer.from('\n')]));
    const err = (await importPageFile(site.services, file).catch((e: unknown) => e)) as ImportError;
    expect(err.line).toBe(3);
  });
});
