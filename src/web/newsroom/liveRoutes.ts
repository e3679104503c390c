import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { LiveCoverage } from '../../domain/live.js';
import { hasRole } from '../../domain/user.js';
import type { Services } from '../../services/index.js';
import { requireRole } from './auth.js';
import { textToBlocks } from './liveText.js';
import { doneMessage, newsroomContext, seeOther, sendNewsroomPage } from './page.js';
import { MessageView } from './views/layout.js';
import { LiveConsolePage, renderConsoleEntry, type ConsoleViewer, type LiveConsoleProps } from './views/liveConsole.js';
import { LiveListPage, type CoverageFields } from './views/liveList.js';
import { isDatabaseUnavailable, sendUnavailable } from '../unavailable.js';

const CONSOLE_PAGE_SIZE = 50;
const DONE = {
  created: 'بدأت التغطية. انشر أول مدخل.',
  posted: 'نُشر المدخل.',
  edited: 'حُفظ التعديل.',
  flagged: 'تغيّرت علامة المدخل.',
  deleted: 'حُذف المدخل.',
  ended: 'انتهت التغطية.',
};

const Id = z.string().regex(/^[1-9]\d{0,9}$/).transform(Number).pipe(z.number().max(2 ** 31));
// No length cap here: the body limit bounds it, and textToBlocks refuses an oversized entry with 413.
const text = z.string().default('');
const checkbox = z.string().optional().transform((v) => v === '1' || v === 'on');
const CreateForm = z.object({ title: text, summary: text, streamUrl: text, city: text, timeZone: text });
const EntryForm = z.object({ text, keyEvent: checkbox, pinned: checkbox });
const FlagForm = z.object({ keyEvent: z.enum(['0', '1']).optional(), pinned: z.enum(['0', '1']).optional() });

/** Fields of an urlencoded form, or a clear 400 for anything else (a JSON body, a repeated field). */
function formOf<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw new ValidationError('بيانات النموذج غير صالحة');
  return r.data;
}

function idOf(raw: string | undefined, what: 'coverage' | 'entry'): number {
  const r = Id.safeParse(raw);
  if (!r.success) throw new NotFoundError(what === 'coverage' ? 'التغطية غير موجودة' : 'المدخل غير موجود');
  return r.data;
}

const statusOf = (e: unknown) =>
  e instanceof ForbiddenError ? 403 : e instanceof NotFoundError ? 404 : e instanceof ConflictError ? 409 : e instanceof ValidationError ? ((e as { statusCode?: number }).statusCode ?? 400) : null;

type Params = { Params: { id: string; entryId?: string } };

/**
 * `/newsroom/live`: the coverages and the live console. Plain forms that post and answer 303
 * back to the console, so everything works without JavaScript; `liveConsole.js` adds
 * Ctrl+Enter posting through the API and other editors' entries as they arrive.
 */
export async function liveRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const { live, liveReader, config } = services;
  const timeZones = Intl.supportedValuesOf('timeZone');
  const newFields = (): CoverageFields => ({ title: '', summary: '', streamUrl: '', city: config.city, timeZone: config.timeZone });

  app.addHook('preHandler', requireRole('contributor'));
  // What no route caught (a body over the size limit, a bad parameter): an Arabic page, never JSON or a 500.
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ err }, 'database unavailable');
      return sendUnavailable(services.config, req, reply);
    }
    const status = statusOf(err) ?? (err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500);
    if (status >= 500) req.log.error({ err }, 'live console request failed');
    const known = statusOf(err) != null;
    const message = known ? err.message : status === 413 ? 'الطلب أكبر من المسموح: اختصر المدخل.' : status >= 500 ? 'حدث خطأ في الخادم' : 'طلب غير صالح';
    const title = status === 404 ? 'غير موجود' : status === 413 ? 'المدخل أطول من المسموح' : 'تعذّر تنفيذ الطلب';
    return sendNewsroomPage(reply, MessageView, { ctx: newsroomContext(req, services), title, message, back: '/newsroom/live' }, status);
  });

  const viewerOf = (req: FastifyRequest): ConsoleViewer => ({ userId: req.actor.user!.id, isEditor: hasRole(req.actor.user, 'editor'), csrfToken: req.csrfToken });

  async function coverageOf(raw: string): Promise<LiveCoverage> {
    const c = await live.getCoverage(idOf(raw, 'coverage'));
    if (!c) throw new NotFoundError('التغطية غير موجودة');
    return c;
  }

  async function renderList(req: FastifyRequest, reply: FastifyReply, o: { fields?: CoverageFields; error?: string; status?: number } = {}) {
    const { running, ended } = await liveReader.list();
    return sendNewsroomPage(
      reply,
      LiveListPage,
      { ctx: newsroomContext(req, services), coverages: [...running, ...ended], canCreate: hasRole(req.actor.user, 'editor'), fields: o.fields ?? newFields(), timeZones, error: o.error ?? null, done: doneMessage(req, DONE) },
      o.status ?? 200,
    );
  }

  async function renderConsole(req: FastifyRequest, reply: FastifyReply, coverageId: number, o: { error?: string; status?: number; draft?: LiveConsoleProps['draft']; before?: number } = {}) {
    // The counter is read before the entries: an entry committed in between is then also replayed
    // by the stream from this id, and the script's replace-by-id makes the repeat harmless.
    const coverage = await live.getCoverage(coverageId);
    if (!coverage) throw new NotFoundError('التغطية غير موجودة');
    const page = await live.entries(coverage.id, { before: o.before, limit: CONSOLE_PAGE_SIZE + 1 });
    const entries = page.slice(0, CONSOLE_PAGE_SIZE);
    return sendNewsroomPage(
      reply,
      LiveConsolePage,
      {
        ctx: newsroomContext(req, services),
        coverage,
        entries,
        entryCtx: await liveReader.context(entries),
        olderBefore: page.length > CONSOLE_PAGE_SIZE ? entries.at(-1)!.id : null,
        viewer: viewerOf(req),
        done: o.error ? null : doneMessage(req, DONE),
        error: o.error ?? null,
        draft: o.draft ?? null,
      },
      o.status ?? 200,
    );
  }

  /**
   * Runs one change from a console form: 303 back to the console on success; a refusal the
   * service explains (403, 404, 409, 413, 400) shows the console again with the reason and
   * what was typed.
   */
  async function change(req: FastifyRequest, reply: FastifyReply, coverageId: number, step: () => Promise<string>, draft?: LiveConsoleProps['draft']) {
    let location: string;
    try {
      location = await step();
    } catch (e) {
      const status = statusOf(e);
      if (status == null) throw e;
      if (e instanceof NotFoundError && !(await live.getCoverage(coverageId))) throw e;
      return renderConsole(req, reply, coverageId, { error: (e as Error).message, status, draft });
    }
    return seeOther(reply, location);
  }

  app.get('/newsroom/live', (req, reply) => renderList(req, reply));

  app.post('/newsroom/live', async (req, reply) => {
    const f = formOf(CreateForm, req.body);
    try {
      const c = await live.createCoverage(req.actor, {
        title: f.title,
        ...(f.summary.trim() ? { summary: f.summary } : {}),
        ...(f.streamUrl.trim() ? { streamUrl: f.streamUrl } : {}),
        ...(f.city.trim() ? { city: f.city } : {}),
        ...(f.timeZone ? { timeZone: f.timeZone } : {}),
      });
      return seeOther(reply, `/newsroom/live/${c.id}?ok=created`);
    } catch (e) {
      const status = statusOf(e);
      if (status == null) throw e;
      const v = e as ValidationError;
      return renderList(req, reply, { fields: f, error: v.issues?.[0]?.message ?? v.message, status });
    }
  });

  app.get<Params>('/newsroom/live/:id', async (req, reply) => {
    const before = (req.query as { before?: string }).before;
    return renderConsole(req, reply, idOf(req.params.id, 'coverage'), { before: before ? idOf(before, 'entry') : undefined });
  });

  // One entry with the viewer's controls, for the console script (the stream's HTML is the readers').
  app.get<Params>('/newsroom/live/:id/entries/:entryId', async (req, reply) => {
    const coverage = await coverageOf(req.params.id);
    const entryId = idOf(req.params.entryId, 'entry');
    const [entry] = await live.entries(coverage.id, { before: entryId + 1, limit: 1 });
    if (!entry || entry.id !== entryId) throw new NotFoundError('المدخل غير موجود');
    const html = renderConsoleEntry({ coverage, entry, entryCtx: await liveReader.context([entry]), viewer: viewerOf(req) });
    return reply.header('cache-control', 'private, no-store').type('text/html; charset=utf-8').send(html);
  });

  app.post<Params>('/newsroom/live/:id/entries', async (req, reply) => {
    const id = idOf(req.params.id, 'coverage');
    const f = formOf(EntryForm, req.body);
    return change(
      req,
      reply,
      id,
      async () => {
        const e = await live.postEntry(req.actor, id, { blocks: textToBlocks(f.text), keyEvent: f.keyEvent, ...(f.pinned ? { pinned: true } : {}) });
        return `/newsroom/live/${id}?ok=posted#entry-${e.entryId}`;
      },
      { entryId: null, text: f.text, keyEvent: f.keyEvent, pinned: f.pinned },
    );
  });

  app.post<Params>('/newsroom/live/:id/entries/:entryId/edit', async (req, reply) => {
    const id = idOf(req.params.id, 'coverage');
    const entryId = idOf(req.params.entryId, 'entry');
    const f = formOf(EntryForm, req.body);
    return change(
      req,
      reply,
      id,
      async () => {
        await live.editEntry(req.actor, id, entryId, { blocks: textToBlocks(f.text) });
        return `/newsroom/live/${id}?ok=edited#entry-${entryId}`;
      },
      { entryId, text: f.text },
    );
  });

  app.post<Params>('/newsroom/live/:id/entries/:entryId/flags', async (req, reply) => {
    const id = idOf(req.params.id, 'coverage');
    const entryId = idOf(req.params.entryId, 'entry');
    const f = formOf(FlagForm, req.body);
    return change(req, reply, id, async () => {
      const flags = { ...(f.keyEvent ? { keyEvent: f.keyEvent === '1' } : {}), ...(f.pinned ? { pinned: f.pinned === '1' } : {}) };
      await live.setFlags(req.actor, id, entryId, flags);
      return `/newsroom/live/${id}?ok=flagged#entry-${entryId}`;
    });
  });

  app.post<Params>('/newsroom/live/:id/entries/:entryId/delete', async (req, reply) => {
    const id = idOf(req.params.id, 'coverage');
    const entryId = idOf(req.params.entryId, 'entry');
    return change(req, reply, id, async () => {
      await live.deleteEntry(req.actor, id, entryId);
      return `/newsroom/live/${id}?ok=deleted`;
    });
  });

  app.post<Params>('/newsroom/live/:id/end', async (req, reply) => {
    const id = idOf(req.params.id, 'coverage');
    return change(req, reply, id, async () => {
      await live.endCoverage(req.actor, id);
      return `/newsroom/live/${id}?ok=ended`;
    });
  });
}
