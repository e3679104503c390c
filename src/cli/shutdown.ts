import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** Past this, a shutdown gives up waiting and the process exits 1 (a supervisor's stop timeout is usually longer). */
export const SHUTDOWN_GRACE_MS = 10_000;

/** Something `serve` started that must end before the database closes. */
export interface Stoppable {
  name: string;
  stop(): Promise<void> | void;
}

export interface ShutdownPlan {
  app: FastifyInstance;
  logger: Logger;
  /**
   * Loops that start work on their own (the scheduler, pollers): stopped while the HTTP server
   * drains, each finishing the unit of work in hand; what is left waits for the next start.
   */
  background: Stoppable[];
  /** Closed in order once requests and loops are done: what they used (Redis, then the database). */
  after: Stoppable[];
}

/**
 * On SIGTERM or SIGINT: /readyz turns 503 and the listener closes (new connections are refused),
 * in-flight requests finish, live streams are told to reconnect elsewhere, background loops stop,
 * then Redis and the database close and the process exits 0. Past the grace period, or if a step
 * fails, it exits 1. A second Ctrl+C during the wait kills the process at once (Node's default).
 */
export function exitGracefullyOnSignals(plan: ShutdownPlan): void {
  const { app, logger } = plan;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ graceMs: SHUTDOWN_GRACE_MS, pending: pendingSteps, resources: process.getActiveResourcesInfo() }, 'shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    let failed = false;
    const pendingSteps: string[] = [];
    const step = async (s: Stoppable) => {
      pendingSteps.push(s.name);
      try {
        await s.stop();
        pendingSteps.splice(pendingSteps.indexOf(s.name), 1);
        logger.debug({ part: s.name }, 'stopped');
      } catch (err) {
        failed = true;
        logger.error({ err }, `shutdown: stopping ${s.name} failed`);
      }
    };
    // Closing the listener closes the keep-alive connections idle at that moment only; one whose
    // request finishes later (or whose live stream was just ended) would stay open until its
    // keep-alive timeout (72 s) and hold the shutdown. So idle ones are closed as they appear.
    const reap = setInterval(() => app.server.closeIdleConnections(), 100);
    await Promise.all([step({ name: 'http', stop: () => app.close() }), ...plan.background.map(step)]);
    clearInterval(reap);
    for (const s of plan.after) await step(s);
    logger.info('shut down');
    // Explicitly: a handle someone forgot to unref must not turn a clean stop into a 10 s timeout.
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
