import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { Media } from '../domain/article.js';
import type { Store } from '../store/db.js';
import { getMedia } from '../store/media.js';

/**
 * Fixed-ratio crops of a picture for machines: search engines ask for an article's image in
 * 16:9, 4:3 and 1:1, each at least 50,000 pixels, and social cards show the 16:9 one.
 */
export const CROP_RATIOS = ['16x9', '4x3', '1x1'] as const;
export type CropRatio = (typeof CROP_RATIOS)[number];
const UNITS: Record<CropRatio, readonly [number, number]> = { '16x9': [16, 9], '4x3': [4, 3], '1x1': [1, 1] };

/** Wide enough for every card and for Google Discover's large previews; bigger only costs bytes. */
export const CROP_MAX_WIDTH = 1200;
/** Google's floor for article images (width × height). */
export const CROP_MIN_PIXELS = 50_000;
/** Part of every crop URL: changing how crops are made (sizes, quality) must change their URLs, which are cached forever. */
const SCHEME = 'crop-v1';

export const isCropRatio = (s: string): s is CropRatio => (CROP_RATIOS as readonly string[]).includes(s);

/**
 * The crop's pixel size: a whole multiple of the ratio's units, so the ratio is exact. The
 * largest the source allows, at most 1200 wide; a source too small for 50,000 pixels in that
 * ratio is enlarged to the smallest size that has them (a soft picture beats no picture).
 */
export function cropSize(srcWidth: number, srcHeight: number, ratio: CropRatio): { width: number; height: number } {
  const [a, b] = UNITS[ratio];
  const fits = Math.floor(Math.min(srcWidth / a, srcHeight / b));
  const max = Math.floor(CROP_MAX_WIDTH / a);
  const min = Math.ceil(Math.sqrt(CROP_MIN_PIXELS / (a * b)));
  const n = Math.max(min, Math.min(fits, max));
  return { width: n * a, height: n * b };
}

/** A picture whose stored original we can crop. */
export type CroppableMedia = Media & { storageKey: string; width: number; height: number };

export function isCroppable(m: Media | null | undefined): m is CroppableMedia {
  return !!m && !!m.storageKey && !!m.width && !!m.height && m.width > 0 && m.height > 0;
}

/**
 * The crop URL's version: a hash of the stored original's key, which is itself a hash of the
 * picture's bytes. Another picture means another URL, so the old crop may be cached forever;
 * and the URL cannot be guessed from a media id alone (no crawling the library by number).
 */
export function cropVersion(storageKey: string): string {
  return createHash('sha256').update(`${SCHEME}\n${storageKey}`).digest('hex').slice(0, 16);
}

export function cropPath(m: { id: number; storageKey: string }, ratio: CropRatio): string {
  return `/media/crop/${m.id}/${cropVersion(m.storageKey)}/${ratio}.jpg`;
}

export interface CropFile {
  path: string;
  width: number;
  height: number;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** Renders crops on first request and keeps them under `<mediaDir>/crops/`. */
export class CropService {
  /** Concurrent first requests for one crop share one render. */
  private readonly pending = new Map<string, Promise<CropFile | undefined>>();

  constructor(
    private readonly store: Store,
    private readonly mediaDir: string,
  ) {}

  /** The crop's file, rendered if needed; undefined for an unknown picture, a stale version or an unreadable original. */
  async file(mediaId: number, version: string, ratio: CropRatio): Promise<CropFile | undefined> {
    const m = await getMedia(this.store.db, mediaId);
    if (!isCroppable(m) || cropVersion(m.storageKey) !== version) return undefined;
    const size = cropSize(m.width, m.height, ratio);
    const path = join(this.mediaDir, 'crops', version.slice(0, 2), `${version}-${ratio}.jpg`);
    if (await exists(path)) return { path, ...size };
    let job = this.pending.get(path);
    if (!job) {
      job = this.render(join(this.mediaDir, m.storageKey), path, size).finally(() => this.pending.delete(path));
      this.pending.set(path, job);
    }
    return job;
  }

  private async render(source: string, path: string, size: { width: number; height: number }): Promise<CropFile | undefined> {
    if (!(await exists(source))) return undefined;
    const jpeg = await sharp(source)
      .rotate()
      // `attention` keeps the most salient region (faces, contrast), not just the middle.
      .resize(size.width, size.height, { fit: 'cover', position: sharp.strategy.attention })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82, mozjpeg: true })
      .toBuffer();
    // Temp file + rename: another process rendering the same crop at once writes the same
    // bytes, and a reader never sees half a file.
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, jpeg, { flag: 'wx' });
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    return { path, ...size };
  }
}
