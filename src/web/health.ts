import type { FastifyInstance } from 'fastify';
import type { Services } from '../services/index.js';
import { checkReadiness } from '../services/readiness.js';

/** Seconds a load balancer or client is told to wait before asking again. */
const RETRY_AFTER_SECONDS = '5';

/**
 * `/healthz`: the process is alive and serving HTTP (restart it if not). `/readyz`: it can do its
 * work now: the database answers and its schema is current; 503 with a reason otherwise, and from
 * the moment a shutdown begins, so a load balancer stops sending requests while in-flight ones
 * finish (docs/operations.md, "Shutdown and health checks").
 */
export async function healthRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  let draining = false;
  // preClose runs once `close()` has begun, before the listener closes and in-flight requests are
  // awaited: requests still arriving on open connections are served, /readyz says "not me".
  app.addHook('preClose', async () => {
    draining = true;
  });

  app.get('/healthz', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const unready = (reason: string, extra: Record<string, unknown> = {}) =>
      reply.code(503).header('retry-after', RETRY_AFTER_SECONDS).send({ status: 'unavailable', reason, ...extra });
    if (draining) return unready('shutting down');
    const r = await checkReadiness(services.store);
    if (r.ready) return { status: 'ready' };
    if (r.reason === 'migrations') return unready('migrations pending', { pending: r.pending });
    // The cause goes to the log, not the public answer: it may name hosts and ports.
    req.log.warn({ err: r.error }, 'readiness: the database did not answer');
    return unready('database unavailable');
  });
}
