import type {} from '@fastify/swagger'; // summary, tags and security in route schemas
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ARTICLE_STATUSES, ArticleInputSchema, articlePath, type Article } from '../../domain/article.js';
import { ValidationError } from '../../domain/errors.js';
import { listNewsroomArticles } from '../../services/articleList.js';
import type { Services } from '../../services/index.js';
import { validate } from '../../services/validate.js';
import { requireRole } from '../newsroom/auth.js';
import { editableContent } from './content.js';

const IdParams = z.object({ id: z.coerce.number().int().positive().max(2 ** 31) });
const RevisionParams = IdParams.extend({ n: z.coerce.number().int().positive().max(2 ** 31) });
const ListQuery = z.object({
  status: z.enum(ARTICLE_STATUSES).optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
});
const DiffQuery = z.object({ from: z.coerce.number().int().positive(), to: z.coerce.number().int().positive() });
const ScheduleBody = z.object({ at: z.string() });
// A PATCH names only the fields it changes; the merged whole is validated by the service.
const PatchBody = z.record(z.string(), z.unknown()).refine((o) => !('status' in o), 'status changes through /submit, /publish, /schedule, /unpublish');

const PUBLIC_ARTICLE_SCHEMA = z.toJSONSchema(ArticleInputSchema, { io: 'input', unrepresentable: 'any' });

export function articleJson(services: Services, a: Article) {
  return { ...a, url: services.config.baseUrl + articlePath(a) };
}

const tag = { tags: ['articles'], security: [{ bearer: [] }] };

/** The editor's operations over JSON: the same workflow service, the same rules. */
export async function articleApi(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const wf = services.workflow;
  const contributor = { preHandler: requireRole('contributor') };
  const id = (params: unknown) => validate(IdParams, params, 'path').id;
  const json = (a: Article) => articleJson(services, a);

  app.get('/articles', { ...contributor, schema: { ...tag, summary: 'List articles the caller may see' } }, async (req) => {
    const q = validate(ListQuery, req.query, 'query');
    const page = await listNewsroomArticles(services.store, req.actor, q);
    return { items: page.items.map((a) => ({ ...a, url: services.config.baseUrl + articlePath(a) })), page: q.page, hasMore: page.hasMore };
  });

  app.post('/articles', { ...contributor, schema: { ...tag, summary: 'Create a draft', body: PUBLIC_ARTICLE_SCHEMA } }, async (req, reply) => {
    if (typeof req.body !== 'object' || req.body === null) throw new ValidationError('body: a JSON object is required');
    const a = await wf.create(req.actor, req.body as z.input<typeof ArticleInputSchema>);
    return reply.code(201).header('location', `/api/v1/articles/${a.id}`).send(json(a));
  });

  app.get('/articles/:id', { ...contributor, schema: { ...tag, summary: 'One article, any status' } }, async (req) =>
    json(await wf.get(req.actor, id(req.params))),
  );

  app.patch('/articles/:id', { ...contributor, schema: { ...tag, summary: 'Save changed fields as a new revision (staged when live)' } }, async (req) => {
    const articleId = id(req.params);
    const patch = validate(PatchBody, req.body, 'body');
    const base = await editableContent(services, req.actor, articleId);
    const r = await wf.save(req.actor, articleId, { ...base, ...patch } as typeof base);
    return { article: json(r.article), revision: r.revision, staged: r.staged };
  });

  app.delete('/articles/:id', { ...contributor, schema: { ...tag, summary: 'Delete (editors)' } }, async (req, reply) => {
    await wf.delete(req.actor, id(req.params));
    return reply.code(204).send();
  });

  for (const step of ['submit', 'publish', 'unpublish', 'update'] as const) {
    app.post(`/articles/:id/${step}`, { ...contributor, schema: { ...tag, summary: `Workflow: ${step}` } }, async (req) =>
      json(await wf[step](req.actor, id(req.params))),
    );
  }

  app.post('/articles/:id/schedule', { ...contributor, schema: { ...tag, summary: 'Schedule publication at a future instant', body: z.toJSONSchema(ScheduleBody) } }, async (req) => {
    const { at } = validate(ScheduleBody, req.body, 'body');
    return json(await wf.schedule(req.actor, id(req.params), at));
  });

  app.get('/articles/:id/revisions', { ...contributor, schema: { ...tag, summary: 'Revisions, newest first' } }, async (req) => ({
    items: await wf.revisions(req.actor, id(req.params)),
  }));

  app.get('/articles/:id/revisions/:n', { ...contributor, schema: { ...tag, summary: 'One revision with its content' } }, async (req) => {
    const p = validate(RevisionParams, req.params, 'path');
    return wf.revision(req.actor, p.id, p.n);
  });

  app.post('/articles/:id/revisions/:n/restore', { ...contributor, schema: { ...tag, summary: 'Restore as a new revision' } }, async (req) => {
    const p = validate(RevisionParams, req.params, 'path');
    const r = await wf.restore(req.actor, p.id, p.n);
    return { article: json(r.article), revision: r.revision, staged: r.staged };
  });

  app.get('/articles/:id/diff', { ...contributor, schema: { ...tag, summary: 'Word-level diff between two revisions' } }, async (req) => {
    const q = validate(DiffQuery, req.query, 'query');
    return wf.diff(req.actor, id(req.params), q.from, q.to);
  });
}
