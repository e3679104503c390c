import type {} from '@fastify/compress'; // the `compress` route option's type
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveCoverage } from '../../domain/live.js';
import { LiveHub, type HubOptions } from '../../live/hub.js';
import { PREAMBLE, type LiveEventData } from '../../live/sse.js';
import type { Services } from '../../services/index.js';
import { LiveEventFormatter } from './liveEventData.js';
import { isSlugParam } from './slugParam.js';

export interface LiveStreamOptions {
  services: Services;
  /** Tuning for tests and benchmarks: buffer limit, heartbeat interval, frames kept. */
  hub?: Pick<HubOptions, 'maxBuffered' | 'heartbeatMs' | 'keepFrames'>;
}

/** Events per `/updates` answer; `more: true` asks the client to come again at once. */
export const UPDATES_PAGE = 50;
const UPDATES_CACHE_CONTROL = 'public, max-age=2, stale-while-revalidate=30';

// The hub of an app's services, for tests and benchmarks that read its stats.
const hubs = new WeakMap<Services, LiveHub>();
export const liveHubOf = (services: Services): LiveHub | undefined => hubs.get(services);

type Req = FastifyRequest<{ Params: { slug: string }; Querystring: Record<string, string | string[] | undefined> }>;

/**
 * `GET /live/:slug/events` (Server-Sent Events) and `GET /live/:slug/updates` (the polling
 * fallback), per the wire contract in docs/live.md.
 */
export async function liveStream(app: FastifyInstance, opts: LiveStreamOptions): Promise<void> {
  const { services } = opts;
  const formatter = new LiveEventFormatter(services);
  const hub = new LiveHub({
    ...opts.hub,
    bus: services.liveBus,
    source: {
      replay: (coverageId, after) => services.live.eventsAfter(coverageId, after, 500),
      format: (events) => formatter.json(events),
    },
    onError: (err, what) => app.log.error({ err }, `live hub: ${what}`),
  });
  hubs.set(services, hub);
  // preClose: before the server waits for open connections, which streams would hold forever.
  app.addHook('preClose', async () => {
    await hub.close();
    hubs.delete(services);
  });

  // HEAD would take over a socket and send nothing; EventSource never asks for it.
  app.get('/live/:slug/events', { compress: false, decompress: false, exposeHeadRoute: false }, async (req: Req, reply) => {
    if (!services.liveBus.available) {
      return reply
        .code(503)
        .header('retry-after', '5')
        .header('cache-control', 'no-store')
        .type('application/json; charset=utf-8')
        .send({ error: 'البث المباشر غير متاح الآن، أعد المحاولة بعد قليل' });
    }
    const coverage = await findCoverage(req);
    if (!coverage) return notFound(reply);
    const requested = req.headers['last-event-id'] ?? req.query.after;
    const start = requested === undefined ? coverage.lastEventId : issuedId(requested, coverage);

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as OutgoingHttpHeaders), // the security headers set by the app's onRequest hook
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      // The connection is never reused after a stream; closing it lets shutdown finish at once.
      connection: 'close',
    });
    res.write(PREAMBLE);
    hub.connect(res, { coverageId: coverage.id, lastEventId: coverage.lastEventId, ended: coverage.status === 'ended', after: start });
  });

  app.get('/live/:slug/updates', async (req: Req, reply) => {
    const coverage = await findCoverage(req);
    if (!coverage) return notFound(reply);
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'html') {
      return reply.code(400).type('application/json; charset=utf-8').send({ error: 'صيغة غير معروفة: json أو html' });
    }
    const after = req.query.after === undefined ? null : issuedId(req.query.after, coverage);
    // Everything the answer depends on; every bad `after` gets the same resync answer.
    const etag = `"${coverage.id}-${after ?? 'r'}-${coverage.lastEventId}-${coverage.status}-${format}"`;
    reply.header('cache-control', UPDATES_CACHE_CONTROL).header('etag', etag).header('vary', 'Accept-Encoding');
    if (ifNoneMatch(req.headers['if-none-match'], etag)) return reply.code(304).send();

    const answer = await updates(coverage, after);
    if (format === 'json') return reply.type('application/json; charset=utf-8').send(answer);
    return reply.type('text/html; charset=utf-8').send(updatesFragment(answer));
  });

  async function findCoverage(req: Req): Promise<LiveCoverage | null> {
    const slug = req.params.slug;
    if (!isSlugParam(slug)) return null;
    return services.liveReader.coverage(slug);
  }

  /**
   * The events after `after` up to the counter read with the coverage, so the answer matches its
   * ETag; what was committed since comes with the next poll.
   */
  async function updates(coverage: LiveCoverage, after: number | null): Promise<UpdatesAnswer> {
    const head = { id: coverage.id, slug: coverage.slug, status: coverage.status, lastEventId: coverage.lastEventId };
    if (after === null) return { coverage: head, resync: true, lastEventId: coverage.lastEventId, events: [], more: false };
    const r = await services.live.eventsAfter(coverage.id, after, UPDATES_PAGE);
    const events = r.resync ? [] : r.events.filter((e) => e.eventId <= coverage.lastEventId);
    const last = events.at(-1)?.eventId ?? after;
    return {
      coverage: head,
      resync: r.resync,
      lastEventId: r.resync ? coverage.lastEventId : last,
      events: await formatter.data(events, coverage),
      more: !r.resync && last < coverage.lastEventId,
    };
  }
}

export interface UpdatesAnswer {
  coverage: Pick<LiveCoverage, 'id' | 'slug' | 'status' | 'lastEventId'>;
  /** The `after` given is not a position this coverage issued: reload the entries. */
  resync: boolean;
  /** Ask for `after=` this next time. */
  lastEventId: number;
  events: LiveEventData[];
  /** More events wait beyond this page: poll again at once. */
  more: boolean;
}

/**
 * A position the coverage issued (0…its counter), or null: garbage, negative and ahead-of-counter
 * ids all mean the client's state cannot be trusted, and get a resync rather than an error.
 */
function issuedId(raw: string | string[] | undefined, coverage: LiveCoverage): number | null {
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw.trim())) return null;
  const n = Number(raw.trim());
  return n <= coverage.lastEventId ? n : null;
}

function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag;
  });
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).header('cache-control', 'no-store').type('application/json; charset=utf-8').send({ error: 'التغطية غير موجودة' });
}

/**
 * The polling answer as HTML, for pages that apply it without parsing JSON: the events in order,
 * an entry as its `<article>`, a deletion as `<template data-deleted-entry>`, the end as
 * `<template data-coverage-ended>`. Only integers, known statuses and the rendered (escaped)
 * entries go in, so the wrapper needs no escaping of its own.
 */
function updatesFragment(a: UpdatesAnswer): string {
  const parts = a.events.map((e) => {
    switch (e.type) {
      case 'entry.created':
      case 'entry.updated':
        return e.html;
      case 'entry.deleted':
        return `<template data-deleted-entry="${e.entryId}"></template>`;
      case 'coverage.ended':
        return `<template data-coverage-ended="${escapeAttr(e.endedAt)}"></template>`;
    }
  });
  const status = a.coverage.status === 'ended' ? 'ended' : 'live';
  return (
    `<div class="live-updates" data-last-event-id="${a.lastEventId}" data-status="${status}" data-resync="${a.resync}" data-more="${a.more}">` +
    parts.join('') +
    '</div>'
  );
}

function escapeAttr(s: string): string {
  return s.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}
