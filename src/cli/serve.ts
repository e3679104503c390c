import type { Config } from '../config.js';
import { loadDemoContentOnce } from '../demo/load.js';
import { startRedisBridge } from '../live/redisBridge.js';
import { startIngestPoller } from '../services/ingest.js';
import { startScheduler } from '../services/scheduler.js';
import { buildApp } from '../web/app.js';
import { listenForMetrics, metricsEnabled } from '../web/metrics.js';
import { createLogger } from '../web/requestLog.js';
import { openServices } from './context.js';
import { checkCanListen, listenProblem, type AddressSettings } from './listen.js';
import { exitGracefullyOnSignals } from './shutdown.js';

export async function serve(config: Config, opts: { demo: boolean }): Promise<void> {
  const logger = createLogger({ level: config.logLevel });
  const site: AddressSettings = { host: config.host, port: config.port, hostName: 'HOST', portName: 'PORT' };
  const m = config.metrics;
  const metricsAddress = m.port !== undefined && metricsEnabled(m) ? { host: m.host, port: m.port, hostName: 'NASHRA_METRICS_HOST', portName: 'NASHRA_METRICS_PORT' } : undefined;
  // A port in use is a bad setting: said in one line before anything is opened or started.
  await checkCanListen(site);
  if (metricsAddress) await checkCanListen(metricsAddress);
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
  const listening = (a: AddressSettings) => (err: unknown) => {
    // Taken between the check and now: the loops above are running, so exit rather than wait on them.
    setTimeout(() => process.exit(2), 1000).unref();
    throw listenProblem(err, a) ?? err;
  };
  const address = await app.listen({ port: config.port, host: config.host }).catch(listening(site));
  const metricsServer = metricsAddress ? await listenForMetrics(app, metricsAddress).catch(listening(metricsAddress)) : undefined;
  process.stdout.write(`Nashra serves ${address}/\n`);

  exitGracefullyOnSignals({
    app,
    logger,
    // Every loop that starts work by itself goes here, so a shutdown stops it before the
    // database closes (the feed poller, …).
    background: [
      { name: 'scheduler', stop: () => scheduler.stop() },
      { name: 'feed poller', stop: () => ingest.stop() },
    ],
    // After the app: open streams were told `shutdown`, not that Redis went away.
    after: [
      { name: 'metrics listener', stop: () => new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve())) },
      { name: 'redis', stop: () => bridge?.close() },
      { name: 'database', stop: () => services.store.close() },
    ],
  });
}
