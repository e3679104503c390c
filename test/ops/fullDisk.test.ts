import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createServices, type Services } from '../../src/services/index.js';
import { buildApp } from '../../src/web/app.js';
import { addUser, signIn, type Signed } from '../helpers/newsroom.js';
import { available, storeTargets } from '../helpers/services.js';
import { mountSmallDisk, smallDiskUnavailableReason, type SmallDisk } from './smallDisk.js';

/**
 * The "a full disk during a media upload": the media directory on a real 256 KB tmpfs
 * (test/ops/smallDisk.ts), so the kernel itself answers ENOSPC part-way through the files an upload
 * writes. Both the newsroom page and the API answer 507 Insufficient Storage with an Arabic
 * message; no file of the upload is left (not the temporary one being written, not the ones
 * written whole before it), and no row. Once there is room, uploads work again.
 */
const reason = smallDiskUnavailableReason();
const runs = available('a small filesystem', reason === '', reason);

/** Every regular file under `dir`: what an upload left behind. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

describe.runIf(runs).each(storeTargets())('a full disk during a media upload ($name)', (target) => {
  let disk: SmallDisk;
  let opened: Awaited<ReturnType<typeof target.open>>;
  let services: Services;
  let app: FastifyInstance;
  let writer: Signed;
  let token: string;
  let mediaDir: string;

  beforeAll(async () => {
    disk = await mountSmallDisk('256k');
    opened = await target.open();
    mediaDir = join(disk.path, 'media');
    mkdirSync(mediaDir);
    services = createServices(opened.store, { ...loadConfig({ NASHRA_DATA_DIR: opened.dataDir }), mediaDir });
    app = await buildApp({ services });
    const { user } = await addUser(services, 'writer@example.org', 'contributor');
    writer = await signIn(app, 'writer@example.org', 'ورد الشام في الربيع');
    token = (await services.accounts.createToken(user.id, { name: 'full disk test', scope: 'write' })).token;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await opened?.dispose();
    await disk?.close();
  });

  /** Noise does not compress: the master (about 150 KB) fits, its variants then do not. */
  const noisyJpeg = (seed: number) => {
    const w = 500;
    const h = 400;
    const raw = Buffer.alloc(w * h * 3);
    let x = seed * 2654435761;
    for (let i = 0; i < raw.length; i++) raw[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
  };

  const newsroomUpload = (data: Buffer, filename: string) => {
    const body = new FormData();
    body.append('_csrf', writer.csrf);
    body.append('caption', 'سوق الحميدية');
    body.append('file', new Blob([new Uint8Array(data)]), filename);
    return app.inject({ method: 'POST', url: '/newsroom/media', headers: { cookie: writer.cookie }, body });
  };
  const apiUpload = (data: Buffer, filename: string) => {
    const body = new FormData();
    body.append('caption', 'سوق الحميدية');
    body.append('file', new Blob([new Uint8Array(data)]), filename);
    return app.inject({ method: 'POST', url: '/api/v1/media', headers: { authorization: `Bearer ${token}` }, body });
  };

  it('answers 507 with an Arabic message, and leaves no file and no row', async () => {
    const page = await newsroomUpload(await noisyJpeg(1), 'souq.jpg');
    expect(page.statusCode, page.body.slice(0, 300)).toBe(507);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<html lang="ar" dir="rtl">');
    expect(page.body).toContain('لا توجد مساحة كافية');
    expect(filesUnder(mediaDir)).toEqual([]);

    const api = await apiUpload(await noisyJpeg(2), 'souq.jpg');
    expect(api.statusCode, api.body).toBe(507);
    expect(api.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(api.json()).toMatchObject({ status: 507, title: 'لا توجد مساحة كافية للتخزين', detail: expect.stringContaining('لم يُحفظ شيء') });
    expect(filesUnder(mediaDir)).toEqual([]);

    expect((await services.media.search('')).items).toEqual([]);
  });

  it('uploads again once the picture fits: the failed uploads took no space', async () => {
    const small = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#753' } }).jpeg().toBuffer();
    const ok = await apiUpload(small, 'small.jpg');
    expect(ok.statusCode, ok.body).toBe(201);
    const stored = filesUnder(mediaDir);
    expect(stored.length).toBeGreaterThan(1);
    expect(stored.some((f) => f.endsWith('.tmp'))).toBe(false);
    expect((await services.media.search('')).items).toHaveLength(1);
  });
});
