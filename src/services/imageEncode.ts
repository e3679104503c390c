import sharp, { type Channels, type Sharp } from 'sharp';
import type { ImageFormat, MediaVariant, VariantFormat } from '../domain/media.js';
import { MAX_IMAGE_PIXELS, type CheckedImage } from './imageCheck.js';

/**
 * Pixels are decoded only with these. `failOn: 'error'` refuses a truncated or damaged file
 * ('none' would render the missing part grey) yet accepts the harmless oddities browsers show
 * fine, such as stray bytes between JPEG markers, which sharp's default 'warning' refuses. The
 * pixel limit backs up the header check. EXIF orientation is applied.
 */
const DECODE = { failOn: 'error', limitInputPixels: MAX_IMAGE_PIXELS, autoOrient: true } as const;

export interface EncodeOptions {
  /**
   * For bulk loads whose pictures readers will not weigh (the demo's placeholders): AVIF
   * effort 0 and WebP effort 2, about a third of the CPU, for files up to 25 % larger.
   */
  fast?: boolean;
}

/**
 * AVIF is what most readers download, so it gets the CPU: effort 2 encodes a 1200×675 photo's
 * four widths in about 0.44 s of CPU, effort 4 (libheif's default) in 2.3 s for files 7-13 %
 * smaller, effort 0 in 0.07 s for files up to 25 % larger. 4:2:0 suits photos.
 * JPEG is the fallback few browsers fetch: plain libjpeg, as mozjpeg's 15 % costs 3× the time.
 */
const ENCODE: Record<VariantFormat, (s: Sharp, alpha: boolean, fast: boolean) => Sharp> = {
  avif: (s, _, fast) => s.avif({ quality: 50, effort: fast ? 0 : 2, chromaSubsampling: '4:2:0' }),
  webp: (s, _, fast) => s.webp({ quality: 72, effort: fast ? 2 : 4 }),
  // JPEG has no alpha: transparent parts go white rather than libvips's black.
  jpeg: (s, alpha) => (alpha ? s.flatten({ background: '#ffffff' }) : s).jpeg({ quality: 75, progressive: true }),
};

/** The kept copy, in the uploaded format. sharp writes no EXIF, XMP, IPTC or ICC unless asked. */
function encodeMaster(s: Sharp, format: ImageFormat): Sharp {
  switch (format) {
    case 'jpeg':
      return s.jpeg({ quality: 90 });
    case 'png':
      return s.png();
    case 'webp':
      return s.webp({ quality: 90 });
    case 'avif':
      return s.avif({ quality: 65, effort: 2 });
    case 'gif':
      return s.gif();
  }
}

export interface Rendered {
  master: Buffer;
  /** Variant bytes by key. */
  files: Map<string, Buffer>;
}

/**
 * Decodes once for the master and once, shrunk to the largest variant, for all the variants;
 * both decodes read every pixel, which is what finds a truncated file. Animated GIF and WebP
 * keep their frames in the master; variants are stills of the first frame, as article pages
 * show photos, not animations. Everything stays in memory: the caller writes only once all
 * encodes succeeded.
 */
export async function renderImage(data: Buffer, img: CheckedImage, variants: readonly MediaVariant[], opts: EncodeOptions = {}): Promise<Rendered> {
  const top = variants.at(-1)!;
  const [master, base] = await Promise.all([
    encodeMaster(sharp(data, { ...DECODE, animated: img.animated }), img.format).toBuffer(),
    sharp(data, DECODE).resize(top.w, top.h, { fit: 'fill' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true }),
  ]);
  const raw = { width: base.info.width, height: base.info.height, channels: base.info.channels as Channels };
  const alpha = raw.channels === 4;
  const encoded = await Promise.all(
    variants.map((v) => {
      const s = sharp(base.data, { raw });
      return ENCODE[v.format](v.w === top.w ? s : s.resize(v.w, v.h, { fit: 'fill' }), alpha, !!opts.fast).toBuffer();
    }),
  );
  return { master, files: new Map(variants.map((v, i) => [v.key, encoded[i]!])) };
}
