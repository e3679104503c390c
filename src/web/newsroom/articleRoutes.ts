import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ARTICLE_STATUSES, articlePath, type Article, type ArticleStatus } from '../../domain/article.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { formatNewsTime } from '../../domain/time.js';
import { hasRole } from '../../domain/user.js';
import { listNewsroomArticles } from '../../services/articleList.js';
import type { Services } from '../../services/index.js';
import { assetUrl } from '../reader/assets.js';
import { articleToFields, blockToFields, newArticleFields } from './articleFields.js';
import { emptyBlock, fieldsToInput, fromLocalInput, readFields, type ArticleFields, type FieldErrors } from './articleForm.js';
import { applyBlockOp, readEditorPost, resolveMedia, serviceErrors, type EditorPost } from './articleRequest.js';
import { EDITOR_BODY_LIMIT, setUpEditorScope } from './editorScope.js';
import { newsroomContext, seeOther, sendNewsroomPage } from './page.js';
import { htmlToBlocks, MAX_PASTE_CHARS } from '../../ingest/html/htmlToBlocks.js';
import { renderPreview, workingCopy } from './preview.js';
import { bodyWords } from './views/stats.js';
import { ArticleListPage, EditorPage, RevisionsPage } from './views/pages.js';

type IdParams = { Params: { id: string } };
const STEPS = ['submit', 'publish', 'schedule', 'unpublish', 'update', 'delete'] as const;
type Step = (typeof STEPS)[number];
/** Steps that first save what the form holds (the buttons sit in the editor form). */
const SAVE_FIRST: readonly Step[] = ['submit', 'publish', 'schedule', 'update'];
const DONE: Record<string, string> = {
  created: 'أُنشئ المقال وحُفظ.',
  saved: 'حُفظ المقال.',
  staged: 'حُفظ التعديل، ويظهر للقراء بعد تطبيقه.',
  submit: 'أُرسل المقال إلى المراجعة.',
  publish: 'نُشر المقال.',
  schedule: 'جُدول نشر المقال.',
  unpublish: 'أُلغي نشر المقال.',
  update: 'طُبّقت التعديلات على الصفحة المنشورة.',
  restored: 'استُعيدت النسخة في نسخة جديدة.',
  delete: 'حُذف المقال.',
};
/** Blank slots under the body, so a writer without JavaScript can add blocks without a round trip. */
const SPARE_SLOTS = 2;

function parseId(raw: string): number {
  if (!/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > 2 ** 31) throw new NotFoundError('المقال غير موجود');
  return Number(raw);
}
const query = (req: FastifyRequest) => req.query as Record<string, string | undefined>;
const notice = (req: FastifyRequest) => DONE[query(req).done ?? ''] ?? null;

export async function articleRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const { config } = services;
  const defaults = { city: config.city, timeZone: config.timeZone, section: config.defaultSection };
  const timeZones = Intl.supportedValuesOf('timeZone');

  await setUpEditorScope(app, services);

  async function renderEditor(req: FastifyRequest, reply: FastifyReply, o: { article: Article | null; fields: ArticleFields; errors?: FieldErrors; notice?: string | null; status?: number }) {
    const sections = (await services.reader.sections()).map((s) => s.name);
    if (!sections.includes(defaults.section)) sections.push(defaults.section);
    const leadId = Number(o.fields.leadMediaId);
    const leadMedia = Number.isInteger(leadId) && leadId > 0 ? ((await services.media.get(leadId)) ?? null) : null;
    const a = o.article;
    return sendNewsroomPage(
      reply,
      EditorPage,
      {
        ctx: newsroomContext(req, services),
        article: a && { id: a.id, status: a.status, publicPath: articlePath(a), hasStagedEdit: a.stagedRevisionId != null, scheduledAt: a.scheduledAt },
        fields: o.fields,
        errors: o.errors ?? {},
        notice: o.notice ?? null,
        csrfToken: req.csrfToken,
        sections,
        timeZones,
        leadMedia,
        canPublish: hasRole(req.actor.user, 'editor'),
        words: bodyWords(o.fields),
      },
      o.status ?? 200,
    );
  }

  const savedText = () => formatNewsTime(new Date().toISOString(), config.timeZone).split(' | ')[1]!;

  /**
   * The editor form posted to create or save. Returns the saved article, or null when the reply
   * has been sent (rearranged blocks, validation errors, the autosave's JSON answer).
   */
  async function saveFromPost(req: FastifyRequest, reply: FastifyReply, post: EditorPost, existing: Article | null): Promise<Article | null> {
    const fields = readFields(post.form);
    const opNotice = post.json ? null : applyBlockOp(fields, post.form);
    const { errors: mediaErrors, uploaded } = await resolveMedia(services, req.actor, fields, post.files);
    if (opNotice) {
      await renderEditor(req, reply, { article: existing, fields, errors: mediaErrors, notice: opNotice });
      return null;
    }
    const parsed = fieldsToInput(fields, defaults);
    let errors: FieldErrors = { ...mediaErrors, ...(parsed.ok ? {} : parsed.errors) };
    if (parsed.ok && !Object.keys(errors).length) {
      try {
        const article = existing ? (await services.workflow.save(req.actor, existing.id, parsed.input)).article : await services.workflow.create(req.actor, parsed.input);
        if (post.json) {
          const staged = article.stagedRevisionId != null;
          void reply.send({ ok: true, uploaded, id: article.id, action: `/newsroom/articles/${article.id}`, editUrl: `/newsroom/articles/${article.id}/edit`, status: article.status, staged, savedAt: savedText() });
          return null;
        }
        return article;
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        errors = serviceErrors(e);
      }
    }
    if (post.json) {
      void reply.code(400).send({ ok: false, error: Object.values(errors)[0] ?? 'تعذّر الحفظ', errors, uploaded });
      return null;
    }
    await renderEditor(req, reply, { article: existing, fields, errors, status: 400 });
    return null;
  }

  app.get('/newsroom/articles', async (req, reply) => {
    const q = query(req);
    const status = (ARTICLE_STATUSES as readonly string[]).includes(q.status ?? '') ? (q.status as ArticleStatus) : null;
    const page = /^[1-9]\d{0,3}$/.test(q.page ?? '') ? Number(q.page) : 1;
    const { items, hasMore } = await listNewsroomArticles(services.store, req.actor, { ...(status ? { status } : {}), page });
    return sendNewsroomPage(reply, ArticleListPage, { ctx: newsroomContext(req, services), items, status, page, hasMore, notice: notice(req) });
  });

  app.get('/newsroom/articles/new', (req, reply) => renderEditor(req, reply, { article: null, fields: newArticleFields(defaults) }));

  app.post('/newsroom/articles', { bodyLimit: EDITOR_BODY_LIMIT }, async (req, reply) => {
    const article = await saveFromPost(req, reply, await readEditorPost(req), null);
    if (article) return seeOther(reply, `/newsroom/articles/${article.id}/edit?done=created`);
    return reply;
  });

  app.get<IdParams>('/newsroom/articles/:id/edit', async (req, reply) => {
    const { article, staged } = await workingCopy(services, req.actor, parseId(req.params.id));
    const fields = articleToFields(staged ?? article);
    for (let i = 0; i < SPARE_SLOTS; i++) fields.blocks.push(emptyBlock());
    return renderEditor(req, reply, { article, fields, notice: notice(req) });
  });

  app.post<IdParams>('/newsroom/articles/:id', { bodyLimit: EDITOR_BODY_LIMIT }, async (req, reply) => {
    const existing = await services.workflow.get(req.actor, parseId(req.params.id));
    const post = await readEditorPost(req);
    const saved = await saveFromPost(req, reply, post, existing);
    if (!saved) return reply;
    if (post.form.op === 'preview') return seeOther(reply, `/newsroom/articles/${saved.id}/preview`);
    return seeOther(reply, `/newsroom/articles/${saved.id}/edit?done=${saved.stagedRevisionId != null ? 'staged' : 'saved'}`);
  });

  for (const step of STEPS) {
    app.post<IdParams>(`/newsroom/articles/:id/${step}`, { bodyLimit: EDITOR_BODY_LIMIT }, async (req, reply) => {
      const id = parseId(req.params.id);
      let article = await services.workflow.get(req.actor, id);
      const post = await readEditorPost(req);
      if (SAVE_FIRST.includes(step) && 'headline' in post.form) {
        const saved = await saveFromPost(req, reply, { ...post, json: false }, article);
        if (!saved) return reply;
        article = saved;
      }
      try {
        if (step === 'delete') {
          await services.workflow.delete(req.actor, id);
          return seeOther(reply, '/newsroom/articles?done=delete');
        }
        if (step === 'schedule') {
          const raw = typeof post.form.scheduleAt === 'string' ? post.form.scheduleAt : '';
          const at = fromLocalInput(raw, article.timeZone);
          if (!at) throw new ValidationError('حدّد موعد الجدولة (التاريخ والساعة)');
          await services.workflow.schedule(req.actor, id, at);
        } else await services.workflow[step](req.actor, id);
      } catch (e) {
        // A refused step shows the editor again with the reason, not a dead-end page.
        if (!(e instanceof ValidationError || e instanceof ConflictError)) throw e;
        const { article: current, staged } = await workingCopy(services, req.actor, id);
        return renderEditor(req, reply, { article: current, fields: articleToFields(staged ?? current), errors: { form: e.message }, status: e instanceof ConflictError ? 409 : 400 });
      }
      return seeOther(reply, `/newsroom/articles/${id}/edit?done=${step}`);
    });
  }

  app.post<IdParams>('/newsroom/articles/:id/restore', async (req, reply) => {
    const id = parseId(req.params.id);
    const { form } = await readEditorPost(req);
    const n = typeof form.number === 'string' && /^[1-9]\d{0,6}$/.test(form.number) ? Number(form.number) : null;
    if (n == null) throw new ValidationError('رقم النسخة غير صالح');
    await services.workflow.restore(req.actor, id, n);
    return seeOther(reply, `/newsroom/articles/${id}/edit?done=restored`);
  });

  app.get<IdParams>('/newsroom/articles/:id/preview', async (req, reply) => {
    const { article, staged } = await workingCopy(services, req.actor, parseId(req.params.id));
    const html = await renderPreview(services, staged ?? article, assetUrl('editor.css'));
    return reply.header('x-robots-tag', 'noindex, nofollow').type('text/html; charset=utf-8').send(html);
  });

  app.get<IdParams>('/newsroom/articles/:id/revisions', async (req, reply) => {
    const id = parseId(req.params.id);
    const article = await services.workflow.get(req.actor, id);
    const revisions = await services.workflow.revisions(req.actor, id);
    const q = query(req);
    const num = (s: string | undefined) => (s && /^[1-9]\d{0,6}$/.test(s) ? Number(s) : null);
    const from = num(q.from);
    const to = num(q.to);
    const diff = from != null && to != null ? await services.workflow.diff(req.actor, id, from, to) : null;
    return sendNewsroomPage(reply, RevisionsPage, {
      ctx: newsroomContext(req, services),
      article,
      revisions,
      diff: diff && { from: diff.from.number, to: diff.to.number, fields: diff.fields },
      csrfToken: req.csrfToken,
      notice: notice(req),
    });
  });

  // The paste handler in editor.ts sends the clipboard's HTML here: sanitising stays on the
  // server, with one allow-list for every browser.
  app.post('/newsroom/paste', { bodyLimit: MAX_PASTE_CHARS * 4 }, async (req, reply) => {
    const html = (req.body as { html?: unknown } | null)?.html;
    if (typeof html !== 'string') throw new ValidationError('أرسل HTML في الحقل html');
    return reply.send({ blocks: htmlToBlocks(html).map(blockToFields) });
  });
}

