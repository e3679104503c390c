import type {} from '@fastify/swagger'; // summary, tags and security in route schemas
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CoverageInputSchema, LIVE_STATUSES, type LiveCoverage, type LiveEntry, type LiveEvent } from '../../domain/live.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { validate } from '../../services/validate.js';
import { requireRole } from '../newsroom/auth.js';
import { textToBlocks } from '../newsroom/liveText.js';

const Id = z.coerce.number().int().positive().max(2 ** 31);
const CoverageParams = z.object({ id: Id });
const EntryParams = z.object({ id: Id, entryId: Id });
const ListQuery = z.object({ status: z.enum(LIVE_STATUSES).optional(), limit: z.coerce.number().int().min(1).max(200).optional() });
const EntriesQuery = z.object({ before: Id.optional(), limit: z.coerce.number().int().min(1).max(100).default(20) });

/** Documentation only: the service validates with the real zod schemas (`domain/live.ts`). */
const ENTRY_BODY = {
  type: 'object',
  description: '`blocks` (the article block model, at most 30 blocks and 20,000 characters) or `text` (one paragraph)',
  properties: {
    blocks: { type: 'array', items: { type: 'object' } },
    text: { type: 'string' },
    markup: { type: 'string', description: "the console's text syntax (blank lines between blocks, a lone URL an embed, `> ` a quote…; docs/live.md)" },
    keyEvent: { type: 'boolean' },
    pinned: { type: 'boolean', description: 'editors only' },
  },
};
const COVERAGE_BODY = z.toJSONSchema(CoverageInputSchema, { io: 'input', unrepresentable: 'any' });

const tag = { tags: ['live'], security: [{ bearer: [] }] };

/** `/api/v1/live`: live coverage for newsroom tools, over the same LiveService as the console. */
export async function liveApi(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const live = services.live;
  const contributor = { preHandler: requireRole('contributor') };
  const coverageUrl = (c: Pick<LiveCoverage, 'slug'>) => `${services.config.baseUrl}/live/${encodeURIComponent(c.slug)}`;
  const coverageJson = (c: LiveCoverage) => ({ ...c, url: coverageUrl(c) });
  /** What a write answers: the entry as committed, and the event id the stream will carry it under. */
  const entryResult = (e: LiveEvent) => ({ id: e.entryId, eventId: e.eventId, entry: e.payload.entry as LiveEntry });
  const object = (body: unknown): Record<string, unknown> => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body: a JSON object is required');
    return body as Record<string, unknown>;
  };
  /**
   * An entry body: `{blocks}` or `{text}` as the service takes them, or `{markup}`, the console's
   * compose syntax, turned into blocks here by the same function as the no-JS form, so the
   * console script need not carry a second parser.
   */
  const entryInput = (body: unknown): Record<string, unknown> => {
    const { markup, ...rest } = object(body);
    if (markup === undefined) return rest;
    if (typeof markup !== 'string') throw new ValidationError('markup: نص مطلوب');
    if ('blocks' in rest || 'text' in rest) throw new ValidationError('أرسل blocks أو text أو markup، واحداً منها');
    return { ...rest, blocks: textToBlocks(markup) };
  };

  app.post('/live', { ...contributor, schema: { ...tag, summary: 'Open a live coverage (editors)', body: COVERAGE_BODY } }, async (req, reply) => {
    const c = await live.createCoverage(req.actor, object(req.body) as z.input<typeof CoverageInputSchema>);
    return reply.code(201).header('location', `/api/v1/live/${c.id}`).send({ id: c.id, slug: c.slug, url: coverageUrl(c) });
  });

  app.get('/live', { ...contributor, schema: { ...tag, summary: 'Coverages, newest first' } }, async (req) => {
    const q = validate(ListQuery, req.query ?? {}, 'query');
    return { items: (await live.listCoverages(q)).map(coverageJson) };
  });

  app.get('/live/:id', { ...contributor, schema: { ...tag, summary: 'A coverage and its latest entries (newest first; `before` pages back)' } }, async (req) => {
    const { id } = validate(CoverageParams, req.params, 'path');
    const q = validate(EntriesQuery, req.query ?? {}, 'query');
    const coverage = await live.getCoverage(id);
    if (!coverage) throw new NotFoundError('التغطية غير موجودة');
    const page = await live.entries(id, { before: q.before, limit: q.limit + 1 });
    const entries = page.slice(0, q.limit);
    return { coverage: coverageJson(coverage), entries, olderBefore: page.length > q.limit ? entries.at(-1)!.id : null };
  });

  app.post('/live/:id/entries', { ...contributor, schema: { ...tag, summary: 'Post an entry', body: ENTRY_BODY } }, async (req, reply) => {
    const { id } = validate(CoverageParams, req.params, 'path');
    const event = await live.postEntry(req.actor, id, entryInput(req.body) as never);
    return reply.code(201).header('location', `/api/v1/live/${id}#entry-${event.entryId}`).send(entryResult(event));
  });

  // Blocks or text replace the entry (a correction, `editedAt` set); flags alone only re-flag it.
  app.patch('/live/:id/entries/:entryId', { ...contributor, schema: { ...tag, summary: 'Edit an entry, or change only its flags', body: ENTRY_BODY } }, async (req) => {
    const p = validate(EntryParams, req.params, 'path');
    const body = entryInput(req.body);
    const event = 'blocks' in body || 'text' in body ? await live.editEntry(req.actor, p.id, p.entryId, body as never) : await live.setFlags(req.actor, p.id, p.entryId, body as never);
    return entryResult(event);
  });

  // 200 with the event id rather than 204: a client dedupes the stream's copy of its own change by it.
  app.delete('/live/:id/entries/:entryId', { ...contributor, schema: { ...tag, summary: 'Delete an entry (soft; readers get entry.deleted)' } }, async (req) => {
    const p = validate(EntryParams, req.params, 'path');
    return { eventId: (await live.deleteEntry(req.actor, p.id, p.entryId)).eventId };
  });

  app.post('/live/:id/end', { ...contributor, schema: { ...tag, summary: 'End the coverage (editors); it is frozen afterwards' } }, async (req) => {
    const { id } = validate(CoverageParams, req.params, 'path');
    const event = await live.endCoverage(req.actor, id);
    return { eventId: event.eventId, endedAt: event.payload.endedAt as string };
  });
}
