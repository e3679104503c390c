import { readdirSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { Services } from '../../src/services/index.js';

/** Hostile uploads, built in memory. */

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/**
 * A valid PNG of `side`×`side` black 1-bit pixels: a few KB on disk, 64 megapixels (256 MB as
 * RGBA) once decoded — a decompression bomb.
 */
export function pngBomb(side = 8000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, adaptive filter, no interlace
  const row = Math.ceil(side / 8) + 1; // a filter byte, then the packed pixels
  const idat = deflateSync(Buffer.alloc(row * side), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** A real photo-like JPEG (noise, so the entropy-coded data is long) cut off after 40 % of its bytes. */
export async function truncatedJpeg(): Promise<Buffer> {
  const w = 640;
  const h = 480;
  const noise = Buffer.alloc(w * h * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const jpeg = await sharp(noise, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  return jpeg.subarray(0, Math.floor(jpeg.length * 0.4));
}

export const htmlAsPng = () => Buffer.from('<!doctype html><html><body><script>__xss(0)</script><img src=x onerror=__xss(0)></body></html>');

export const realPng = (seed = 3) =>
  sharp({ create: { width: 120 + seed, height: 90, channels: 3, background: { r: 200, g: (seed * 40) % 256, b: 40 } } }).png().toBuffer();

/** Every file under the media directory, and the library's size: what a refused upload must not change. */
export async function mediaState(services: Services): Promise<{ files: string[]; rows: number }> {
  const files = (readdirSync(services.config.mediaDir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => `${d.parentPath}/${d.name}`)
    .sort();
  let rows = 0;
  for (let page = 1; ; page++) {
    const p = await services.media.search('', page);
    rows += p.items.length;
    if (!p.hasMore) break;
  }
  return { files, rows };
}
