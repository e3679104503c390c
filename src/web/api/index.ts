import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';
import { MAX_IMAGE_BYTES } from '../../services/media.js';
import { articleApi } from './articles.js';
import { liveApi } from './live.js';
import { mediaApi } from './media.js';
import { problem, problemFor, sendProblem } from './problem.js';
import { searchApi } from './search.js';
import { RETRY_AFTER_SECONDS } from '../unavailable.js';

/**
 * Registered under the `/api` prefix. `/api/v1`: JSON for everything the editor does, with personal access tokens
 * (`Authorization: Bearer`) or the newsroom session (plus its CSRF header). Errors are RFC 9457
 * problem documents. Input is checked by zod in the handlers and services; the route schemas
 * only describe the API for the OpenAPI document at `/api/docs`.
 */
export async function api(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Nashra API', version: '1', description: 'Articles, workflow and media of a Nashra newsroom.' },
      servers: [{ url: services.config.baseUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: '`nashra token create EMAIL`' } } },
    },
  });
  await app.register(multipart, { limits: { fileSize: MAX_IMAGE_BYTES, files: 1 } });
  // zod validates; the schemas are documentation only.
  app.setValidatorCompiler(() => (value) => ({ value }));

  app.setErrorHandler((err, req, reply) => {
    const p = problemFor(err);
    if (p.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS)).header('cache-control', 'no-store');
    if (p.status >= 500) req.log[p.status === 503 ? 'warn' : 'error']({ err }, 'api request failed');
    return sendProblem(reply, p);
  });
  app.setNotFoundHandler((_req, reply) => sendProblem(reply, problem(404)));

  await app.register(articleApi, { services, prefix: '/v1' });
  await app.register(mediaApi, { services, prefix: '/v1' });
  await app.register(liveApi, { services, prefix: '/v1' });
  await app.register(searchApi, { services, prefix: '/v1' });
  app.get('/docs', { schema: { hide: true } }, async () => app.swagger());
}
