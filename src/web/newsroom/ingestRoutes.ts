import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { requireRole } from './auth.js';
import { doneMessage, newsroomContext, seeOther, sendNewsroomPage } from './page.js';
import { IngestPage, type SourceFields } from './views/ingest.js';
import { MessageView } from './views/layout.js';

const DONE = {
  added: 'أُضيف المصدر، وسيُجلب خلال ثوانٍ.',
  removed: 'حُذف المصدر.',
  dismissed: 'تُجوهل الخبر.',
};

const Id = z.string().regex(/^[1-9]\d{0,9}$/).transform(Number).pipe(z.number().max(2 ** 31));
const text = z.string().default('');
const SourceForm = z.object({ name: text, url: text, section: text, every: text });

const statusOf = (e: unknown) =>
  e instanceof ForbiddenError ? 403 : e instanceof NotFoundError ? 404 : e instanceof ConflictError ? 409 : e instanceof ValidationError ? 400 : null;

type Params = { Params: { id: string } };

function idOf(raw: string, what: string): number {
  const r = Id.safeParse(raw);
  if (!r.success) throw new NotFoundError(`${what} غير موجود`);
  return r.data;
}

/**
 * `/newsroom/ingest`: feed sources and the incoming queue. Editors only — what wire copy becomes
 * a story, and which outside addresses the server fetches, are editorial decisions
 * (docs/ingest.md). Plain forms answering 303, so everything works without JavaScript.
 */
export async function ingestRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const { ingest } = services;
  const newFields = (): SourceFields => ({ name: '', url: '', section: '', every: '5m' });

  app.addHook('preHandler', requireRole('editor'));
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = statusOf(err) ?? (err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500);
    if (status >= 500) req.log.error({ err }, 'ingest request failed');
    const message = statusOf(err) != null ? err.message : status >= 500 ? 'حدث خطأ في الخادم' : 'طلب غير صالح';
    return sendNewsroomPage(reply, MessageView, { ctx: newsroomContext(req, services), title: status === 404 ? 'غير موجود' : 'تعذّر تنفيذ الطلب', message, back: '/newsroom/ingest' }, status);
  });

  async function render(req: FastifyRequest, reply: FastifyReply, o: { fields?: SourceFields; error?: string; status?: number } = {}) {
    const [sources, items] = await Promise.all([ingest.sources(req.actor), ingest.queue(req.actor, { limit: 100 })]);
    return sendNewsroomPage(
      reply,
      IngestPage,
      { ctx: newsroomContext(req, services), sources, items, fields: o.fields ?? newFields(), error: o.error ?? null, done: o.error ? null : doneMessage(req, DONE) },
      o.status ?? 200,
    );
  }

  app.get('/newsroom/ingest', (req, reply) => render(req, reply));

  app.post('/newsroom/ingest/sources', async (req, reply) => {
    const r = SourceForm.safeParse(req.body ?? {});
    if (!r.success) throw new ValidationError('بيانات النموذج غير صالحة');
    const f = r.data;
    try {
      await ingest.addSource(req.actor, { name: f.name, url: f.url, ...(f.section.trim() ? { section: f.section } : {}), ...(f.every.trim() ? { every: f.every } : {}) });
    } catch (e) {
      const status = statusOf(e);
      if (status == null) throw e;
      // parseEvery speaks to the terminal; the form says it in Arabic.
      const message = /interval/.test((e as Error).message) ? 'فاصل غير صالح: رقم ووحدة بين 1m و24h، مثل 5m أو 1h' : (e as Error).message;
      return render(req, reply, { fields: f, error: message, status });
    }
    return seeOther(reply, '/newsroom/ingest?ok=added');
  });

  app.post<Params>('/newsroom/ingest/sources/:id/remove', async (req, reply) => {
    await ingest.removeSource(req.actor, idOf(req.params.id, 'المصدر'));
    return seeOther(reply, '/newsroom/ingest?ok=removed');
  });

  app.post<Params>('/newsroom/ingest/items/:id/take', async (req, reply) => {
    const { articleId } = await ingest.take(req.actor, idOf(req.params.id, 'الخبر'));
    return seeOther(reply, `/newsroom/articles/${articleId}/edit`);
  });

  app.post<Params>('/newsroom/ingest/items/:id/dismiss', async (req, reply) => {
    await ingest.dismiss(req.actor, idOf(req.params.id, 'الخبر'));
    return seeOther(reply, '/newsroom/ingest?ok=dismissed');
  });
}
