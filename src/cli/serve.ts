import pino from 'pino';
import type { Config } from '../config.js';
import { loadDemoContentOnce } from '../demo/load.js';
import { startRedisBridge } from '../live/redisBridge.js';
import { startIngestPoller } from '../services/ingest.js';
import { startScheduler } from '../services/scheduler.js';
import { buildApp } from '../web/app.js';
import { openServices } from './context.js';

export async function serve(config: Config, opts: { demo: boolean }): Promise<void> {
  const logger = pino({ level: config.logLevel }, pino.destination(2));
  const services = await openServices(config);
  // Before the demo loads: a new, empty site is recorded as indexed by this analyzer.
  const index = await services.search.status();
  if (index.stale) {
    logger.warn(
      { recorded: index.recorded ?? null, current: index.current, documents: index.documents },
      'the search index was built by another analyzer version (or before search existed): run `nashra search reindex`',
    );
  }
  if (opts.demo) {
    const loaded = await loadDemoContentOnce(services);
    if (loaded) logger.info({ articles: loaded }, 'demo content loaded');
  }
  // Its first run starts now, so what fell due while no server ran goes out as the site comes up.
  const scheduler = startScheduler(services, {
    onPublished: (ids) => logger.info({ ids }, 'scheduled articles published'),
    onError: (err) => logger.error({ err }, 'scheduled publishing failed; retrying'),
  });
  // Feed sources due while no server ran are polled now; errors stay on their source (docs/ingest.md).
  const ingest = startIngestPoller(services.ingest, {
    onPolled: (results) => logger.info({ results }, 'feed sources polled'),
    onError: (err) => logger.error({ err }, 'feed polling failed; retrying'),
  });
  // With Redis, live events cross instances; without it, the bus fans out in this process only.
  // Not awaited: pages serve while Redis is unreachable, only live streams wait for it.
  const bridge = config.redisUrl
    ? startRedisBridge(services.liveBus, { url: config.redisUrl, prefix: config.redisPrefix, logger: logger.child({ part: 'redis' }) })
    : undefined;
  const app = await buildApp({ services, logger });
  const address = await app.listen({ port: config.port, host: config.host });
  process.stdout.write(`Nashra serves ${address}/\n`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    await app.close();
    // After the app: open streams were told `shutdown`, not that Redis went away.
    await bridge?.close();
    await scheduler.stop();
    await ingest.stop();
    await services.store.close();
    clearTimeout(force);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
