import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Services } from '../services/index.js';
import { liveHubOf } from './reader/liveStream.js';
import { sendNotFound } from './reader/routes.js';

/**
 * `/metrics` in the Prometheus text format (docs/operations.md, "Metrics and logs"). Each app has
 * its own registry, so tests building many apps never collide; process metrics (memory, event
 * loop lag, GC) are one registry per process, since their observers cannot be stopped.
 *
 * Counts are taken where they are cheap: one hook per response; live, database and pool figures
 * are read from their owners' plain counters only when Prometheus scrapes.
 */

/** Streams last as long as the reader stays: their duration is no latency. Counted, not timed. */
const STREAM_ROUTES = new Set(['/live/:slug/events']);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Seconds: a page from memory takes a millisecond, a cold search tens of them, a media upload seconds. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SEARCH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

interface Endpoint {
  /** 404 when metrics are off, 401 without the right token. */
  answer(authorization: string | undefined): Promise<{ status: 200 | 401 | 404; body: string; contentType: string }>;
}

const endpoints = new WeakMap<FastifyInstance, Endpoint>();

/** Whether this configuration serves metrics to anyone at all. When not, nothing is collected either. */
export function metricsEnabled(c: Config['metrics']): boolean {
  return c.mode === 'open' || (c.mode === 'token' && !!c.token);
}

/**
 * Collects the app's metrics (hooks on the root instance, before any route is registered) and
 * answers `GET /metrics` on the site's port unless they have a port of their own.
 */
export function installMetrics(app: FastifyInstance, services: Services): void {
  const c = services.config.metrics;
  const enabled = metricsEnabled(c);
  const registry = enabled ? appRegistry(app, services) : undefined;
  const tokenHash = c.token ? sha256(c.token) : undefined;

  const endpoint: Endpoint = {
    async answer(authorization) {
      const text = 'text/plain; charset=utf-8';
      if (!registry) return { status: 404, body: 'not found\n', contentType: text };
      if (c.mode === 'token') {
        const m = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
        if (!m || !timingSafeEqual(sha256(m[1]!), tokenHash!)) return { status: 401, body: 'a metrics token is required\n', contentType: text };
      }
      const body = (await processMetrics().metrics()) + (await registry.metrics());
      return { status: 200, body, contentType: registry.contentType };
    },
  };
  endpoints.set(app, endpoint);

  app.get('/metrics', async (req, reply) => {
    // Not served, or served on its own port: the site's ordinary 404, as for any unknown page.
    if (!registry || c.port !== undefined) return sendNotFound(services, req, reply);
    return sendAnswer(reply, await endpoint.answer(req.headers.authorization));
  });
}

function sendAnswer(reply: FastifyReply, a: Awaited<ReturnType<Endpoint['answer']>>): FastifyReply {
  if (a.status === 401) reply.header('www-authenticate', 'Bearer realm="metrics"');
  return reply.code(a.status).header('cache-control', 'no-store').type(a.contentType).send(a.body);
}

function appRegistry(app: FastifyInstance, services: Services): Registry {
  const registry = new Registry();
  const requests = new Counter({
    name: 'nashra_http_requests_total',
    help: 'HTTP requests answered, by route pattern (unmatched: no route) and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'nashra_http_request_duration_seconds',
    help: 'Time from request to the last byte of the answer, by route pattern and status class (live streams excluded)',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    // The pattern, never the URL: one series per route, whatever readers type.
    const route = req.routeOptions.url ?? 'unmatched';
    const method = METHODS.has(req.method) ? req.method : 'other';
    const status = reply.statusCode;
    requests.inc({ method, route, status: String(status) });
    if (!STREAM_ROUTES.has(route)) duration.observe({ method, route, status_class: `${Math.floor(status / 100)}xx` }, reply.elapsedTime / 1000);
    done();
  });

  const hub = () => liveHubOf(services)?.stats();
  new Gauge({
    name: 'nashra_live_connections',
    help: 'Open live-coverage streams (Server-Sent Events) in this process',
    registers: [registry],
    collect() {
      this.set(hub()?.connections ?? 0);
    },
  });
  monotonic(registry, 'nashra_live_events_total', 'Live events broadcast to a coverage’s readers in this process', () => hub()?.events ?? 0);
  monotonic(registry, 'nashra_live_frames_sent_total', 'Live event frames written to readers (an event times its readers)', () => hub()?.frames ?? 0);
  monotonic(registry, 'nashra_live_dropped_total', 'Live streams cut because their reader fell too far behind', () => hub()?.dropped ?? 0);

  const publishes = new Counter({
    name: 'nashra_publishes_total',
    help: 'Articles put live: by an editor (a publish call) or by the scheduler',
    labelNames: ['via'] as const,
    registers: [registry],
  });
  const search = new Histogram({
    name: 'nashra_search_duration_seconds',
    help: 'Search requests, from validation to highlighted results, by outcome (ok, invalid, error)',
    labelNames: ['outcome'] as const,
    buckets: SEARCH_BUCKETS,
    registers: [registry],
  });
  // Zero series from the start, so rates and dashboards work before the first publish or search.
  for (const via of ['editor', 'scheduler'] as const) publishes.inc({ via }, 0);
  const detach = services.metrics.attach({
    published: (via) => publishes.inc({ via }),
    searched: (seconds, outcome) => search.observe({ outcome }, seconds),
  });
  app.addHook('onClose', async () => {
    detach();
  });

  const store = () => services.store.stats?.();
  monotonic(registry, 'nashra_db_query_errors_total', 'Database statements that failed (including refused writes, e.g. a duplicate)', () => store()?.queryErrors ?? 0);
  if (services.store.engine === 'postgres') {
    new Gauge({
      name: 'nashra_db_pool_connections',
      help: 'PostgreSQL pool connections: total open, idle, and in use',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const p = store()?.pool;
        if (!p) return;
        this.set({ state: 'total' }, p.total);
        this.set({ state: 'idle' }, p.idle);
        this.set({ state: 'in_use' }, p.total - p.idle);
      },
    });
    new Gauge({
      name: 'nashra_db_pool_waiting',
      help: 'Requests waiting for a PostgreSQL pool connection',
      registers: [registry],
      collect() {
        this.set(store()?.pool?.waiting ?? 0);
      },
    });
  }
  return registry;
}

/** A counter whose owner keeps the count: read at scrape time. */
function monotonic(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * `NASHRA_METRICS_PORT`: a listener of its own answering `GET /metrics` only, with the same
 * rules as on the site's port. Resolves once listening; rejects with the listen error.
 */
export async function listenForMetrics(app: FastifyInstance, c: { port: number; host: string }): Promise<Server> {
  const endpoint = endpoints.get(app);
  if (!endpoint) throw new Error('listenForMetrics needs an app from buildApp');
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    const send = (a: { status: number; body: string; contentType: string }) => {
      res.writeHead(a.status, { 'content-type': a.contentType, 'cache-control': 'no-store', ...(a.status === 401 ? { 'www-authenticate': 'Bearer realm="metrics"' } : {}) });
      res.end(req.method === 'HEAD' ? undefined : a.body);
    };
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return send({ status: 404, body: 'not found\n', contentType: 'text/plain; charset=utf-8' });
    endpoint.answer(req.headers.authorization).then(send, () => send({ status: 500, body: 'metrics failed\n', contentType: 'text/plain; charset=utf-8' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(c.port, c.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
