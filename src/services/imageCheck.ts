import sharp, { type Metadata } from 'sharp';
import type { ImageFormat } from '../domain/media.js';
import { ValidationError } from '../domain/errors.js';

export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** Decoded pixels we accept: 50 MP is 200 MB as RGBA, and far above any news photo. */
export const MAX_IMAGE_PIXELS = 50_000_000;

export type ImageRejection = 'empty' | 'too_large' | 'unsupported_type' | 'too_many_pixels' | 'corrupt';

/** Arabic for the newsroom screen; the English message (with the file name) is for logs and the CLI. */
const ARABIC: Record<ImageRejection, string> = {
  empty: 'الملف فارغ',
  too_large: 'الملف أكبر من 20 ميغابايت',
  unsupported_type: 'نوع الملف غير مدعوم: الصيغ المقبولة JPEG وPNG وWebP وAVIF وGIF',
  too_many_pixels: 'أبعاد الصورة أكبر من الحد المسموح (50 ميغابكسل)',
  corrupt: 'الصورة تالفة أو ناقصة',
};

/**
 * An upload refused before anything was written. A ValidationError, so every caller that
 * already shows those (the importer, the API's 4xx mapping) handles it; `reason` lets the API
 * pick 413 or 415 where that says more than 400.
 */
export class ImageRejectedError extends ValidationError {
  constructor(
    readonly reason: ImageRejection,
    message: string,
  ) {
    super(message, [{ path: 'file', message: ARABIC[reason] }]);
    this.name = 'ImageRejectedError';
  }
}

/**
 * A file name as the user gave it, made safe to store and show: no folders, no control or
 * bidi-override characters (they could disguise `gpj.exe` as `exe.jpg`), bounded length. It is
 * only ever a label: files are stored under a content hash.
 */
export function displayName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  return clean.slice(0, 200) || 'image';
}

function isoBrands(b: Buffer): string[] {
  const size = b.readUInt32BE(0);
  const end = Math.min(size >= 16 ? size : 16, b.length, 256);
  const brands = [b.toString('latin1', 8, 12)];
  for (let i = 16; i + 4 <= end; i += 4) brands.push(b.toString('latin1', i, i + 4));
  return brands;
}

/**
 * The type by magic number, never by name or declared MIME type. HEIF containers are told
 * apart later by their codec (AV1 is AVIF; HEVC, the iPhone's HEIC, is refused).
 */
export function sniffImageType(b: Buffer): ImageFormat | 'heif' | null {
  if (b.length < 12) return null;
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  const head = b.toString('latin1', 0, 6);
  if (head === 'GIF87a' || head === 'GIF89a') return 'gif';
  if (b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 16 && b.toString('latin1', 4, 8) === 'ftyp') {
    const brands = isoBrands(b);
    if (brands.some((x) => x === 'avif' || x === 'avis')) return 'avif';
    if (brands.some((x) => ['mif1', 'msf1', 'heic', 'heix', 'hevc', 'hevx', 'heim', 'heis'].includes(x))) return 'heif';
  }
  return null;
}

export interface CheckedImage {
  format: ImageFormat;
  /** Size as displayed, after the EXIF orientation is applied. */
  width: number;
  height: number;
  hasAlpha: boolean;
  /** GIF or WebP with more than one frame: the master keeps them, variants show the first. */
  animated: boolean;
}

const megapixels = (n: number) => (n / 1e6).toFixed(1);

/**
 * Everything that can be known without decoding pixels: size, type and declared dimensions.
 * The pixel limit is checked here, on the header, so a decompression bomb (a small file that
 * declares a huge canvas) is refused before libvips allocates anything for it.
 */
export async function checkImage(data: Buffer, name: string): Promise<CheckedImage> {
  if (data.length === 0) throw new ImageRejectedError('empty', `${name}: the file is empty`);
  if (data.length > MAX_IMAGE_BYTES) {
    throw new ImageRejectedError('too_large', `${name}: the file is larger than 20 MB`);
  }
  const sniffed = sniffImageType(data);
  const unsupported = () =>
    new ImageRejectedError(
      'unsupported_type',
      `${name}: not a JPEG, PNG, WebP, AVIF or GIF image (the type is read from the content, not the file name)`,
    );
  if (!sniffed) throw unsupported();

  let meta: Metadata;
  try {
    // No pixel limit on the header read: we want the dimensions to refuse with a clear message.
    meta = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw new ImageRejectedError('corrupt', `${name}: the image header cannot be read (damaged file)`);
  }
  let format: ImageFormat;
  if (meta.format === 'heif' && (sniffed === 'avif' || sniffed === 'heif')) {
    if (meta.compression !== 'av1') {
      throw new ImageRejectedError('unsupported_type', `${name}: HEIC images are not supported; export the photo as JPEG`);
    }
    format = 'avif';
  } else if (sniffed !== 'heif' && sniffed !== 'avif' && meta.format === sniffed) {
    format = sniffed;
  } else {
    throw unsupported(); // the magic number and the decoder disagree: a polyglot or a broken file
  }

  const { width, height } = meta;
  if (!width || !height) throw new ImageRejectedError('corrupt', `${name}: the image has no dimensions`);
  const frames = meta.pages ?? 1;
  const animated = frames > 1 && (format === 'gif' || format === 'webp');
  const pixels = width * height * (animated ? frames : 1);
  if (pixels > MAX_IMAGE_PIXELS) {
    const what = animated ? `${frames} frames of ${width}×${height}` : `${width}×${height}`;
    throw new ImageRejectedError(
      'too_many_pixels',
      `${name}: the image is ${what} pixels (${megapixels(pixels)} megapixels); the limit is ${megapixels(MAX_IMAGE_PIXELS)} megapixels`,
    );
  }
  const o = meta.autoOrient ?? { width, height };
  return { format, width: o.width, height: o.height, hasAlpha: meta.hasAlpha, animated };
}
