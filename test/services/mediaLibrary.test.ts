import { existsSync, readdirSync } from 'node:fs';
import { h } from 'preact';
import { render } from 'preact-render-to-string';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/domain/user.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { MEDIA_PAGE_SIZE } from '../../src/services/mediaLibrary.js';
import { listAudit } from '../../src/store/audit.js';
import { getContentVersion } from '../../src/store/siteState.js';
import { Figure } from '../../src/web/reader/views/components.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

let colour = 0;
/** A distinct small JPEG each call: distinct bytes, so no two uploads share a hash by accident. */
function picture(width = 480, height = 270): Promise<Buffer> {
  colour += 1;
  const background = { r: colour % 256, g: (colour * 7) % 256, b: (colour * 13) % 256 };
  return sharp({ create: { width, height, channels: 3, background } }).jpeg().toBuffer();
}

describe.each(storeTargets())('media library on $name', (target) => {
  let site: TestSite;
  let editor: User;
  let writer: User;
  let other: User;
  const anonymous = { user: null, label: 'anonymous', ip: null };

  beforeAll(async () => {
    site = await openTestSite(target);
    editor = await insertTestUser(site.services.store, 'editor');
    writer = await insertTestUser(site.services.store, 'contributor');
    other = await insertTestUser(site.services.store, 'contributor');
  });
  afterAll(() => site.dispose());

  it('uploads with caption, credit and alt text, records who, and audits it', async () => {
    const media = await site.services.media.upload(actorFor(writer), {
      data: await picture(),
      filename: 'قصف-حلب.jpg',
      caption: '  دخان يتصاعد فوق حلب  ',
      credit: 'Reuters',
      alt: 'سحابة دخان رمادية فوق أسطح المدينة',
    });
    expect(media).toMatchObject({
      originalName: 'قصف-حلب.jpg',
      mime: 'image/jpeg',
      width: 480,
      height: 270,
      caption: 'دخان يتصاعد فوق حلب',
      credit: 'Reuters',
      alt: 'سحابة دخان رمادية فوق أسطح المدينة',
      uploadedBy: writer.id,
    });
    expect(media.variants?.map((v) => `${v.w}.${v.format}`)).toEqual(['320.avif', '320.webp', '320.jpeg', '480.avif', '480.webp', '480.jpeg']);
    expect(await site.services.media.get(media.id)).toEqual(media);
    const [entry] = await listAudit(site.services.store.db, { action: 'media.upload', limit: 1 });
    expect(entry).toMatchObject({ userId: writer.id, targetType: 'media', targetId: String(media.id) });
    expect(entry?.details).toMatchObject({ name: 'قصف-حلب.jpg', mime: 'image/jpeg', existing: false });
  });

  it('refuses anyone not signed in, and bad files, writing no file, row or audit entry', async () => {
    const { db } = site.services.store;
    const rows = async () => (await db.selectFrom('media').select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
    const before = { files: filesUnder(site.config.mediaDir).length, rows: await rows(), audit: (await listAudit(db, { limit: 1000 })).length };
    await expect(site.services.media.upload(anonymous, { data: await picture(), filename: 'x.jpg' })).rejects.toBeInstanceOf(ForbiddenError);
    const jpeg = await picture();
    const bad: [string, Buffer, RegExp][] = [
      ['page.png', Buffer.from('<html><body>not a picture</body></html>'), /not a JPEG, PNG, WebP, AVIF or GIF image/],
      ['cut.jpg', jpeg.subarray(0, jpeg.length - 40), /damaged or incomplete/],
      ['huge.jpg', Buffer.concat([jpeg, Buffer.alloc(20 * 1024 * 1024)]), /larger than 20 MB/],
    ];
    for (const [filename, data, message] of bad) {
      const err = await site.services.media.upload(actorFor(editor), { data, filename }).catch((e: unknown) => e);
      expect(err, filename).toBeInstanceOf(ValidationError);
      expect(String(err), filename).toMatch(message);
    }
    const tooLong = site.services.media.upload(actorFor(editor), { data: await picture(), filename: 'x.jpg', credit: 'x'.repeat(201) });
    await expect(tooLong).rejects.toBeInstanceOf(ValidationError);
    expect(filesUnder(site.config.mediaDir)).toHaveLength(before.files);
    expect(await rows()).toEqual(before.rows);
    expect(await listAudit(db, { limit: 1000 })).toHaveLength(before.audit);
  });

  it('gives the same picture back when the same bytes come again, filling only empty fields', async () => {
    const data = await picture();
    const first = await site.services.media.upload(actorFor(writer), { data, filename: 'a.jpg', caption: 'التعليق الأول' });
    const again = await site.services.media.upload(actorFor(editor), { data, filename: 'b.jpg', caption: 'تعليق آخر', credit: 'أ ف ب' });
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ originalName: 'a.jpg', caption: 'التعليق الأول', credit: 'أ ف ب', uploadedBy: writer.id });
  });

  it('finds pictures by part of the caption, credit, alt text or name, newest first, on every engine', async () => {
    const up = (filename: string, meta: { caption?: string; credit?: string; alt?: string }) =>
      picture().then((data) => site.services.media.upload(actorFor(editor), { data, filename, ...meta }));
    const market = await up('souq.jpg', { caption: 'سوق الحميدية في دمشق القديمة', credit: 'سانا' });
    const stadium = await up('match.png', { caption: 'ملعب العباسيين', credit: 'REUTERS/Omar Sanadiki' });
    const boats = await up('IMG-2041.JPG', { alt: 'قوارب صيد في ميناء اللاذقية', credit: 'AFP' });
    const odd = await up('100%_real.jpg', { caption: 'نسبة 50% من الأصوات' });

    const ids = async (q: string) => (await site.services.media.search(q)).items.map((m) => m.id);
    expect(await ids('الحميدية')).toEqual([market.id]);
    expect(await ids('دمشق')).toEqual([market.id]);
    expect(await ids('reuters/omar')).toEqual([stadium.id]); // case-insensitive
    expect(await ids('sanadiki')).toEqual([stadium.id]);
    expect(await ids('قوارب صيد')).toEqual([boats.id]); // alt text
    expect(await ids('img-2041')).toEqual([boats.id]); // the file name
    expect(await ids('50%')).toEqual([odd.id]); // % is a character, not a wildcard
    expect(await ids('%')).toEqual([odd.id]);
    expect(await ids('_')).toEqual([odd.id]); // so is _
    expect(await ids('لا يوجد شيء كهذا')).toEqual([]);
    const all = await ids('');
    expect(all.slice(0, 4)).toEqual([odd.id, boats.id, stadium.id, market.id]);
  });

  it('pages through the library', async () => {
    for (let i = 0; i < MEDIA_PAGE_SIZE; i++) {
      await site.services.media.upload(actorFor(editor), { data: await picture(16, 16), filename: `page-${i}.jpg`, caption: `صفحة ${i}` });
    }
    const first = await site.services.media.search('صفحة', 1);
    expect(first.items).toHaveLength(MEDIA_PAGE_SIZE);
    expect(first.hasMore).toBe(false);
    const all = await site.services.media.search('', 1);
    expect(all.hasMore).toBe(true);
    const second = await site.services.media.search('', 2);
    expect(second.items.length).toBeGreaterThan(0);
    expect(second.items[0]!.id).toBeLessThan(all.items.at(-1)!.id);
    await expect(site.services.media.search('', 0)).rejects.toBeInstanceOf(ValidationError);
  });

  it('lets editors describe any picture and contributors their own, moving the content version', async () => {
    const mine = await site.services.media.upload(actorFor(writer), { data: await picture(), filename: 'mine.jpg', caption: 'قديم' });
    const version = await getContentVersion(site.services.store.db);
    const updated = await site.services.media.update(actorFor(writer), mine.id, { caption: 'جديد', credit: 'خاص' });
    expect(updated).toMatchObject({ caption: 'جديد', credit: 'خاص', alt: null });
    expect(await getContentVersion(site.services.store.db)).not.toBe(version);
    await expect(site.services.media.update(actorFor(other), mine.id, { caption: 'لا' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(site.services.media.update(anonymous, mine.id, { caption: 'لا' })).rejects.toBeInstanceOf(ForbiddenError);
    const cleared = await site.services.media.update(actorFor(editor), mine.id, { credit: '' });
    expect(cleared).toMatchObject({ caption: 'جديد', credit: null });
    await expect(site.services.media.update(actorFor(editor), 999999, { caption: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    const [entry] = await listAudit(site.services.store.db, { action: 'media.update', limit: 1 });
    expect(entry).toMatchObject({ userId: editor.id, targetId: String(mine.id), details: { fields: ['credit'] } });
  });

  it("reuses the picture's caption and credit where an article places it without its own", async () => {
    const media = await site.services.media.upload(actorFor(editor), {
      data: await picture(),
      filename: 'reuse.jpg',
      caption: 'تعليق المكتبة',
      credit: 'وكالة',
      alt: 'وصف الصورة',
    });
    const figure = (caption?: string, credit?: string) => render(h(Figure, { media, caption, credit, lazy: true }));
    const fallback = figure();
    expect(fallback).toContain('<figcaption>تعليق المكتبة <span class="credit">(وكالة)</span></figcaption>');
    expect(fallback).toContain('alt="وصف الصورة"');
    expect(figure('تعليق المقال')).toContain('<figcaption>تعليق المقال <span class="credit">(وكالة)</span></figcaption>');
    expect(figure('تعليق المقال', 'رويترز')).toContain('<figcaption>تعليق المقال <span class="credit">(رويترز)</span></figcaption>');
    // A row with no variants listed shows its master file.
    const bare = render(h(Figure, { media: { ...media, variants: [] }, caption: undefined, credit: undefined, lazy: true }));
    expect(bare).toContain(`<img src="/media/${media.storageKey}" width="480" height="270" alt="وصف الصورة" loading="lazy" decoding="async"/>`);
  });
});
