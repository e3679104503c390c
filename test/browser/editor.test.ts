import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPageFile } from '../../src/ingest/page/importPage.js';
import { parsePage } from '../../src/ingest/page/parse.js';
import { buildApp } from '../../src/web/app.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { addUser } from '../helpers/newsroom.js';
import { SEED_PATH, hasSeed, openTestSite, type TestSite } from '../helpers/services.js';

/**
 * The editor's acceptance: an editor builds the seed article by hand in Chromium, publishes it,
 * and the public page reads, line for line, like the page the importer makes from the seed.
 */
describe.runIf(hasChromium() && hasSeed())('the article editor in Chromium', () => {
  let site: TestSite;
  let app: FastifyInstance;
  let browser: Browser;
  let origin: string;
  let importedPath: string;
  const password = 'ورد الشام في الربيع';

  beforeAll(async () => {
    site = await openTestSite();
    await addUser(site.services, 'editor@nashra.test', 'editor', password);
    importedPath = new URL((await importPageFile(site.services, SEED_PATH, { publish: true })).url).pathname;
    app = await buildApp({ services: site.services });
    origin = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await site?.dispose();
  });

  async function signedInPage(): Promise<{ page: Page; errors: string[]; foreign: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ar' });
    const page = await context.newPage();
    const errors: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(`${m.text()} ${m.location().url}`));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
    });
    await page.goto(`${origin}/newsroom/login`);
    await page.fill('input[name=email]', 'editor@nashra.test');
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/newsroom/login')), page.press('input[name=password]', 'Enter')]);
    return { page, errors, foreign };
  }

  const articleLines = (page: Page) =>
    page.$eval('article', (a) => (a as HTMLElement).innerText.split('\n').map((l) => l.trim()).filter(Boolean));

  it('builds the seed article by typing, publishes it, and the public page reads like the imported one', async () => {
    const parsed = parsePage(readFileSync(SEED_PATH, 'utf8'), { defaultTimeZone: 'Asia/Damascus', defaultCity: 'دمشق' });
    if (!parsed.ok) throw new Error(parsed.error);
    const seed = parsed.page;
    const blocks = seed.body.map((b) => {
      if (b.type === 'paragraph') return { type: 'paragraph', text: b.spans.map((s) => s.text).join('') };
      if (b.type === 'subheading') return { type: 'subheading', text: b.text };
      throw new Error(`the seed has a ${b.type} block; this test types paragraphs and subheadings`);
    });
    expect(blocks.filter((b) => b.type === 'subheading')).toHaveLength(3);

    const { page, errors, foreign } = await signedInPage();
    await page.goto(`${origin}/newsroom/articles/new`);
    // City and zone come from the settings.
    expect(await page.inputValue('#f-city')).toBe('دمشق');
    expect(await page.inputValue('#f-timeZone')).toBe('Asia/Damascus');

    await page.locator('#f-headline').pressSequentially(seed.headline);
    await page.fill('#f-publishedAt', '2021-06-28T17:39');
    await page.locator('#f-city').fill('');
    await page.locator('#f-city').pressSequentially('دمشق');
    await page.locator('#f-timeZone').fill('Asia/Damascus');
    const png = await sharp({ create: { width: 1200, height: 675, channels: 3, background: '#35506b' } }).png().toBuffer();
    await page.setInputFiles('#f-leadFile', { name: 'blynkn.png', mimeType: 'image/png', buffer: png });
    await page.locator('#f-leadCaption').pressSequentially('وزير الخارجية الأميركي، أنتوني بلينكن');
    await page.locator('#f-leadCredit').pressSequentially('رويترز');
    await page.locator('#f-datelinePlace').pressSequentially('إسطنبول');
    await page.locator('#f-sourceLabel').pressSequentially('متابعات');

    // The blank no-JavaScript slots are gone; each block is added with the add button, then typed.
    expect(await page.locator('[data-blocks] > li').count()).toBe(0);
    for (const [i, b] of blocks.entries()) {
      await page.selectOption('select[name=addType]', b.type);
      await page.click('[data-add-block]');
      const area = page.locator(`textarea[name="blocks[${i}][text]"]`);
      // Adding a block puts the caret in it; typing goes there.
      expect(await area.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.insertText(b.text);
    }
    // The count follows the typing (recomputed a moment after the last keystroke).
    await page.waitForFunction(() => Number(document.querySelector('[data-words]')?.textContent) > 400);
    expect(await page.textContent('[data-minutes]')).toMatch(/^\d+ دقائق$|دقيق/);

    // Autosave runs every few seconds without taking the caret from where the writer is.
    const last = page.locator(`textarea[name="blocks[${blocks.length - 1}][text]"]`);
    await last.focus();
    await last.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(5, 5));
    await page.waitForFunction(() => /حُفظ في/.test(document.querySelector('.save-status')?.textContent ?? ''), null, { timeout: 15_000 });
    expect(await last.evaluate((el: HTMLTextAreaElement) => [el === document.activeElement, el.selectionStart])).toEqual([true, 5]);
    expect(page.url()).toMatch(/\/newsroom\/articles\/\d+\/edit$/);

    // Save (with the picture), then publish from the editor's toolbar.
    await Promise.all([page.waitForURL(/done=(saved|created)/), page.click('button[data-save]')]);
    await Promise.all([page.waitForURL(/done=publish/), page.click('button:text-is("نشر")')]);
    const publicPath = await page.getAttribute('a:text-is("الصفحة المنشورة")', 'href');
    expect(publicPath).toMatch(/^\/news\/\d+\//);

    await page.goto(origin + publicPath!);
    const built = await articleLines(page);
    expect(await page.$eval('article figure img', (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.goto(origin + importedPath);
    const imported = await articleLines(page);
    expect(built).toEqual(imported);
    expect(built.length).toBeGreaterThanOrEqual(27);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);

    // Autosave created the article once; the save button then saved that same article.
    await page.goto(`${origin}/newsroom/articles`);
    expect(await page.locator('table.articles tbody tr', { hasText: seed.headline }).count()).toBe(2);
  }, 120_000);

  it('autosaves while the writer types, without moving focus or the caret', async () => {
    const { page, errors } = await signedInPage();
    await page.goto(`${origin}/newsroom/articles/new`);
    const headline = page.locator('input[name=headline]');
    await headline.click();
    await headline.pressSequentially('عنوان يحفظ وحده');
    // The caret sits mid-word, as a writer's would while thinking.
    await headline.evaluate((el: HTMLInputElement) => el.setSelectionRange(5, 5));
    await expect.poll(() => page.locator('.save-status').innerText(), { timeout: 12_000 }).toMatch(/حُفظ/);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('headline');
    expect(await headline.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd])).toEqual([5, 5]);
    // The autosave created the article: it is in the newsroom's list.
    const list = await page.request.get(`${origin}/newsroom/articles`);
    expect(await list.text()).toContain('عنوان يحفظ وحده');
    expect(errors).toEqual([]);
  });

  it('works without JavaScript: blank slots, submit buttons, the same form', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${origin}/newsroom/login`);
    await page.fill('input[name=email]', 'editor@nashra.test');
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/newsroom/login')), page.press('input[name=password]', 'Enter')]);
    await page.goto(`${origin}/newsroom/articles/new`);
    await page.fill('#f-headline', 'خبر بلا جافاسكربت');
    await page.fill('textarea[name="blocks[0][text]"]', 'الفقرة الأولى');
    await page.fill('input[name="blocks[1][url]"]', 'https://youtu.be/dQw4w9WgXcQ');
    await page.selectOption('select[name=addType]', 'quote');
    await page.click('[data-add-block]');
    expect(await page.inputValue('select[name="blocks[3][type]"]')).toBe('quote');
    expect(await page.inputValue('#f-headline')).toBe('خبر بلا جافاسكربت');
    await page.fill('textarea[name="blocks[3][text]"]', 'قول مأثور');
    await page.fill('input[name="blocks[3][speaker]"]', 'قائل');
    await Promise.all([page.waitForURL(/done=created/), page.press('#f-headline', 'Enter')]);
    expect(await page.inputValue('select[name="blocks[1][type]"]')).toBe('embed');
    expect(await page.inputValue('select[name="blocks[2][type]"]')).toBe('quote');
    await context.close();
  });

  it('turns pasted Word-style HTML into clean blocks, server-side', async () => {
    const { page, errors } = await signedInPage();
    await page.goto(`${origin}/newsroom/articles/new`);
    await page.click('[data-add-block]');
    const area = page.locator('textarea[name="blocks[0][text]"]');
    await area.focus();
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.setData('text/html', '<p class=MsoNormal><b>عريض</b> <i>مائل</i> <a href="https://example.org">رابط</a><script>alert(1)</script></p><h2 style="color:red">عنوان</h2><p onclick="x()">فقرة</p>');
      data.setData('text/plain', 'عريض مائل رابط');
      document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => document.querySelectorAll('[data-blocks] > li').length === 3);
    expect(await area.inputValue()).toBe('**عريض** _مائل_ [رابط](https://example.org)');
    expect(await page.inputValue('select[name="blocks[1][type]"]')).toBe('subheading');
    expect(await page.inputValue('textarea[name="blocks[1][text]"]')).toBe('عنوان');
    expect(await page.inputValue('textarea[name="blocks[2][text]"]')).toBe('فقرة');

    // Moving and removing in place renumber the fields.
    await page.click('button[value="up:2"]');
    expect(await page.inputValue('textarea[name="blocks[1][text]"]')).toBe('فقرة');
    await page.click('button[value="remove:0"]');
    expect(await page.inputValue('textarea[name="blocks[0][text]"]')).toBe('فقرة');
    expect(await page.locator('[data-blocks] > li').count()).toBe(2);
    expect(errors).toEqual([]);
  });
});
