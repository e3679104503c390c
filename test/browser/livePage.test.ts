import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveCoverage } from '../../src/domain/live.js';
import type { Actor } from '../../src/domain/user.js';
import { buildApp } from '../../src/web/app.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { openTestSite, type TestSite } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

/** "Within a second" in spirit; the margin is for a loaded CI machine, not a measure of speed. */
const SOON = { timeout: 3000 };
const LONG = 'تفاصيل إضافية عن الحدث من مراسلنا في الميدان، مع شهادات من السكان وصور من المكان. '.repeat(12);

/**
 * The live page in Chromium: entries posted, corrected and deleted on the server reach an open
 * page without a reload, a reader further down is not moved, and the page stands without JavaScript.
 */
describe.runIf(hasChromium())('the live page in Chromium', () => {
  let site: TestSite;
  let app: FastifyInstance;
  let browser: Browser;
  let origin: string;
  let editor: Actor;
  let n = 0;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    site = await openTestSite();
    editor = actorFor(await insertTestUser(site.services.store, 'editor', 'ليلى المحررة'));
    app = await buildApp({ services: site.services });
    origin = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await app?.close();
    await site?.dispose();
  });

  const live = () => site.services.live;
  const open = (extra: Record<string, string> = {}) => live().createCoverage(editor, { title: `اشتباكات في ريف درعا ${++n}`, ...extra });
  const post = async (c: LiveCoverage, text: string, flags: { keyEvent?: boolean; pinned?: boolean } = {}) =>
    (await live().postEntry(editor, c.id, { text, ...flags })).entryId!;

  async function visit(c: LiveCoverage, opts: { javaScriptEnabled?: boolean; height?: number } = {}) {
    const context = await browser.newContext({ viewport: { width: 400, height: opts.height ?? 800 }, locale: 'ar', javaScriptEnabled: opts.javaScriptEnabled ?? true });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(`${m.text()} ${m.location().url}`));
    page.on('pageerror', (e) => errors.push(e.message));
    // Waited on before a post, so the post is one the open stream must deliver (a post made
    // earlier would be in the page already, which proves less).
    const streaming = opts.javaScriptEnabled === false ? Promise.resolve() : page.waitForResponse((r) => r.url().includes('/events?after=') && r.status() === 200, SOON).then(() => {});
    streaming.catch(() => {}); // handled where awaited; tests that do not wait must not see it reject
    await page.goto(`${origin}/live/${encodeURIComponent(c.slug)}`);
    return { page, errors, streaming };
  }

  const entryIds = (page: Page) => page.$$eval('.live-entries > .live-entry', (els) => els.map((e) => Number((e as HTMLElement).dataset.entryId)));

  it('adds, replaces and removes entries as the newsroom posts, corrects and deletes them', async () => {
    const c = await open();
    const first = await post(c, 'بدأت الاشتباكات صباحاً');
    const { page, errors, streaming } = await visit(c);
    await streaming;
    await page.waitForFunction(() => document.querySelector('.live-new-bar'), null, SOON);

    const second = await post(c, 'وصول تعزيزات إلى المنطقة');
    await page.waitForSelector(`#entry-${second}`, SOON);
    expect(await entryIds(page)).toEqual([second, first]);
    expect(await page.textContent(`#entry-${second} .live-entry-body`)).toContain('وصول تعزيزات إلى المنطقة');
    expect(await page.getAttribute('.live-stream', 'data-last-event-id')).toBe('2');

    await live().editEntry(editor, c.id, second, { text: 'وصول تعزيزات كبيرة إلى المنطقة', keyEvent: true });
    await page.waitForFunction((id) => document.querySelector(`#entry-${id}`)?.textContent?.includes('تعزيزات كبيرة'), second, SOON);
    expect(await page.$$(`#entry-${second}`)).toHaveLength(1);
    expect(await page.getAttribute(`#entry-${second}`, 'class')).toContain('key-event');
    // The key-events box appears, linking to the entry.
    await page.waitForSelector(`.live-key-events a[href="#entry-${second}"]`, SOON);
    expect(await page.textContent('.live-key-events')).toContain('أبرز الأحداث');

    const pinned = await post(c, 'رقم الطوارئ للمدنيين 112', { pinned: true });
    await page.waitForSelector(`.live-pinned #entry-${pinned}`, SOON);

    await live().deleteEntry(editor, c.id, second);
    await page.waitForSelector(`#entry-${second}`, { state: 'detached', ...SOON });
    expect(await page.$(`.live-key-events a[href="#entry-${second}"]`)).toBeNull();
    expect(await entryIds(page)).toEqual([first]);

    await live().endCoverage(editor, c.id);
    await page.waitForSelector('.live-status .live-ended', SOON);
    expect(await page.textContent('.live-status')).toMatch(/^انتهت التغطية \d{4}\.\d\d\.\d\d \| \d\d:\d\d دمشق$/);
    expect(await page.$('.live-badge')).toBeNull();
    expect(await page.getAttribute('.live-stream', 'data-status')).toBe('ended');
    expect(errors).toEqual([]);
  });

  it('holds new entries for a reader further down, behind a banner that inserts them', async () => {
    const c = await open();
    for (let i = 1; i <= 8; i++) await post(c, `المدخل ${i}. ${LONG}`);
    const { page, errors, streaming } = await visit(c, { height: 600 });
    await streaming;
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 2));
    const before = await page.evaluate(() => window.scrollY);
    const top = () => page.$eval('.live-entries', (el) => el.getBoundingClientRect().top);
    expect(await top()).toBeLessThan(0);

    const fresh = await post(c, 'خبر عاجل أثناء القراءة');
    await page.waitForSelector('.live-new:not([hidden])', SOON);
    expect(await page.textContent('.live-new')).toBe('تحديث جديد');
    expect(await page.$(`#entry-${fresh}`)).toBeNull();
    expect(await page.evaluate(() => window.scrollY)).toBe(before);
    const another = await post(c, 'خبر عاجل ثان');
    await page.waitForFunction(() => document.querySelector('.live-new')?.textContent === 'تحديثان جديدان', null, SOON);

    await page.click('.live-new');
    expect((await entryIds(page)).slice(0, 2)).toEqual([another, fresh]);
    expect(await page.isHidden('.live-new')).toBe(true);
    expect(await page.$eval('.live-stream', (el) => Math.abs(el.getBoundingClientRect().top))).toBeLessThan(2);
    expect(errors).toEqual([]);
  });

  it('reloads the page when the stream says its position was never issued (resync)', async () => {
    const c = await open();
    await post(c, 'مدخل أول');
    const context = await browser.newContext({ viewport: { width: 400, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    const url = `${origin}/live/${encodeURIComponent(c.slug)}`;
    // The first load claims event 999 (a page from another database, say); the reload is real.
    let served = 0;
    await page.route(url, async (route) => {
      const res = await route.fetch();
      const body = await res.text();
      await route.fulfill({ response: res, body: served++ === 0 ? body.replace('data-last-event-id="1"', 'data-last-event-id="999"') : body });
    });
    await page.goto(url);
    await page.waitForFunction(() => document.querySelector('.live-stream')?.getAttribute('data-last-event-id') === '1', null, SOON);
    expect(served).toBe(2);
  });

  it('polls while the stream is unavailable and applies the same events', async () => {
    const c = await open();
    await post(c, 'قبل انقطاع الربط');
    const { page, streaming } = await visit(c);
    await streaming;
    // The Redis link drops: open streams are told to retry, new ones get 503; the page polls.
    const polled = page.waitForResponse((r) => r.url().includes('/updates?after='), { timeout: 10_000 });
    site.services.liveBus.setAvailable(false);
    try {
      await polled;
      const later = await post(c, 'أثناء انقطاع الربط');
      // One polling period (5 s) and a margin.
      await page.waitForSelector(`#entry-${later}`, { timeout: 10_000 });
    } finally {
      site.services.liveBus.setAvailable(true);
    }
  });

  it('plays HLS natively where the browser can, and through hls.js within the page CSP where it cannot', async () => {
    const url = 'https://video.example.com/live/main.m3u8';
    const c = await open({ streamUrl: url });
    // This Chromium plays HLS itself: the script only sets the source (nothing loads before play).
    const native = await visit(c);
    await native.page.waitForFunction(() => document.querySelector('video')?.getAttribute('src'), null, SOON);
    expect(await native.page.getAttribute('video', 'src')).toBe(url);
    expect(await native.page.evaluate(() => 'Hls' in window)).toBe(false);

    // A browser without native HLS: hls.js is fetched and plays through a blob: MediaSource.
    const context = await browser.newContext({ viewport: { width: 400, height: 800 } });
    contexts.push(context);
    await context.addInitScript(() => {
      HTMLMediaElement.prototype.canPlayType = () => '';
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${origin}/live/${encodeURIComponent(c.slug)}`);
    await page.waitForFunction(() => typeof (window as unknown as { Hls?: unknown }).Hls === 'function', null, SOON);
    await page.waitForFunction(() => document.querySelector('video')?.src.startsWith('blob:'), null, SOON);
    // The manifest's host does not resolve here; what matters is that the policy blocked nothing.
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  });

  it('is complete without JavaScript: entries, key events, pinned, paging', async () => {
    const c = await open();
    const key = await post(c, 'الحدث الأبرز اليوم', { keyEvent: true });
    for (let i = 1; i <= 22; i++) await post(c, `مدخل رقم ${i}`);
    await post(c, 'ملاحظة مثبتة', { pinned: true });
    const { page } = await visit(c, { javaScriptEnabled: false });
    expect(await page.isVisible('.live-badge')).toBe(true);
    expect(await page.textContent('.live-pinned')).toContain('ملاحظة مثبتة');
    expect(await page.$$('.live-entries > .live-entry')).toHaveLength(19);
    expect(await page.$('.live-new-bar')).toBeNull();
    // The key event is on the older page; its link leads there.
    await Promise.all([page.waitForURL(/before=/), page.click(`.live-key-events a[href*="#entry-${key}"]`)]);
    expect(await page.isVisible(`#entry-${key}`)).toBe(true);
    await page.goto(`${origin}/live/${encodeURIComponent(c.slug)}`);
    await Promise.all([page.waitForURL(/before=/), page.click('a.older')]);
    expect(await page.textContent('.live-entries')).toContain('مدخل رقم 1');
    expect(await page.textContent('.pager')).toContain('الأحدث');
  });
});
