import { syncArticle } from '../search/sync.js';
import { appendAudit } from '../store/audit.js';
import { bumpContentVersion } from '../store/siteState.js';
import { listDueScheduled, publishIfDue } from '../store/workflow.js';
import type { Services } from './index.js';

/**
 * Publishes every scheduled article whose time has come, one transaction each, so one bad
 * article cannot hold back the others. Safe to run from several instances at once: the
 * conditional UPDATE lets exactly one of them publish a given article. Returns the ids this
 * call published.
 */
export async function publishDue(services: Pick<Services, 'store' | 'events'> & Partial<Pick<Services, 'metrics'>>, now = new Date(), stopping?: () => boolean): Promise<number[]> {
  const { db } = services.store;
  const at = now.toISOString();
  const published: number[] = [];
  for (const due of await listDueScheduled(db, at)) {
    // Shutting down: the article in hand was finished; the rest are still due at the next start.
    if (stopping?.()) break;
    const done = await db.transaction().execute(async (trx) => {
      if (!(await publishIfDue(trx, due.id, at))) return false;
      await bumpContentVersion(trx);
      await syncArticle(trx, due.id);
      await appendAudit(trx, {
        action: 'article.publish',
        actor: 'scheduler',
        targetType: 'article',
        targetId: due.id,
        details: { from: 'scheduled', scheduledAt: due.scheduledAt },
        at,
      });
      return true;
    });
    if (!done) continue;
    published.push(due.id);
    services.events.emit({ type: 'article', id: due.id });
    services.metrics?.published('scheduler');
  }
  return published;
}

export interface SchedulerOptions {
  intervalMs?: number;
  /** Told about every run that published something, for the log. */
  onPublished?: (ids: number[]) => void;
  /** A failed run is reported and retried at the next tick; the loop never stops on its own. */
  onError?: (err: unknown) => void;
}

export interface Scheduler {
  /** Stops the loop and waits for the article being published, if any, so the store can be closed after. */
  stop(): Promise<void>;
}

/**
 * Runs `publishDue` at once, then every interval. The schedule lives in the database, so the
 * first run catches up on whatever fell due while no server was running. Runs never overlap:
 * the next one is timed from the end of the previous.
 */
export function startScheduler(services: Pick<Services, 'store' | 'events'> & Partial<Pick<Services, 'metrics'>>, opts: SchedulerOptions = {}): Scheduler {
  const intervalMs = opts.intervalMs ?? 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    running = publishDue(services, new Date(), () => stopped)
      .then((ids) => {
        if (ids.length) opts.onPublished?.(ids);
      })
      .catch((err: unknown) => opts.onError?.(err))
      .finally(() => {
        // unref: a pending tick alone must not keep a process (a CLI command, a test) alive.
        if (!stopped) timer = setTimeout(tick, intervalMs).unref();
      });
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
