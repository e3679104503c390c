import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block } from '../../src/domain/blocks.js';
import type { User } from '../../src/domain/user.js';
import { buildApp } from '../../src/web/app.js';
import { blocksToText, textToBlocks } from '../../src/web/newsroom/liveText.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { addUser, FORM, form, signIn, type Signed } from '../helpers/newsroom.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { actorFor } from '../helpers/users.js';

describe('the compose syntax', () => {
  it('turns blank-line blocks into paragraphs, embeds, quotes, subheadings, lists and pictures', () => {
    const text = [
      'الفقرة الأولى\nبسطر ثانٍ',
      'https://youtu.be/abcdefghijk',
      'https://example.org/report',
      '> لن نغادر المدينة\n> مهما حدث\n— رئيس البلدية',
      '## آخر الأرقام',
      '- ثلاثة جرحى\n- لا قتلى',
      '1. أولاً\n2. ثانياً',
      '![الميناء صباحاً](media:7 "رويترز")',
      'نص **عريض** و_مائل_ و[رابط](https://example.org/a)',
    ].join('\n\n');
    const blocks = textToBlocks(text);
    expect(blocks).toEqual<Block[]>([
      { type: 'paragraph', spans: [{ text: 'الفقرة الأولى\nبسطر ثانٍ' }] },
      { type: 'embed', url: 'https://youtu.be/abcdefghijk', provider: 'youtube' },
      { type: 'paragraph', spans: [{ text: 'https://example.org/report', href: 'https://example.org/report' }] },
      { type: 'quote', spans: [{ text: 'لن نغادر المدينة\nمهما حدث' }], speaker: 'رئيس البلدية' },
      { type: 'subheading', text: 'آخر الأرقام' },
      { type: 'list', ordered: false, items: [[{ text: 'ثلاثة جرحى' }], [{ text: 'لا قتلى' }]] },
      { type: 'list', ordered: true, items: [[{ text: 'أولاً' }], [{ text: 'ثانياً' }]] },
      { type: 'image', mediaId: 7, caption: 'الميناء صباحاً', credit: 'رويترز' },
      { type: 'paragraph', spans: [{ text: 'نص ' }, { text: 'عريض', bold: true }, { text: ' و' }, { text: 'مائل', italic: true }, { text: ' و' }, { text: 'رابط', href: 'https://example.org/a' }] },
    ]);
    // The edit box is prefilled with blocksToText: it must give the same blocks back.
    expect(textToBlocks(blocksToText(blocks))).toEqual(blocks);
    expect(textToBlocks(' \r\n\r\n  \n')).toEqual([]);
  });
});

for (const target of storeTargets()) {
  describe(`the newsroom live console (${target.name})`, () => {
    let site: TestSite;
    let app: FastifyInstance;
    const who = {} as Record<'contributor' | 'other' | 'editor', { user: User; session: Signed }>;

    beforeAll(async () => {
      site = await openTestSite(target);
      app = await buildApp({ services: site.services });
      for (const [name, role] of [['contributor', 'contributor'], ['other', 'contributor'], ['editor', 'editor']] as const) {
        const u = await addUser(site.services, `${name}@live-console.test`, role);
        who[name] = { user: u.user, session: await signIn(app, u.email, u.password) };
      }
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await site?.dispose();
    });

    const get = (url: string, as: keyof typeof who) => app.inject({ url, headers: { cookie: who[as].session.cookie } });
    /** A console form post as a browser sends it: the session cookie and `_csrf` (unless `csrf: false`). */
    const post = (url: string, as: keyof typeof who, fields: Record<string, string> = {}, o: { csrf?: boolean } = {}) =>
      app.inject({
        method: 'POST',
        url,
        headers: { ...FORM, cookie: who[as].session.cookie },
        payload: form({ ...fields, ...(o.csrf === false ? {} : { _csrf: who[as].session.csrf }) }),
      });
    const newCoverage = async (title = 'تغطية من غرفة الأخبار') => site.services.live.createCoverage(actorFor(who.editor.user), { title });
    const entryOf = async (coverageId: number, as: keyof typeof who, text: string) =>
      (await site.services.live.postEntry(actorFor(who[as].user), coverageId, { text })).entryId!;

    function expectArabicPage(res: LightMyRequestResponse, status: number, message?: RegExp) {
      expect(res.statusCode, res.body.slice(0, 300)).toBe(status);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<html lang="ar" dir="rtl">');
      if (message) expect(res.body).toMatch(message);
    }
    const redirectedTo = (res: LightMyRequestResponse) => {
      expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
      return String(res.headers.location);
    };

    it('lists coverages in Arabic, with the create form for editors only', async () => {
      const c = await newCoverage('تغطية في القائمة');
      const asWriter = await get('/newsroom/live', 'contributor');
      expectArabicPage(asWriter, 200, /التغطيات الحية/);
      expect(asWriter.body).toContain(`href="/newsroom/live/${c.id}"`);
      expect(asWriter.body).toContain('مباشر');
      expect(asWriter.body).not.toContain('action="/newsroom/live"');
      const asEditor = await get('/newsroom/live', 'editor');
      expect(asEditor.body).toContain('action="/newsroom/live"');
      expect(asEditor.body).toContain('value="Asia/Damascus" selected');
      // The newsroom's navigation leads here.
      expect((await get('/newsroom', 'contributor')).body).toContain('href="/newsroom/live"');
      expect((await app.inject('/newsroom/live')).headers.location).toMatch(/^\/newsroom\/login/);
    });

    it('opens a coverage from the form (editors), and refuses contributors and missing CSRF', async () => {
      const fields = { title: 'زلزال في الشمال', summary: 'متابعة لحظة بلحظة', streamUrl: '', city: 'حلب', timeZone: 'Asia/Damascus' };
      expectArabicPage(await post('/newsroom/live', 'editor', fields, { csrf: false }), 403);
      expectArabicPage(await post('/newsroom/live', 'contributor', fields), 403, /للمحررين|صلاحية/);
      const to = redirectedTo(await post('/newsroom/live', 'editor', fields));
      expect(to).toMatch(/^\/newsroom\/live\/\d+\?ok=created$/);
      const page = await get(to, 'editor');
      expectArabicPage(page, 200, /زلزال في الشمال/);
      expect(page.body).toContain('بدأت التغطية');
      expect(page.body).toMatch(/حلب<\/time>/);
      // A refused form comes back with what was typed and the reason.
      const bad = await post('/newsroom/live', 'editor', { ...fields, title: 'بث آخر', streamUrl: 'https://example.org/not-a-stream' });
      expectArabicPage(bad, 400, /رابط البث غير مدعوم/);
      expect(bad.body).toContain('value="بث آخر"');
    });

    it('shows the console: status, reader link, compose form, stream attributes, end button for editors', async () => {
      const c = await newCoverage('تغطية الانتخابات');
      await entryOf(c.id, 'contributor', 'فتحت مراكز الاقتراع');
      const res = await get(`/newsroom/live/${c.id}`, 'editor');
      expectArabicPage(res, 200, /تغطية الانتخابات/);
      expect(res.body).toContain(`href="/live/${encodeURIComponent(c.slug)}"`);
      expect(res.body).toContain(`data-events-url="/live/${c.id}/events"`);
      expect(res.body).toContain('data-last-event-id="1"');
      expect(res.body).toContain('data-status="live"');
      expect(res.body).toContain(`data-api="/api/v1/live/${c.id}/entries"`);
      expect(res.body).toMatch(/<script src="\/assets\/liveConsole\.js\?v=[\w-]+" defer>/);
      expect(res.body).toContain('فتحت مراكز الاقتراع');
      expect(res.body).toContain('name="pinned"');
      expect(res.body).toContain('تأكيد إنهاء التغطية');
      const asWriter = await get(`/newsroom/live/${c.id}`, 'contributor');
      expect(asWriter.body).not.toContain('name="pinned"');
      expect(asWriter.body).not.toContain('تأكيد إنهاء التغطية');
      // The script is served.
      const js = await app.inject('/assets/liveConsole.js');
      expect(js.statusCode).toBe(200);
      expect(js.body).toContain('EventSource');
    });

    it('posts an entry in the compose syntax and lands on it', async () => {
      const c = await newCoverage();
      const text = 'وصلت فرق الدفاع المدني.\n\n> الوضع تحت السيطرة\n— المحافظ\n\nhttps://x.com/nashra/status/12345';
      const to = redirectedTo(await post(`/newsroom/live/${c.id}/entries`, 'contributor', { text, keyEvent: '1' }));
      const m = /^\/newsroom\/live\/\d+\?ok=posted#entry-(\d+)$/.exec(to);
      expect(m).not.toBeNull();
      const [entry] = await site.services.live.entries(c.id);
      expect(entry).toMatchObject({ id: Number(m![1]), keyEvent: true, pinned: false, authorIds: [who.contributor.user.id] });
      expect(entry!.blocks.map((b) => b.type)).toEqual(['paragraph', 'quote', 'embed']);
      const page = await get(to.split('#')[0]!, 'contributor');
      expect(page.body).toContain('نُشر المدخل');
      expect(page.body).toContain(`id="entry-${entry!.id}"`);
      // The edit box holds the same syntax back.
      expect(page.body).toContain('> الوضع تحت السيطرة\n— المحافظ');
      expectArabicPage(await post(`/newsroom/live/${c.id}/entries`, 'contributor', { text: 'بلا رمز' }, { csrf: false }), 403);
      expectArabicPage(await post(`/newsroom/live/${c.id}/entries`, 'contributor', { text: 'مثبت', pinned: '1' }), 403, /للمحررين/);
      expectArabicPage(await post(`/newsroom/live/${c.id}/entries`, 'contributor', { text: '  ' }), 400, /فارغ/);
      expect(await site.services.live.entries(c.id)).toHaveLength(1);
    });

    it('answers an oversized entry with 413 in Arabic and keeps the text', async () => {
      const c = await newCoverage();
      const long = 'خ'.repeat(20_001);
      const res = await post(`/newsroom/live/${c.id}/entries`, 'contributor', { text: long });
      expectArabicPage(res, 413, /أطول من المسموح/);
      expect(res.body).toContain(long);
      const many = Array.from({ length: 31 }, (_, i) => `فقرة ${i}`).join('\n\n');
      expectArabicPage(await post(`/newsroom/live/${c.id}/entries`, 'contributor', { text: many }), 413, /30 كتلة/);
      // Over the compose limit itself, and over the server's body limit: still 413 in Arabic.
      expectArabicPage(await post(`/newsroom/live/${c.id}/entries`, 'contributor', { text: 'a'.repeat(90_000) }), 413, /أطول من المسموح/);
      expectArabicPage(await post(`/newsroom/live/${c.id}/entries`, 'contributor', { text: 'a'.repeat(1_100_000) }), 413, /أكبر من المسموح/);
      const id = await entryOf(c.id, 'contributor', 'قصير');
      const edit = await post(`/newsroom/live/${c.id}/entries/${id}/edit`, 'contributor', { text: long });
      expectArabicPage(edit, 413, /أطول من المسموح/);
      expect(edit.body).toMatch(/<details class="lc-edit" open/);
      expect(await site.services.live.entries(c.id)).toHaveLength(1);
    });

    it('edits, flags, pins and deletes through forms, with CSRF and role checks', async () => {
      const c = await newCoverage();
      const mine = await entryOf(c.id, 'contributor', 'الخبر الأول');
      const base = `/newsroom/live/${c.id}/entries/${mine}`;

      expect(redirectedTo(await post(`${base}/edit`, 'contributor', { text: 'الخبر الأول مصححاً' }))).toBe(`/newsroom/live/${c.id}?ok=edited#entry-${mine}`);
      expect(redirectedTo(await post(`${base}/flags`, 'contributor', { keyEvent: '1' }))).toBe(`/newsroom/live/${c.id}?ok=flagged#entry-${mine}`);
      let [e] = await site.services.live.entries(c.id);
      expect(e).toMatchObject({ keyEvent: true, editedAt: expect.any(String), blocks: [{ type: 'paragraph', spans: [{ text: 'الخبر الأول مصححاً' }] }] });

      expectArabicPage(await post(`${base}/flags`, 'contributor', { pinned: '1' }), 403, /للمحررين/);
      expectArabicPage(await post(`${base}/edit`, 'other', { text: 'ليس لي' }), 403, /كاتب آخر/);
      expectArabicPage(await post(`${base}/flags`, 'other', { keyEvent: '0' }), 403);
      expectArabicPage(await post(`${base}/delete`, 'other'), 403);
      for (const action of ['edit', 'flags', 'delete']) expectArabicPage(await post(`${base}/${action}`, 'contributor', { text: 'x', keyEvent: '0' }, { csrf: false }), 403);
      expectArabicPage(await post(`${base}/flags`, 'editor', {}), 400);
      expectArabicPage(await post(`${base}/flags`, 'editor', { pinned: 'maybe' }), 400);

      expect(redirectedTo(await post(`${base}/flags`, 'editor', { pinned: '1' }))).toContain(`#entry-${mine}`);
      [e] = await site.services.live.entries(c.id);
      expect(e).toMatchObject({ pinned: true, keyEvent: true });
      const page = await get(`/newsroom/live/${c.id}`, 'editor');
      expect(page.body).toContain('إلغاء التثبيت');
      expect(page.body).toContain('إلغاء الحدث الرئيسي');
      // Another contributor sees the entry without its controls.
      expect((await get(`/newsroom/live/${c.id}`, 'other')).body).not.toContain(`${base}/edit`);

      expect(redirectedTo(await post(`${base}/delete`, 'contributor'))).toBe(`/newsroom/live/${c.id}?ok=deleted`);
      expect(await site.services.live.entries(c.id)).toEqual([]);
      expectArabicPage(await post(`${base}/delete`, 'contributor'), 404, /المدخل غير موجود/);
      expect((await get(`/newsroom/live/${c.id}`, 'editor')).body).toContain('لا مدخلات بعد');
    });

    it("serves one entry's console fragment with the viewer's controls", async () => {
      const c = await newCoverage();
      const id = await entryOf(c.id, 'contributor', 'مدخل للجزء');
      const own = await get(`/newsroom/live/${c.id}/entries/${id}`, 'contributor');
      expect(own.statusCode).toBe(200);
      expect(own.headers['cache-control']).toContain('no-store');
      expect(own.body).toMatch(new RegExp(`^<li class="lc-entry" data-entry-id="${id}">`));
      expect(own.body).toContain(`id="entry-${id}"`);
      expect(own.body).toContain(`/entries/${id}/edit`);
      expect(own.body).toContain(`value="${who.contributor.session.csrf}"`);
      expect((await get(`/newsroom/live/${c.id}/entries/${id}`, 'other')).body).not.toContain('/edit');
      expectArabicPage(await get(`/newsroom/live/${c.id}/entries/999999`, 'contributor'), 404);
      await site.services.live.deleteEntry(actorFor(who.contributor.user), c.id, id);
      expectArabicPage(await get(`/newsroom/live/${c.id}/entries/${id}`, 'contributor'), 404);
    });

    it('ends a coverage after the confirm step; afterwards the console is read-only and posts answer 409', async () => {
      const c = await newCoverage();
      const id = await entryOf(c.id, 'contributor', 'قبل النهاية');
      expectArabicPage(await post(`/newsroom/live/${c.id}/end`, 'contributor'), 403);
      expectArabicPage(await post(`/newsroom/live/${c.id}/end`, 'editor', {}, { csrf: false }), 403);
      expect(redirectedTo(await post(`/newsroom/live/${c.id}/end`, 'editor'))).toBe(`/newsroom/live/${c.id}?ok=ended`);
      const page = await get(`/newsroom/live/${c.id}?ok=ended`, 'editor');
      expectArabicPage(page, 200, /انتهت التغطية\./);
      expect(page.body).toContain('data-status="ended"');
      expect(page.body).not.toContain('class="nr-form lc-compose"');
      expect(page.body).not.toContain(`/entries/${id}/edit`);
      expectArabicPage(await post(`/newsroom/live/${c.id}/entries`, 'editor', { text: 'متأخر' }), 409, /انتهت هذه التغطية/);
      expectArabicPage(await post(`/newsroom/live/${c.id}/entries/${id}/edit`, 'editor', { text: 'متأخر' }), 409);
      expectArabicPage(await post(`/newsroom/live/${c.id}/end`, 'editor'), 409);
    });

    it('answers unknown or malformed coverages and entries with an Arabic 404, never a 500', async () => {
      const c = await newCoverage();
      for (const url of ['/newsroom/live/999999', '/newsroom/live/abc', '/newsroom/live/0', `/newsroom/live/${c.id}?before=x`, `/newsroom/live/${c.id}/entries/abc`]) {
        expectArabicPage(await get(url, 'editor'), 404);
      }
      expectArabicPage(await post('/newsroom/live/999999/entries', 'editor', { text: 'نص' }), 404, /التغطية غير موجودة/);
      expectArabicPage(await post(`/newsroom/live/${c.id}/entries/999999/edit`, 'editor', { text: 'نص' }), 404, /المدخل غير موجود/);
      expectArabicPage(await post('/newsroom/live/999999/end', 'editor'), 404);
      // A repeated field is not a string: a clear 400.
      const twice = await app.inject({ method: 'POST', url: `/newsroom/live/${c.id}/entries`, headers: { ...FORM, cookie: who.editor.session.cookie }, payload: `text=a&text=b&_csrf=${who.editor.session.csrf}` });
      expectArabicPage(twice, 400);
    });
  });
}

describe.runIf(hasChromium())('the live console in Chromium', () => {
  let site: TestSite;
  let app: FastifyInstance;
  let browser: Browser;
  let origin: string;
  let editor: User;
  let writer: User;
  const password = 'ورد الشام في الربيع';

  beforeAll(async () => {
    site = await openTestSite();
    editor = (await addUser(site.services, 'editor@live-browser.test', 'editor', password)).user;
    writer = (await addUser(site.services, 'writer@live-browser.test', 'contributor', password)).user;
    app = await buildApp({ services: site.services });
    origin = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await site?.dispose();
  });

  async function signedIn(javaScriptEnabled = true): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'ar', javaScriptEnabled });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(`${m.text()} ${m.location().url}`));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/newsroom/login`);
    await page.fill('input[name=email]', 'editor@live-browser.test');
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/newsroom/login')), page.press('input[name=password]', 'Enter')]);
    return { page, errors };
  }
  const entryText = (page: Page, id: number) => page.locator(`li.lc-entry[data-entry-id="${id}"] .live-entry-body`).innerText();

  it("posts with Ctrl+Enter without leaving the page, and shows other editors' entries, edits and deletions as they happen", async () => {
    const c = await site.services.live.createCoverage(actorFor(editor), { title: 'تغطية في المتصفح' });
    const { page, errors } = await signedIn();
    await page.goto(`${origin}/newsroom/live/${c.id}`);
    const url = page.url();

    await page.locator('#lc-text').fill('سقوط أمطار غزيرة\n\n> الطرق مغلقة\n— الدفاع المدني');
    await page.locator('#lc-text').press('Control+Enter');
    await page.locator('li.lc-entry').first().waitFor({ timeout: 10_000 });
    const [mine] = await site.services.live.entries(c.id);
    expect(mine!.blocks.map((b) => b.type)).toEqual(['paragraph', 'quote']);
    expect(await entryText(page, mine!.id)).toContain('الطرق مغلقة');
    expect(await page.inputValue('#lc-text')).toBe('');
    expect(page.url()).toBe(url);
    // Its controls came with it, from the server.
    expect(await page.locator(`li.lc-entry[data-entry-id="${mine!.id}"] form[action$="/delete"]`).count()).toBe(1);

    // Another writer's entry arrives through the stream, above the first, with the editor's controls.
    const theirs = (await site.services.live.postEntry(actorFor(writer), c.id, { text: 'وصول فرق الإغاثة' })).entryId!;
    await page.locator(`li.lc-entry[data-entry-id="${theirs}"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator('li.lc-entry').first().getAttribute('data-entry-id')).toBe(String(theirs));
    expect(await page.locator(`li.lc-entry[data-entry-id="${theirs}"] form[action$="/edit"]`).count()).toBe(1);

    await site.services.live.editEntry(actorFor(writer), c.id, theirs, { text: 'وصول فرق الإغاثة إلى المدينة' });
    await page.waitForFunction((id) => document.querySelector(`#entry-${id}`)?.textContent?.includes('إلى المدينة'), theirs, { timeout: 10_000 });
    await site.services.live.deleteEntry(actorFor(writer), c.id, theirs);
    await page.locator(`li.lc-entry[data-entry-id="${theirs}"]`).waitFor({ state: 'detached', timeout: 10_000 });

    // A refusal is shown under the box, in Arabic, and the text stays.
    await page.locator('#lc-text').fill('ك'.repeat(20_001));
    await page.locator('#lc-text').press('Control+Enter');
    await page.locator('.lc-compose-error').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('.lc-compose-error').innerText()).toContain('أطول من المسموح');
    expect((await page.inputValue('#lc-text')).length).toBe(20_001);

    // Ending the coverage elsewhere turns the console read-only.
    await site.services.live.endCoverage(actorFor(editor), c.id);
    await page.waitForSelector('ol.lc-entries[data-status="ended"]', { timeout: 10_000 });
    expect(await page.locator('form.lc-compose').count()).toBe(0);
    // The refused post is the one failed request the browser reports.
    expect(errors.filter((e) => !/status of 413/.test(e))).toEqual([]);
  }, 60_000);

  it('works without JavaScript: the compose button posts the form and lands on the entry', async () => {
    const c = await site.services.live.createCoverage(actorFor(editor), { title: 'تغطية بلا سكربت' });
    const { page } = await signedIn(false);
    await page.goto(`${origin}/newsroom/live/${c.id}`);
    await page.locator('#lc-text').fill('مدخل من نموذج عادي');
    await Promise.all([page.waitForURL(/ok=posted#entry-\d+$/), page.locator('form.lc-compose button[type=submit]').click()]);
    expect(await page.locator('li.lc-entry').count()).toBe(1);
    expect(await page.locator('.nr-ok').innerText()).toContain('نُشر المدخل');
    // Delete takes the second, confirming click inside <details>.
    await page.locator('details.lc-delete summary').click();
    await Promise.all([page.waitForURL(/ok=deleted/), page.locator('details.lc-delete button').click()]);
    expect(await page.locator('li.lc-entry').count()).toBe(0);
  }, 60_000);
});
