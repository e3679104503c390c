import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block } from '../../src/domain/blocks.js';
import { extractArticle, MAX_ELEMENTS } from '../../src/ingest/html/extract.js';
import { importHtmlFile } from '../../src/ingest/html/importHtml.js';
import { ImportError } from '../../src/ingest/page/read.js';
import { countArticles } from '../../src/store/articles.js';
import { listRevisions } from '../../src/store/revisions.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/html/', import.meta.url));
const LEAD_URL = 'https://cdn.example-news.net/uploads/2021/06/blinken-rome.jpg';
// Page furniture of article.html that must never reach the body.
const CLUTTER = ['إعلان', 'التعليقات', 'تعليق قارئ', 'الأكثر قراءة', 'فيسبوك', 'واتساب', 'جميع الحقوق', 'سياسة', 'نص حقنه سكربت', 'مخترق', 'alert', 'الرئيسية'];

const photo = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#357' } }).jpeg().toBuffer();
const textOf = (b: Block) =>
  b.type === 'paragraph' || b.type === 'quote' ? b.spans.map((s) => s.text).join('') : b.type === 'subheading' ? b.text : `[${b.type}]`;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

describe.each(storeTargets())('HTML article import on $name', (target) => {
  let site: TestSite;
  let dir: string;
  beforeAll(async () => {
    site = await openTestSite(target);
    // A saved page as a browser leaves it: NAME.html and NAME_files/ with the body picture.
    dir = mkdtempSync(join(tmpdir(), 'nashra-html-'));
    cpSync(FIXTURES, dir, { recursive: true });
    mkdirSync(join(dir, 'article_files'));
    writeFileSync(join(dir, 'article_files', 'rome-meeting.jpg'), await photo(800, 500));
  });
  afterAll(() => site.dispose());

  it('turns a saved Arabic news page into a draft with exactly the article’s fields', async () => {
    const file = join(dir, 'article.html');
    const r = await importHtmlFile(site.services, file);
    expect(r).toEqual({
      file,
      status: 'draft',
      id: expect.any(Number),
      url: `${site.config.baseUrl}/newsroom/articles/${r.id}/edit`,
      source: 'https://www.example-news.net/news/2021/06/28/blinken-rome-isis',
      images: [
        { src: LEAD_URL, stored: false },
        { src: './article_files/rome-meeting.jpg', stored: true },
      ],
      warnings: [expect.stringContaining(`image ${LEAD_URL} not stored`)],
    });
    const a = (await site.services.articles.get(r.id))!;
    expect(a.status).toBe('draft');
    expect(a.headline).toBe('بلينكن من مؤتمر روما: وجهنا رسائل قوية لميليشيات إيران');
    expect(a.summary).toBe('وزير الخارجية الأميركي يقول إن الضربات الأميركية في سوريا والعراق رسالة قوية لميليشيات إيران.');
    // article:published_time 17:39+03:00; the page's time line names دمشق, so the article is shown in its zone.
    expect(a.publishedAt).toBe('2021-06-28T14:39:00.000Z');
    expect(a.revisedAt).toBe('2021-06-28T16:05:00.000Z');
    expect(a.timeZone).toBe('Asia/Damascus');
    expect(a.city).toBe('دمشق');
    expect(a.datelinePlace).toBe('إسطنبول');
    expect(a.sourceLabel).toBe('متابعات');
    expect(a.section.name).toBe(site.config.defaultSection);
    // Lead: og:image, with the caption of the figure that shows it; not downloaded, so no file.
    expect(a.lead).toMatchObject({ caption: 'وزير الخارجية الأميركي، أنتوني بلينكن', credit: 'رويترز', media: { originalName: 'blinken-rome.jpg', storageKey: null } });

    expect(a.body.map((b) => b.type)).toEqual(['paragraph', 'paragraph', 'subheading', 'paragraph', 'quote', 'subheading', 'paragraph', 'image', 'paragraph']);
    expect(a.body.filter((b) => b.type === 'subheading').map(textOf)).toEqual(['إيران وميليشياتها', 'حل الملف السوري وإيصال المساعدات']);
    expect(a.body[4]).toEqual({
      type: 'quote',
      spans: [{ text: '«نأمل أن تكون ضرباتنا في سوريا والعراق رادعة لميليشيات إيران، وأن تفهم أن استهداف قواتنا له ثمن»' }],
      speaker: 'أنتوني بلينكن',
    });
    expect(a.body[0]).toMatchObject({ type: 'paragraph', spans: [{ text: expect.stringMatching(/^قال وزير/) }, { text: 'رسائل قوية', bold: true }, {}] });
    // Links kept, relative ones made absolute against the page's own address.
    expect(a.body[1]!.type === 'paragraph' && a.body[1]!.spans.filter((s) => s.href).map((s) => s.href)).toEqual([
      'https://www.state.gov/briefings',
      'https://www.example-news.net/tags/reuters',
    ]);
    const image = a.body[7]!;
    expect(image).toMatchObject({ type: 'image', caption: 'وزراء خارجية دول التحالف خلال اجتماعهم في روما', credit: 'أ ف ب' });
    const media = image.type === 'image' ? (await site.services.store.db.selectFrom('media').selectAll().where('id', '=', image.mediaId).executeTakeFirst())! : null;
    expect(media).toMatchObject({ original_name: 'rome-meeting.jpg', width: 800, height: 500, alt: 'اجتماع التحالف', storage_key: expect.stringMatching(/^[0-9a-f]{2}\/[0-9a-f]{24}\.jpg$/) });
    expect(filesUnder(site.config.mediaDir)).toEqual(expect.arrayContaining([expect.stringMatching(/^[0-9a-f]{24}-800\.webp$/)]));

    // Nav, ads, share bar, comments, sidebar, footer and scripts stay out; no script ever ran.
    const bodyJson = JSON.stringify(a.body);
    for (const word of CLUTTER) expect(bodyJson, word).not.toContain(word);
    expect((globalThis as Record<string, unknown>).__nashraScriptRan).toBeUndefined();
    expect(a.body.map(textOf).join('\n')).not.toMatch(/<|script|document\./);

    // The address of the picture not downloaded stays with the draft, for an editor to fetch.
    const [rev] = await listRevisions(site.services.store.db, r.id);
    expect(rev!.note).toContain(`صور لم تُنزَّل: ${LEAD_URL}`);
    expect(rev!.note).toContain('المصدر: https://www.example-news.net/news/2021/06/28/blinken-rome-isis');
  });

  it('stores og:image as the lead when the saved page’s _files folder has it', async () => {
    const sub = mkdtempSync(join(tmpdir(), 'nashra-html-lead-'));
    cpSync(join(FIXTURES, 'article.html'), join(sub, 'saved.html'));
    mkdirSync(join(sub, 'saved_files'));
    writeFileSync(join(sub, 'saved_files', 'blinken-rome.jpg'), await photo(1200, 675));
    const r = await importHtmlFile(site.services, join(sub, 'saved.html'));
    expect(r.images[0]).toEqual({ src: LEAD_URL, stored: true });
    const a = (await site.services.articles.get(r.id))!;
    expect(a.lead).toMatchObject({ caption: 'وزير الخارجية الأميركي، أنتوني بلينكن', credit: 'رويترز', media: { width: 1200, height: 675, alt: 'أنتوني بلينكن في روما' } });
    // The body figure's file is not in saved_files: named, kept with its caption, not stored.
    expect(r.images[1]).toEqual({ src: './article_files/rome-meeting.jpg', stored: false });
  });

  it('reads a date written in words in the text, with the city beside it, by the page importer’s rules', async () => {
    const r = await importHtmlFile(site.services, join(dir, 'text-date.html'));
    expect(r.warnings).toEqual([]);
    expect(r.images).toEqual([]);
    const a = (await site.services.articles.get(r.id))!;
    expect(a.headline).toBe('الحكومة اللبنانية تعلن خطة طوارئ للكهرباء');
    // الإثنين 28 حزيران 2021 - 17:39 (بيروت): Beirut is UTC+3 in summer.
    expect(a.publishedAt).toBe('2021-06-28T14:39:00.000Z');
    expect(a.timeZone).toBe('Asia/Beirut');
    expect(a.city).toBe('بيروت');
    expect(a.datelinePlace).toBe('بيروت');
    expect(a.sourceLabel).toBe('خاص');
    expect(a.lead).toBeNull();
    expect(a.body.map((b) => b.type)).toEqual(['paragraph', 'paragraph', 'paragraph']);
    expect(textOf(a.body[0]!)).toMatch(/^أعلنت الحكومة اللبنانية/);
  });

  it('makes a draft without a time when the page shows none, and says so', async () => {
    const file = join(dir, 'no-time.html');
    const para = 'فقرة من متن الخبر تكفي طولاً لتُعدّ مقالاً كاملاً، وفيها ما يكفي من الكلمات ليجدها محرك الاستخراج. ';
    writeFileSync(file, `<!doctype html><html lang="ar"><head><title>خبر بلا وقت</title></head><body><article><h1>خبر بلا وقت منشور</h1><p>${para.repeat(2)}</p><p>${para}</p></article></body></html>`);
    const r = await importHtmlFile(site.services, file);
    expect(r.warnings).toContain('no publication time found; the draft has none');
    const a = (await site.services.articles.get(r.id))!;
    expect(a.publishedAt).toBeNull();
    expect(a.timeZone).toBe(site.config.timeZone);
    expect(a.headline).toBe('خبر بلا وقت منشور');
  });

  it('refuses what is not an article page, naming the file, and writes nothing', async () => {
    const text = join(dir, 'dump.txt');
    writeFileSync(text, 'عنوان خبر\n\n2021.06.28 | 17:39 دمشق\n\nفقرة من المتن.\n');
    const cases: [string, RegExp, number | undefined][] = [
      [join(dir, 'listing.html'), /^no article found/, undefined],
      [text, /^not an HTML document/, 1],
      [join(dir, 'missing.html'), /^file not found$/, undefined],
    ];
    const before = await countArticles(site.services.store.db);
    const media = filesUnder(site.config.mediaDir).length;
    for (const [file, message, line] of cases) {
      const err = await importHtmlFile(site.services, file).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, file).toBeInstanceOf(ImportError);
      expect((err as ImportError).file).toBe(file);
      expect((err as ImportError).message).toMatch(message);
      expect((err as ImportError).line).toBe(line);
    }
    expect(await countArticles(site.services.store.db)).toBe(before);
    expect(filesUnder(site.config.mediaDir)).toHaveLength(media);
  });
});

describe('extractArticle (no store)', () => {
  const opts = { defaultTimeZone: 'Asia/Damascus', defaultCity: 'دمشق' };
  const para = 'فقرة من متن الخبر تكفي طولاً لتُعدّ مقالاً كاملاً، وفيها ما يكفي من الكلمات ليجدها محرك الاستخراج. ';
  const page = (head: string, body: string) =>
    `<!DOCTYPE html><html lang="ar"><head>${head}</head><body><article><h1>عنوان الخبر التجريبي</h1>${body}<p>${para.repeat(2)}</p><p>${para}</p></article></body></html>`;

  it('refuses a page with more elements than Readability is allowed to parse', () => {
    const r = extractArticle(page('', '<i></i>'.repeat(MAX_ELEMENTS)), opts);
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/elements; the limit is 60000$/) });
  });

  it('reads a time without an offset in the newsroom zone, and says so', () => {
    const r = extractArticle(page('<meta property="article:published_time" content="2021-06-28T17:39">', ''), opts);
    expect(r.ok && r.article.publishedAt).toBe('2021-06-28T14:39:00Z');
    expect(r.ok && r.warnings).toContain('article:published_time "2021-06-28T17:39" names no UTC offset; read as دمشق time (Asia/Damascus)');
  });

  it('takes the time from JSON-LD, then <time datetime>, and the address from the "saved from" comment', () => {
    const ld = '<script type="application/ld+json">{"@graph":[{"@type":"WebSite"},{"@type":"NewsArticle","datePublished":"2021-06-28T10:00:00Z"}]}</script>';
    const fromLd = extractArticle(page(ld, '<time datetime="2021-06-27T09:00:00Z">أمس</time>'), opts);
    expect(fromLd.ok && [fromLd.article.publishedAt, fromLd.article.timeFrom]).toEqual(['2021-06-28T10:00:00Z', 'JSON-LD datePublished']);
    const saved = `<!-- saved from url=(0030)https://news.example/a/1.html -->\n${page('', '<time datetime="2021-06-27T09:00:00Z">أمس</time><p><a href="/b/2">صلة</a></p>')}`;
    const fromTime = extractArticle(saved, opts);
    if (!fromTime.ok) throw new Error(fromTime.error);
    expect([fromTime.article.publishedAt, fromTime.article.timeFrom, fromTime.article.sourceUrl]).toEqual(['2021-06-27T09:00:00Z', '<time datetime>', 'https://news.example/a/1.html']);
    expect(JSON.stringify(fromTime.article.body)).toContain('"href":"https://news.example/b/2"');
  });

  it('keeps no script, handler or javascript: link, reads lazy images, and takes the first figure as lead without og:image', () => {
    const body = `<figure><img src="data:image/gif;base64,R0lGOD" data-src="https://img.example/a.jpg" onerror="alert(1)"><figcaption>صورة <cite>الأناضول</cite></figcaption></figure>
      <p>نص <a href="javascript:alert(1)">رابط خبيث</a> و<a href="https://example.org/ok" onclick="x()">رابط سليم</a> <img src="x" onerror="alert(2)"></p>
      <script>alert(3)</script><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>`;
    const r = extractArticle(page('', body), opts);
    if (!r.ok) throw new Error(r.error);
    expect(r.article.lead).toEqual({ src: 'https://img.example/a.jpg', caption: 'صورة', credit: 'الأناضول' });
    const json = JSON.stringify(r.article.body);
    expect(json).not.toMatch(/alert|javascript|onerror|onclick/);
    expect(r.article.body).toContainEqual({ type: 'embed', url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', provider: 'youtube' });
    expect(json).toContain('"href":"https://example.org/ok"');
  });
});
