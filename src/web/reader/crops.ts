import type {} from '@fastify/compress'; // the `compress` route option's type
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { isCropRatio } from '../../services/crops.js';
import type { Services } from '../../services/index.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const MAX_ID = 2 ** 31;

type CropParams = { Params: { id: string; version: string; file: string } };

/**
 * `/media/crop/:id/:version/:ratio.jpg`: a picture cropped to 16:9, 4:3 or 1:1, rendered on
 * first request. The version names the stored original, so one URL always means the same bytes.
 * A more specific route than the media directory's static files, so it wins over them.
 */
export async function cropRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  // JPEG is already compressed.
  const route = { compress: false, decompress: false } as const;
  app.get<CropParams>('/media/crop/:id/:version/:file', route, async (req, reply) => {
    const { id, version, file } = req.params;
    const ratio = /^(.+)\.jpg$/.exec(file)?.[1];
    if (!/^[1-9]\d{0,9}$/.test(id) || Number(id) > MAX_ID || !/^[0-9a-f]{16}$/.test(version) || !ratio || !isCropRatio(ratio)) {
      return reply.callNotFound();
    }
    let crop;
    try {
      crop = await services.crops.file(Number(id), version, ratio);
    } catch (err) {
      // An original sharp cannot read: no crop, but not a server error either.
      req.log.warn({ err, mediaId: id }, 'crop failed');
      return reply.callNotFound();
    }
    if (!crop) return reply.callNotFound();
    const body = await readFile(crop.path);
    return reply.header('cache-control', IMMUTABLE).type('image/jpeg').send(body);
  });
}
