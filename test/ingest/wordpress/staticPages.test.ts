import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/web/app.js';
import { blocksToText, textToBlocks } from '../../../src/web/newsroom/pageRoutes.js';
import { openTestSite, storeTargets, type TestSite } from '../../helpers/services.js';
import { addUser, form, FORM, signIn, type Signed } from '../../helpers/newsroom.js';

/** Static pages (added with the WordPress import, which brings pages): newsroom editing and the reader route. */
describe.each(storeTargets())('static pages ($name)', (target) => {
  let site: TestSite;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let editor: Signed;
  let writer: Signed;

  beforeAll(async () => {
    site = await openTestSite(target);
    app = await buildApp({ services: site.services });
    const e = await addUser(site.services, 'editor@nashra.test', 'editor');
    const w = await addUser(site.services, 'writer@nashra.test', 'contributor');
    editor = await signIn(app, e.email, e.password);
    writer = await signIn(app, w.email, w.password);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  const post = (who: Signed, url: string, fields: Record<string, string>) =>
    app.inject({ method: 'POST', url, headers: { ...FORM, cookie: who.cookie }, payload: form({ ...fields, _csrf: who.csrf }) });

  it('reads the textarea as paragraphs and ## subheadings, and back', () => {
    const blocks = textToBlocks('## عنوان\r\n\r\nفقرة أولى\nبسطرين.\n\n\n\nفقرة ثانية.');
    expect(blocks).toEqual([
      { type: 'subheading', text: 'عنوان' },
      { type: 'paragraph', spans: [{ text: 'فقرة أولى\nبسطرين.' }] },
      { type: 'paragraph', spans: [{ text: 'فقرة ثانية.' }] },
    ]);
    expect(blocksToText(blocks)).toBe('## عنوان\n\nفقرة أولى\nبسطرين.\n\nفقرة ثانية.');
    expect(blocksToText([{ type: 'list', ordered: false, items: [[{ text: 'x' }]] }])).toBeNull();
  });

  it('lets an editor create and publish a page; readers see it at /page/:slug and in the footer', async () => {
    const res = await post(editor, '/newsroom/pages', { title: 'اتصل بنا', slug: '', text: 'راسلونا على البريد.', status: 'published' });
    expect(res.statusCode).toBe(303);
    const list = await app.inject({ url: '/newsroom/pages', headers: { cookie: editor.cookie } });
    expect(list.body).toContain('اتصل بنا');
    const page = await app.inject(`/page/${encodeURIComponent('اتصل-بنا')}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('راسلونا على البريد.');
    expect((await app.inject('/')).body).toContain(`href="/page/${encodeURIComponent('اتصل-بنا')}"`);
  });

  it('keeps drafts from readers, refuses a taken slug and an empty title on the form (Arabic, 400), and contributors (403)', async () => {
    expect((await post(editor, '/newsroom/pages', { title: 'مسودة', text: 'نص.', status: 'draft' })).statusCode).toBe(303);
    expect((await app.inject(`/page/${encodeURIComponent('مسودة')}`)).statusCode).toBe(404);
    const taken = await post(editor, '/newsroom/pages', { title: 'أخرى', slug: 'اتصل بنا', text: 'نص.', status: 'draft' });
    expect(taken.statusCode).toBe(400);
    expect(taken.body).toContain('مستخدم لصفحة أخرى');
    expect((await post(editor, '/newsroom/pages', { title: '', text: 'نص.' })).statusCode).toBe(400);
    expect((await post(writer, '/newsroom/pages', { title: 'صفحة', text: 'نص.' })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/newsroom/pages', headers: { ...FORM, cookie: editor.cookie }, payload: form({ title: 'بلا رمز', text: 'نص.' }) })).statusCode).toBe(403);
  });

  it('shows a page with blocks the textarea cannot hold read-only, and refuses to flatten it (409)', async () => {
    const rich = await site.services.pages.create({
      title: 'صفحة غنية',
      status: 'published',
      body: [{ type: 'list', ordered: true, items: [[{ text: 'بند' }]] }],
    });
    const form1 = await app.inject({ url: `/newsroom/pages/${rich.id}`, headers: { cookie: editor.cookie } });
    expect(form1.statusCode).toBe(200);
    expect(form1.body).toContain('للعرض فقط');
    const res = await post(editor, `/newsroom/pages/${rich.id}`, { title: 'صفحة غنية', text: 'بند', status: 'published' });
    expect(res.statusCode).toBe(409);
    expect((await site.services.pages.get(rich.id))!.body[0]!.type).toBe('list');
    expect((await app.inject({ url: '/newsroom/pages/999999', headers: { cookie: editor.cookie } })).statusCode).toBe(404);
  });
});
