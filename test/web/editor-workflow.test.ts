import { describe, expect, it } from 'vitest';
import { articlePath } from '../../src/domain/article.js';
import { formValues } from '../helpers/forms.js';
import { minimal, useEditorSite } from '../helpers/editorSite.js';

const t = useEditorSite();

describe('roles', () => {
  it('lets a contributor write and submit, but not publish (403)', async () => {
    const id = await t.create({ ...minimal, headline: 'مسودة الكاتب' }, t.writer);
    expect((await t.post(`/newsroom/articles/${id}/submit`, {}, t.writer)).statusCode).toBe(303);
    const res = await t.post(`/newsroom/articles/${id}/publish`, {}, t.writer);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('للمحررين');
    const list = await t.get('/newsroom/articles?status=in_review', t.writer);
    expect(list.body).toContain('مسودة الكاتب');
    expect(list.body).toContain('قيد المراجعة');
  });

  it("hides a contributor's draft from another contributor", async () => {
    const id = await t.create({ ...minimal, headline: 'سر الكاتب' }, t.writer);
    for (const path of ['edit', 'preview', 'revisions']) {
      expect((await t.get(`/newsroom/articles/${id}/${path}`, t.otherWriter)).statusCode, path).toBe(403);
    }
    expect((await t.post(`/newsroom/articles/${id}`, minimal, t.otherWriter)).statusCode).toBe(403);
    expect((await t.get('/newsroom/articles', t.otherWriter)).body).not.toContain('سر الكاتب');
    expect((await t.get('/newsroom/articles', t.editor)).body).toContain('سر الكاتب');
  });

  it('sends an anonymous visitor to the login page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/newsroom/articles/new' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain('/newsroom/login');
  });
});

describe('publishing from the editor', () => {
  it('previews exactly the public page, staged edits wait for "update", revisions diff and restore', async () => {
    const id = await t.create({ ...minimal, headline: 'خبر للنشر', 'blocks[1][type]': 'embed', 'blocks[1][url]': 'https://x.com/nashra/status/123' });
    const preview = await t.get(`/newsroom/articles/${id}/preview`);
    expect(preview.statusCode).toBe(200);
    expect(preview.headers['x-robots-tag']).toContain('noindex');
    expect(preview.body).toContain('<meta name="robots" content="noindex, nofollow"/>');
    expect(preview.body).toContain('class="preview-banner"');

    const published = await t.post(`/newsroom/articles/${id}/publish`, { ...minimal, headline: 'خبر للنشر', 'blocks[1][type]': 'embed', 'blocks[1][url]': 'https://x.com/nashra/status/123' });
    expect(published.statusCode).toBe(303);
    const a = (await t.site.services.reader.article(id))!.article;
    const page = await t.app.inject({ method: 'GET', url: articlePath(a) });
    expect(page.statusCode).toBe(200);
    const article = (html: string) => /<article[\s\S]*<\/article>/.exec(html)![0];
    expect(article((await t.get(`/newsroom/articles/${id}/preview`)).body)).toBe(article(page.body));
    // The embed is a link card: no third-party frame or script on our pages.
    expect(page.body).toContain('class="embed embed-x"');
    expect(page.body).not.toContain('<iframe');

    const staged = await t.post(`/newsroom/articles/${id}`, { ...minimal, headline: 'خبر للنشر بعد التعديل' });
    expect(staged.headers.location).toContain('done=staged');
    expect((await t.site.services.reader.article(id))!.article.headline).toBe('خبر للنشر');
    expect(formValues((await t.get(`/newsroom/articles/${id}/edit`)).body).get('headline')).toBe('خبر للنشر بعد التعديل');
    expect((await t.post(`/newsroom/articles/${id}/update`, {})).statusCode).toBe(303);
    expect((await t.site.services.reader.article(id))!.article.headline).toBe('خبر للنشر بعد التعديل');

    const revs = await t.get(`/newsroom/articles/${id}/revisions?from=1&to=3`);
    expect(revs.statusCode).toBe(200);
    expect(revs.body).toContain('<del>');
    expect(revs.body).toContain('<ins>');
    expect(revs.body).toContain('استعادة هذه النسخة');
    expect((await t.post(`/newsroom/articles/${id}/restore`, { number: '1' })).statusCode).toBe(303);

    expect((await t.post(`/newsroom/articles/${id}/publish`, {})).statusCode).toBe(303);
    const again = await t.post(`/newsroom/articles/${id}/publish`, {});
    expect(again.statusCode).toBe(409);
  });

  it('lists articles by status with Arabic names, privately', async () => {
    const res = await t.get('/newsroom/articles?status=published');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    for (const name of ['مسودة', 'قيد المراجعة', 'مجدول', 'منشور', 'غير منشور']) expect(res.body).toContain(name);
    expect(res.body).toContain('خبر للنشر');
    expect(res.body).not.toContain('مسودة الكاتب');
  });

  it('schedules at a time in the article zone and unpublishes', async () => {
    const id = await t.create();
    const bad = await t.post(`/newsroom/articles/${id}/schedule`, { scheduleAt: '' });
    expect(bad.statusCode).toBe(400);
    const res = await t.post(`/newsroom/articles/${id}/schedule`, { scheduleAt: '2099-01-01T09:00' });
    expect(res.statusCode).toBe(303);
    const a = await t.site.services.workflow.get(t.editorActor(), id);
    expect(a.status).toBe('scheduled');
    expect(a.scheduledAt).toBe('2099-01-01T06:00:00.000Z'); // Damascus, UTC+3
    expect((await t.post(`/newsroom/articles/${id}/unpublish`, {})).statusCode).toBe(303);
    expect((await t.post(`/newsroom/articles/${id}/delete`, {})).headers.location).toBe('/newsroom/articles?done=delete');
    expect((await t.get(`/newsroom/articles/${id}/edit`)).statusCode).toBe(404);
  });
});
