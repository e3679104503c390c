import type {} from '@fastify/multipart';
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { MAX_IMAGE_BYTES } from '../../services/media.js';
import { validate } from '../../services/validate.js';
import { requireRole } from '../newsroom/auth.js';

const IdParams = z.object({ id: z.coerce.number().int().positive().max(2 ** 31) });
const SearchQuery = z.object({ q: z.string().max(200).default(''), page: z.coerce.number().int().min(1).max(1000).default(1) });
const MetaBody = z.strictObject({
  alt: z.string().max(500).optional(),
  caption: z.string().max(500).optional(),
  credit: z.string().max(200).optional(),
});

const tag = { tags: ['media'], security: [{ bearer: [] }] };

/** The media library over JSON. Uploads are multipart: one `file` plus optional alt, caption, credit fields. */
export async function mediaApi(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const contributor = { preHandler: requireRole('contributor') };

  app.post('/media', { ...contributor, schema: { ...tag, summary: 'Upload an image (JPEG, PNG, WebP, AVIF, GIF; ≤ 20 MB, ≤ 50 MP)', consumes: ['multipart/form-data'] } }, async (req, reply) => {
    if (!req.isMultipart()) throw new ValidationError('send the image as multipart/form-data with a "file" field');
    const fields: Record<string, string> = {};
    let file: { data: Buffer; filename: string } | undefined;
    for await (const part of req.parts({ limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 10, fieldSize: 2000 } })) {
      if (part.type === 'file') {
        // toBuffer() throws FST_REQ_FILE_TOO_LARGE past the limit: nothing has been written yet.
        file = { data: await part.toBuffer(), filename: part.filename };
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
    if (!file) throw new ValidationError('file: no file was sent');
    const meta = validate(MetaBody, fields, 'fields');
    const media = await services.media.upload(req.actor, { ...file, ...meta });
    return reply.code(201).header('location', `/api/v1/media/${media.id}`).send(media);
  });

  app.get('/media', { ...contributor, schema: { ...tag, summary: 'Search the library by name, caption, credit or alt text' } }, async (req) => {
    const q = validate(SearchQuery, req.query, 'query');
    return services.media.search(q.q, q.page);
  });

  app.get('/media/:id', { ...contributor, schema: { ...tag, summary: 'One picture with its variants' } }, async (req) => {
    const id = validate(IdParams, req.params, 'path').id;
    const media = await services.media.get(id);
    if (!media) throw new NotFoundError(`media ${id} not found`);
    return media;
  });

  app.patch('/media/:id', { ...contributor, schema: { ...tag, summary: 'Change alt text, caption or credit' } }, async (req) =>
    services.media.update(req.actor, validate(IdParams, req.params, 'path').id, validate(MetaBody, req.body, 'body')),
  );
}
