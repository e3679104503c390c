import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConflictError, ForbiddenError, InsufficientStorageError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { MAX_IMAGE_BYTES } from '../../services/media.js';
import { requireRole } from './auth.js';
import { newsroomContext, sendNewsroomPage } from './page.js';
import { MessageView } from './views/layout.js';
import { isDatabaseUnavailable, sendUnavailable } from '../unavailable.js';

const MAX_UPLOADS = 10;
const MAX_UPLOAD_BYTES = 60 * 1024 * 1024;
export const EDITOR_BODY_LIMIT = 4 * 1024 * 1024;

/** What every article-editor route shares: body parsers, the role check, no caching, errors in Arabic. */
export async function setUpEditorScope(app: FastifyInstance, services: Services): Promise<void> {
  // Parsers for this scope only, unless the app already has them. Multipart parts are attached
  // to the body so the CSRF hook sees `_csrf` before the handler runs.
  if (!app.hasContentTypeParser('multipart/form-data')) {
    // Every block has a file box and browsers send the empty ones too, so the count of file
    // parts is as high as blocks can be; what bounds memory is the budget on real files.
    const budget = new WeakMap<FastifyRequest, { files: number; bytes: number }>();
    await app.register(multipart, {
      attachFieldsToBody: true,
      limits: { fileSize: MAX_IMAGE_BYTES, files: 2100, fields: 30_000, parts: 32_000, fieldSize: 200_000 },
      async onFile(this: FastifyRequest, part) {
        const size = (await part.toBuffer()).length;
        if (size === 0) return;
        const used = budget.get(this) ?? { files: 0, bytes: 0 };
        budget.set(this, used);
        used.files += 1;
        used.bytes += size;
        if (used.files > MAX_UPLOADS || used.bytes > MAX_UPLOAD_BYTES) throw new ValidationError(`ارفع ${MAX_UPLOADS} صور على الأكثر في حفظ واحد`);
      },
    });
  }
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody, { bodyLimit: EDITOR_BODY_LIMIT });
  // Checked before the body is read as well: an anonymous upload is turned away without the
  // server first holding up to the upload budget in memory.
  app.addHook('onRequest', requireRole('contributor'));
  app.addHook('preHandler', requireRole('contributor'));
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('cache-control', 'private, no-store');
    return payload;
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ err }, 'database unavailable');
      return sendUnavailable(services.config, req, reply);
    }
    const status =
      err instanceof ForbiddenError ? 403 : err instanceof NotFoundError ? 404 : err instanceof ConflictError ? 409 : err instanceof ValidationError ? 400
      : err instanceof InsufficientStorageError ? 507
      : err.statusCode === 413 ? 413 : err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'newsroom request failed');
    const known = err instanceof ForbiddenError || err instanceof NotFoundError || err instanceof ConflictError || err instanceof ValidationError || err instanceof InsufficientStorageError;
    const message = known ? err.message : status === 413 ? 'الطلب أكبر من المسموح: صورة فوق 20 ميغابايت أو حقول كثيرة جداً' : status >= 500 ? 'حدث خطأ في الخادم' : 'طلب غير صالح';
    if ((req.headers['content-type'] ?? '').includes('application/json') || (req.headers.accept ?? '').startsWith('application/json')) {
      return reply.code(status).type('application/json; charset=utf-8').send({ ok: false, error: message });
    }
    return sendNewsroomPage(reply, MessageView, { ctx: newsroomContext(req, services), title: status === 404 ? 'غير موجود' : 'تعذّر تنفيذ الطلب', message, back: '/newsroom/articles' }, status);
  });

}
