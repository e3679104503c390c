import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import type { Kysely } from 'kysely';
import {
  VARIANT_FORMATS,
  type ImageFormat,
  type MediaMeta,
  type MediaRecord,
  type MediaVariant,
  type VariantFormat,
} from '../domain/media.js';
import { InsufficientStorageError } from '../domain/errors.js';
import { findMediaByStorageKey, insertMedia, updateMediaFiles, updateMediaMeta } from '../store/media.js';
import type { Database } from '../store/schema.js';
import { checkImage, displayName, ImageRejectedError } from './imageCheck.js';
import { renderImage, type EncodeOptions, type Rendered } from './imageEncode.js';

export { displayName, ImageRejectedError, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, sniffImageType } from './imageCheck.js';

/** Widths generated for `srcset`: phones on slow networks take the small ones, wide screens the large. */
export const VARIANT_WIDTHS = [320, 640, 960, 1280, 1920] as const;
const EXT: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif', gif: 'gif' };
const MIME: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
};

/** A variant's key: the original's key with `-<width>.<ext>` instead of its extension. */
export function variantKey(storageKey: string, width: number, format: VariantFormat = 'webp'): string {
  return `${storageKey.slice(0, -extname(storageKey).length)}-${width}.${EXT[format]}`;
}

/**
 * The ladder widths below the source, then the source width itself (at most 1920) so that
 * 2× phones get the full picture; a ladder width within 10 % of the top one would only
 * duplicate it. Small pictures are never enlarged: a 200 px source gets one 200 px variant.
 */
export function variantWidths(width: number): number[] {
  const top = Math.min(width, VARIANT_WIDTHS.at(-1)!);
  return [...VARIANT_WIDTHS.filter((w) => w < top * 0.9), top];
}

function planVariants(storageKey: string, width: number, height: number): MediaVariant[] {
  return variantWidths(width).flatMap((w) => {
    const h = Math.max(1, Math.round((height * w) / width));
    return VARIANT_FORMATS.map((format) => ({ w, h, format, key: variantKey(storageKey, w, format) }));
  });
}

/** Image files written before the transaction; `discard` undoes them if the transaction fails. */
export interface PreparedImage {
  storageKey: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  originalName: string;
  variants: MediaVariant[];
  discard(): Promise<void>;
}

/** A write refused for lack of room: the disk, the user's quota, or the file size limit. */
function isNoSpace(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

/** Written under a temporary name and renamed: a crash never leaves a half file under a real key. */
async function writeOnce(path: string, bytes: Buffer): Promise<boolean> {
  if (await exists(path)) return false;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, bytes, { flag: 'wx' });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return true;
}

/**
 * Checks the bytes (type by content, size, pixel count, a full decode), then stores a master
 * (orientation applied, metadata stripped) and the AVIF, WebP and JPEG variants under a hash
 * of the uploaded bytes: never under a name the user chose, and the same photo twice is
 * stored once. A refused file writes nothing: everything is encoded in memory first.
 */
export async function prepareImage(
  mediaDir: string,
  data: Buffer,
  originalName: string,
  opts: EncodeOptions = {},
): Promise<PreparedImage> {
  const name = displayName(originalName);
  const img = await checkImage(data, name);
  const hash = createHash('sha256').update(data).digest('hex').slice(0, 24);
  const storageKey = `${hash.slice(0, 2)}/${hash}.${EXT[img.format]}`;
  const variants = planVariants(storageKey, img.width, img.height);
  const paths = [storageKey, ...variants.map((v) => v.key)].map((k) => join(mediaDir, k));
  const written: string[] = [];
  const prepared = (bytes: number): PreparedImage => ({
    storageKey,
    mime: MIME[img.format],
    width: img.width,
    height: img.height,
    bytes,
    originalName: name,
    variants,
    discard: async () => {
      await Promise.all(written.map((p) => rm(p, { force: true })));
    },
  });

  // Stored before (same bytes, same hash): it was checked then, and the files are there.
  if ((await Promise.all(paths.map(exists))).every(Boolean)) return prepared((await stat(paths[0]!)).size);

  let out: Rendered;
  try {
    out = await renderImage(data, img, variants, opts);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ImageRejectedError('corrupt', `${name}: the image is damaged or incomplete (${why})`);
  }
  const result = prepared(out.master.length);
  try {
    for (const [key, bytes] of [[storageKey, out.master] as const, ...out.files]) {
      const path = join(mediaDir, key);
      if (await writeOnce(path, bytes)) written.push(path);
    }
  } catch (e) {
    // Each file was written under a temporary name (removed on failure) and those written
    // whole go too: a full disk leaves no partial picture and, the row never written, no record.
    await result.discard();
    throw isNoSpace(e) ? new InsufficientStorageError(undefined, { cause: e }) : e;
  }
  return result;
}

export interface ImageMeta {
  alt?: string | null;
  caption?: string | null;
  credit?: string | null;
  uploadedBy?: number | null;
}

/**
 * One row per stored file. The same bytes saved again return the existing row: its caption,
 * credit and alt stay, empty ones take the new values, and a row from before variants were
 * recorded gets them (with the displayed, oriented size they were made at).
 */
export async function saveImageIn(db: Kysely<Database>, img: PreparedImage, meta: ImageMeta = {}): Promise<MediaRecord> {
  const existing = await findMediaByStorageKey(db, img.storageKey);
  if (existing) {
    if (existing.variants === null) {
      await updateMediaFiles(db, existing.id, { width: img.width, height: img.height, variants: img.variants });
    }
    const fill: MediaMeta = {};
    for (const k of ['alt', 'caption', 'credit'] as const) if (existing[k] == null && meta[k] != null) fill[k] = meta[k];
    return (await updateMediaMeta(db, existing.id, fill))!;
  }
  return insertMedia(db, {
    original_name: img.originalName,
    storage_key: img.storageKey,
    mime: img.mime,
    width: img.width,
    height: img.height,
    bytes: img.bytes,
    alt: meta.alt ?? null,
    caption: meta.caption ?? null,
    credit: meta.credit ?? null,
    variants: JSON.stringify(img.variants),
    uploaded_by: meta.uploadedBy ?? null,
    created_at: new Date().toISOString(),
  });
}

/** A figure whose file was not at hand: it keeps its name, caption and credit, and shows no picture. */
export function saveMissingImageIn(db: Kysely<Database>, originalName: string): Promise<MediaRecord> {
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
