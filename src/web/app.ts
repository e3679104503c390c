import compress from '@fastify/compress';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Services } from '../services/index.js';
import { InsufficientStorageError, ValidationError, NotFoundError } from '../domain/errors.js';
import { accountRoutes } from './newsroom/accountRoutes.js';
import { articleRoutes } from './newsroom/articleRoutes.js';
import { newsroomAuth } from './newsroom/auth.js';
import { api } from './api/index.js';
import { ingestRoutes } from './newsroom/ingestRoutes.js';
import { liveRoutes } from './newsroom/liveRoutes.js';
import { mediaRoutes } from './newsroom/mediaRoutes.js';
import { registerAssets } from './reader/assets.js';
import { cropRoutes } from './reader/crops.js';
import { feedRoutes } from './reader/feeds.js';
import { livePages } from './reader/livePages.js';
import { machineFiles } from './reader/machineFiles.js';
import { oembedRoutes } from './reader/oembed.js';
import { liveStream } from './reader/liveStream.js';
import { readerRoutes, sendNotFound } from './reader/routes.js';
import { staticPageRoutes } from './reader/staticPages.js';
import { pageRoutes } from './newsroom/pageRoutes.js';
import { searchPage } from './reader/searchPage.js';
import { sitemapRoutes } from './reader/sitemaps.js';
import { fixedSecurityHeaders } from './security.js';
import { installMetrics } from './metrics.js';
import { REQUEST_ID_HEADER, requestId } from './requestLog.js';
import { healthRoutes } from './health.js';
import { startCdnPurger } from '../services/purge.js';
import { isDatabaseUnavailable, sendUnavailable } from './unavailable.js';

export interface AppOptions {
  services: Services;
  /** A pino logger; none (silent) by default, as tests want. */
  logger?: FastifyBaseLogger;
}

/** The whole HTTP app, apart from `listen()`, so tests drive it with `inject()`. */
export async function buildApp({ services, logger }: AppOptions): Promise<FastifyInstance> {
  const securityHeaders = fixedSecurityHeaders();
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: 1024 * 1024,
    // Every log line of a request carries its id; a proxy's X-Request-Id is kept when safe to repeat.
    requestIdHeader: false,
    genReqId: requestId,
    // During a graceful shutdown a request already on an open connection is served (with
    // `Connection: close`), not refused: only /readyz says 503 then (src/web/health.ts).
    return503OnClosing: false,
    trustProxy: services.config.trustProxy,
    // Readable Arabic slugs make long URLs: 80 letters percent-encode to ~450 characters.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    // A malformed percent-escape (`/section/%`) is a page that cannot exist: the Arabic 404, not
    // the router's JSON 400. Hooks have not run here, so the security headers are set by hand.
    frameworkErrors: (err, req, reply) => {
      const r = reply as FastifyReply;
      securityHeaders(req, r, () => {});
      // Not awaited by Fastify: a failure here (the database out of reach) must be answered, not left unhandled.
      if (err.code === 'FST_ERR_BAD_URL') {
        return void sendNotFound(services, req, r).catch((e: unknown) => {
          if (isDatabaseUnavailable(e)) return sendUnavailable(services.config, req, r);
          req.log.error({ err: e }, 'request failed');
          return r.code(500).type('application/json; charset=utf-8').send({ error: 'حدث خطأ في الخادم' });
        });
      }
      r.code(400).type('application/json; charset=utf-8').send({ error: 'طلب غير صالح' });
    },
  });

  // Before any route: a route takes the error handler in force when it is registered, so one set
  // after the plugins would leave their routes with Fastify's default (English, and it shows the
  // error's message).
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    if (err instanceof NotFoundError) return sendNotFound(services, req, reply);
    // An outage, not a bug: warned once per request, answered fast so clients retry.
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ err }, 'database unavailable');
      return sendUnavailable(services.config, req, reply);
    }
    const status =
      err instanceof ValidationError ? ((err as { statusCode?: number }).statusCode ?? 400) : err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : err instanceof InsufficientStorageError ? 507 : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    reply
      .code(status)
      .type('application/json; charset=utf-8')
      // Fastify's own 413 (a body over bodyLimit) speaks English; a TooLargeError already says why in Arabic.
      .send({ error: status === 507 ? err.message : status >= 500 ? 'حدث خطأ في الخادم' : status === 413 && !(err instanceof ValidationError) ? 'الطلب أكبر من المسموح' : err.message });
  });

  await app.register(helmet, {
    global: false,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        mediaSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'self'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: services.config.baseUrl.startsWith('https:') ? [] : null,
      },
    },
    // Same-origin pages only; the default would also block our own fonts in some setups.
    crossOriginEmbedderPolicy: false,
    hsts: services.config.baseUrl.startsWith('https:'),
  });
  app.addHook('onRequest', securityHeaders);
  app.addHook('onRequest', (req, reply, done) => {
    reply.header(REQUEST_ID_HEADER, req.id);
    done();
  });
  // Before the routes: its response hook must apply to every one of them.
  installMetrics(app, services);
  await app.register(compress, { global: true, encodings: ['br', 'gzip'], threshold: 1024 });

  await app.register(healthRoutes, { services });

  await registerAssets(app, services.config);
  await app.register(cropRoutes, { services });
  // Before every route: who is asking, CSRF checks, and the default deny under /newsroom.
  await app.register(newsroomAuth, { services });
  await app.register(accountRoutes, { services });
  await app.register(api, { services, prefix: '/api' });
  await app.register(articleRoutes, { services });
  await app.register(mediaRoutes, { services });
  await app.register(liveRoutes, { services });
  await app.register(ingestRoutes, { services });
  await app.register(liveStream, { services });
  await app.register(feedRoutes, { services });
  await app.register(machineFiles, { services });
  await app.register(oembedRoutes, { services });
  await app.register(sitemapRoutes, { services });
  await app.register(readerRoutes, { services });
  await app.register(staticPageRoutes, { services });
  await app.register(pageRoutes, { services });
  await app.register(livePages, { services });
  await app.register(searchPage, { services });

  app.setNotFoundHandler((req, reply) => sendNotFound(services, req, reply));

  // The serving process purges: its events carry every write made through it (not a CLI's).
  const purger = startCdnPurger(services, { logger: app.log.child({ part: 'purge' }) });
  if (purger) app.addHook('onClose', () => purger.close());

  return app;
}
