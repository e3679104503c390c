import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { validate } from '../../services/validate.js';
import { readEditorPost } from './articleRequest.js';
import { setUpEditorScope } from './editorScope.js';
import { doneMessage, newsroomContext, seeOther, sendNewsroomPage } from './page.js';
import { MediaLibrary } from './views/mediaLibrary.js';

const Query = z.object({ q: z.string().max(200).default(''), page: z.coerce.number().int().min(1).max(1000).default(1) });
const IdParams = z.object({ id: z.coerce.number().int().positive().max(2 ** 31) });
const Meta = z.object({
  caption: z.string().max(500).default(''),
  credit: z.string().max(200).default(''),
  alt: z.string().max(500).default(''),
});
const DONE = { uploaded: 'رُفعت الصورة', saved: 'حُفظت بيانات الصورة' };

/** `/newsroom/media`: the library page. Uploads and edits go through the same MediaLibrary service as the API. */
export async function mediaRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  await setUpEditorScope(app, services);

  async function render(req: FastifyRequest, status = 200, error: string | null = null) {
    const q = validate(Query, req.query ?? {}, 'query');
    const found = await services.media.search(q.q, q.page);
    return { status, props: { ctx: newsroomContext(req, services), q: q.q, page: q.page, items: found.items, hasMore: found.hasMore, error, done: doneMessage(req, DONE) } };
  }

  app.get('/newsroom/media', async (req, reply) => {
    const { status, props } = await render(req);
    return sendNewsroomPage(reply, MediaLibrary, props, status);
  });

  app.post('/newsroom/media', async (req, reply) => {
    const { form, files } = await readEditorPost(req);
    const file = files.get('file');
    try {
      if (!file) throw new ValidationError('اختر ملف صورة لرفعه');
      const meta = validate(Meta, form, 'form');
      await services.media.upload(req.actor, { data: file.data, filename: file.filename, caption: meta.caption || null, credit: meta.credit || null, alt: meta.alt || null });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const { props } = await render(req);
      return sendNewsroomPage(reply, MediaLibrary, { ...props, error: e.issues[0]?.message ?? e.message }, 400);
    }
    return seeOther(reply, '/newsroom/media?ok=uploaded');
  });

  app.post('/newsroom/media/:id', async (req, reply) => {
    const { id } = validate(IdParams, req.params, 'path');
    const { form } = await readEditorPost(req);
    const meta = validate(Meta, form, 'form');
    await services.media.update(req.actor, id, { caption: meta.caption || null, credit: meta.credit || null, alt: meta.alt || null });
    return seeOther(reply, '/newsroom/media?ok=saved');
  });
}
