import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { idFrom, minimal, useEditorSite } from '../helpers/editorSite.js';
import { formValues, multipart } from '../helpers/forms.js';

const t = useEditorSite();

describe('the article form', () => {
  it('round-trips every field, in the article zone, with an inline lead upload', async () => {
    const fields: [string, string][] = [
      ['_csrf', t.editor.csrf],
      ['headline', 'بلينكن من مؤتمر روما: "رسائل قوية"'],
      ['summary', 'ملخص الخبر & تفاصيله <مهمة>'],
      ['section', 'أخبار'],
      ['sectionNew', 'سياسة'],
      ['tags', 'سوريا، العراق, إيران'],
      ['authors', 'فريق التحرير، أحمد'],
      ['datelinePlace', 'إسطنبول'],
      ['sourceLabel', 'متابعات'],
      ['city', 'القاهرة'],
      ['timeZone', 'Africa/Cairo'],
      ['publishedAt', '2021-06-28T17:39'],
      ['leadMediaId', ''],
      ['leadCaption', 'وزير الخارجية الأميركي، أنتوني بلينكن'],
      ['leadCredit', 'رويترز'],
      ['blocks[0][type]', 'paragraph'],
      ['blocks[0][text]', 'نص **عريض** و_مائل_ و[رابط](https://example.org/a?b=1&c=2)\nسطر ثان'],
      ['blocks[1][type]', 'subheading'],
      ['blocks[1][text]', 'إيران وميليشياتها'],
      ['blocks[2][type]', 'quote'],
      ['blocks[2][text]', 'نأمل أن تكون ضرباتنا رادعة'],
      ['blocks[2][speaker]', 'أنتوني بلينكن'],
      ['blocks[3][type]', 'list'],
      ['blocks[3][items]', 'أولاً\nثانياً'],
      ['blocks[3][ordered]', '1'],
      ['blocks[4][type]', 'embed'],
      ['blocks[4][url]', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ'],
      ['blocks[5][type]', 'image'],
      ['blocks[5][caption]', 'صورة في المتن'],
      ['blocks[5][credit]', 'أ ف ب'],
      // A blank slot (no JavaScript) is not a block.
      ['blocks[6][type]', ''],
      ['blocks[6][text]', ''],
    ];
    const body = multipart(fields, [
      { name: 'leadFile', filename: 'blynkn.png', type: 'image/png', data: t.png },
      { name: 'blocks[5][file]', filename: 'body.png', type: 'image/png', data: await sharp(t.png).flip().png().toBuffer() },
    ]);
    const res = await t.app.inject({ method: 'POST', url: '/newsroom/articles', headers: { cookie: t.editor.cookie, ...body.headers }, payload: body.payload });
    expect(res.statusCode, res.body.slice(0, 2000)).toBe(303);
    const id = idFrom(res.headers.location);

    const a = await t.site.services.workflow.get(t.editorActor(), id);
    expect(a.publishedAt).toBe('2021-06-28T15:39:00.000Z'); // Cairo was UTC+2 that summer
    expect(a.timeZone).toBe('Africa/Cairo');
    expect(a.section.name).toBe('سياسة');
    expect(a.tags.map((t) => t.name)).toEqual(['سوريا', 'العراق', 'إيران']);
    expect(a.authors.map((t) => t.name)).toEqual(['فريق التحرير', 'أحمد']);
    expect(a.lead?.media.originalName).toBe('blynkn.png');
    expect(a.lead?.caption).toBe('وزير الخارجية الأميركي، أنتوني بلينكن');
    expect(a.body[0]).toEqual({
      type: 'paragraph',
      spans: [
        { text: 'نص ' },
        { text: 'عريض', bold: true },
        { text: ' و' },
        { text: 'مائل', italic: true },
        { text: ' و' },
        { text: 'رابط', href: 'https://example.org/a?b=1&c=2' },
        { text: '\nسطر ثان' },
      ],
    });
    expect(a.body.map((b) => b.type)).toEqual(['paragraph', 'subheading', 'quote', 'list', 'embed', 'image']);
    expect(a.body[4]).toEqual({ type: 'embed', url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', provider: 'youtube' });

    const edit = await t.get(`/newsroom/articles/${id}/edit`);
    expect(edit.statusCode).toBe(200);
    expect(edit.headers['cache-control']).toBe('private, no-store');
    const shown = formValues(edit.body);
    const expected = new Map(fields.filter(([k]) => k !== '_csrf' && !k.startsWith('blocks[6]')));
    expected.set('section', 'سياسة');
    expected.set('sectionNew', '');
    expected.set('tags', 'سوريا، العراق، إيران');
    expected.set('authors', 'فريق التحرير، أحمد');
    expected.set('leadMediaId', String(a.lead!.media.id));
    expected.set('blocks[0][text]', 'نص **عريض** و_مائل_ و[رابط](https://example.org/a?b=1&c=2)\nسطر ثان');
    const bodyImage = a.body[5]!;
    expected.set('blocks[5][mediaId]', String(bodyImage.type === 'image' && bodyImage.mediaId));
    for (const [name, value] of expected) expect(shown.get(name), name).toBe(value);
  });

  it('fills an empty caption and credit from the picture in the library', async () => {
    const m = await t.site.services.media.upload(t.editorActor(), {
      data: await sharp(t.png).negate().png().toBuffer(),
      filename: 'library.png',
      caption: 'تعليق المكتبة',
      credit: 'الأناضول',
    });
    const id = await t.create({ ...minimal, leadMediaId: String(m.id), leadCaption: '', leadCredit: '' });
    const shown = formValues((await t.get(`/newsroom/articles/${id}/edit`)).body);
    expect(shown.get('leadCaption')).toBe('تعليق المكتبة');
    expect(shown.get('leadCredit')).toBe('الأناضول');
    const missing = await t.post('/newsroom/articles', { ...minimal, leadMediaId: '999999' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('لا توجد صورة بهذا الرقم في المكتبة');
  });

  it('shows the form again with Arabic errors and the typed text (400) when input is invalid', async () => {
    const res = await t.post('/newsroom/articles', {
      headline: '',
      timeZone: 'Mars/Olympus',
      publishedAt: '2021-13-40T99:99',
      'blocks[0][type]': 'paragraph',
      'blocks[0][text]': 'نص كتبه الكاتب ولا يضيع',
      'blocks[1][type]': 'embed',
      'blocks[1][url]': 'javascript:alert(1)',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('لم يُحفظ المقال');
    expect(res.body).toContain('منطقة زمنية غير معروفة');
    expect(res.body).toContain('رابط غير مدعوم');
    expect(res.body).toMatch(/name="headline"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*name="headline"/);
    expect(formValues(res.body).get('blocks[0][text]')).toBe('نص كتبه الكاتب ولا يضيع');
  });

  it('moves, removes and adds blocks with plain submit buttons, without saving', async () => {
    const base = { headline: 'ترتيب', 'blocks[0][type]': 'paragraph', 'blocks[0][text]': 'أ', 'blocks[1][type]': 'subheading', 'blocks[1][text]': 'ب' };
    const up = formValues((await t.post('/newsroom/articles', { ...base, op: 'up:1' })).body);
    expect([up.get('blocks[0][text]'), up.get('blocks[1][text]')]).toEqual(['ب', 'أ']);
    const removed = formValues((await t.post('/newsroom/articles', { ...base, op: 'remove:0' })).body);
    expect(removed.get('blocks[0][text]')).toBe('ب');
    expect(removed.has('blocks[1][text]')).toBe(false);
    const added = await t.post('/newsroom/articles', { ...base, op: 'add', addType: 'quote' });
    expect(added.statusCode).toBe(200);
    expect(formValues(added.body).get('blocks[2][type]')).toBe('quote');
    const list = await t.get('/newsroom/articles');
    expect(list.body).not.toContain('ترتيب');
  });

  it('autosaves JSON posted with the CSRF header, and answers JSON', async () => {
    const id = await t.create();
    const url = `/newsroom/articles/${id}`;
    const json = (payload: object, csrf = t.editor.csrf) =>
      t.app.inject({ method: 'POST', url, headers: { cookie: t.editor.cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload });
    const ok = await json({ ...minimal, headline: 'عنوان محفوظ تلقائياً' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, id, status: 'draft' });
    expect(ok.json().savedAt).toMatch(/^\d\d:\d\d$/);
    const bad = await json({ ...minimal, headline: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ ok: false });
    expect((await json(minimal, 'forged')).statusCode).toBe(403);
  });
});

describe('pasted HTML', () => {
  const paste = (html: string, csrf = t.editor.csrf) =>
    t.app.inject({ method: 'POST', url: '/newsroom/paste', headers: { cookie: t.editor.cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: { html } });

  it('keeps paragraphs, headings, bold, italic and links, and drops scripts, styles, handlers and javascript: links', async () => {
    const html = `<html><head><style>p{color:red}</style><script>alert("head")</script></head><body>
      <!--StartFragment--><h1 onclick="steal()">عنوان <b>الخبر</b></h1>
      <p class="MsoNormal" style="color:red" onmouseover="x()"><strong>عريض</strong> و<em>مائل</em> و<a href="https://example.org/x" onclick="y()">رابط</a> و<a href="javascript:alert(1)">خبيث</a></p>
      <script>alert(1)</script><style>.x{}</style><img src="x" onerror="alert(2)"><iframe src="https://evil.example"></iframe>
      <p><span style="font-weight:700">من مستندات غوغل</span></p><ul><li>بند</li></ul><!--EndFragment--></body></html>`;
    const res = await paste(html);
    expect(res.statusCode).toBe(200);
    const text = res.body;
    for (const bad of ['script', 'style', 'alert', 'onclick', 'onmouseover', 'onerror', 'javascript:', 'iframe', 'evil', 'MsoNormal', 'color:red']) {
      expect(text, bad).not.toContain(bad);
    }
    const blocks = res.json().blocks as Record<string, unknown>[];
    expect(blocks.map((b) => b.type)).toEqual(['subheading', 'paragraph', 'paragraph', 'list']);
    expect(blocks[0]!.text).toBe('عنوان الخبر');
    expect(blocks[1]!.text).toBe('**عريض** و_مائل_ و[رابط](https://example.org/x) وخبيث');
    expect(blocks[2]!.text).toBe('**من مستندات غوغل**');
    expect(blocks[3]!.items).toBe('بند');
  });

  it('needs the CSRF token and a signed-in user', async () => {
    expect((await paste('<p>x</p>', 'wrong')).statusCode).toBe(403);
    const anon = await t.app.inject({ method: 'POST', url: '/newsroom/paste', payload: { html: '<p>x</p>' } });
    expect([303, 401, 403]).toContain(anon.statusCode);
  });
});
