import { createHash } from 'node:crypto';
import { mkdir, rm, stat, writeFile, access } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import type { Kysely } from 'kysely';
import sharp, { type Metadata } from 'sharp';
import type { Media } from '../domain/article.js';
import { ValidationError } from '../domain/errors.js';
import { findMediaByStorageKey, insertMedia } from '../store/media.js';
import type { Database } from '../store/schema.js';

export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** Widths served in `srcset`; phones on slow networks take the small one. */
export const VARIANT_WIDTHS = [480, 960] as const;
const FORMATS: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' };

export function variantKey(storageKey: string, width: number): string {
  return `${storageKey.slice(0, -extname(storageKey).length)}-${width}.webp`;
}

/** Image files written before the transaction; `discard` undoes them if the transaction fails. */
export interface PreparedImage {
  storageKey: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  originalName: string;
  discard(): Promise<void>;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

/**
 * Checks the bytes are an image sharp can read, stores the original under a content hash
 * (so the same photo imported twice is stored once) and writes the WebP variants.
 */
export async function prepareImage(mediaDir: string, data: Buffer, originalName: string): Promise<PreparedImage> {
  if (data.length > MAX_IMAGE_BYTES) throw new ValidationError(`${originalName}: image larger than 20 MB`);
  let meta: Metadata;
  try {
    meta = await sharp(data).metadata();
  } catch {
    throw new ValidationError(`${originalName}: not a readable image`);
  }
  const mime = meta.format ? FORMATS[meta.format] : undefined;
  if (!mime || !meta.width || !meta.height) throw new ValidationError(`${originalName}: unsupported image format`);
  const hash = createHash('sha256').update(data).digest('hex').slice(0, 24);
  const storageKey = `${hash.slice(0, 2)}/${hash}.${meta.format === 'jpeg' ? 'jpg' : meta.format}`;
  const written: string[] = [];
  const write = async (key: string, bytes: Buffer | (() => Promise<Buffer>)) => {
    const path = join(mediaDir, key);
    if (await exists(path)) return;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, typeof bytes === 'function' ? await bytes() : bytes);
    written.push(path);
  };
  await write(storageKey, data);
  for (const w of VARIANT_WIDTHS) {
    await write(variantKey(storageKey, w), () =>
      sharp(data).rotate().resize({ width: w, withoutEnlargement: true }).webp({ quality: 72 }).toBuffer(),
    );
  }
  return {
    storageKey,
    mime,
    width: meta.width,
    height: meta.height,
    bytes: data.length,
    originalName,
    discard: async () => {
      await Promise.all(written.map((p) => rm(p, { force: true })));
    },
  };
}

export async function saveImageIn(db: Kysely<Database>, img: PreparedImage, alt: string | null = null): Promise<Media> {
  const existing = await findMediaByStorageKey(db, img.storageKey);
  if (existing) return existing;
  return insertMedia(db, {
    original_name: img.originalName,
    storage_key: img.storageKey,
    mime: img.mime,
    width: img.width,
    height: img.height,
    bytes: img.bytes,
    alt,
    created_at: new Date().toISOString(),
  });
}

/** A figure whose file was not at hand: it keeps its name, caption and credit, and shows no picture. */
export function saveMissingImageIn(db: Kysely<Database>, originalName: string): Promise<Media> {
  return insertMedia(db, {
    original_name: originalName,
    storage_key: null,
    mime: null,
    width: null,
    height: null,
    bytes: null,
    alt: null,
    created_at: new Date().toISOString(),
  });
}

export async function fileSize(path: string): Promise<number | null> {
  return stat(path).then(
    (s) => (s.isFile() ? s.size : null),
    () => null,
  );
}
