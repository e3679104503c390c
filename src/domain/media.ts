import { z } from 'zod';
import type { Media } from './article.js';

export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'gif'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** Renditions served to readers, best first in `<picture>`; JPEG is the `<img>` fallback. */
export const VARIANT_FORMATS = ['avif', 'webp', 'jpeg'] as const;
export type VariantFormat = (typeof VARIANT_FORMATS)[number];

/** One generated file: its pixel size and where it lives under the media directory. */
export interface MediaVariant {
  w: number;
  h: number;
  format: VariantFormat;
  key: string;
}

/** A picture as the media library lists it: what readers need plus who added it, when, how big. */
export interface MediaRecord extends Media {
  bytes: number | null;
  createdAt: string;
  uploadedBy: number | null;
}

// Empty text clears a field: the form sends "" for a box the editor emptied.
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `النص أطول من ${max} حرف`)
    .transform((s) => s || null)
    .nullable()
    .optional();

/** Caption, credit and alt text of a picture. A missing key leaves the stored value as it is. */
export const MediaMetaSchema = z.strictObject({
  alt: text(500),
  caption: text(500),
  credit: text(200),
});
export type MediaMetaInput = z.input<typeof MediaMetaSchema>;
export type MediaMeta = z.output<typeof MediaMetaSchema>;

export const MediaSearchSchema = z.strictObject({
  q: z.string().trim().max(200, 'عبارة البحث أطول من 200 حرف').default(''),
  page: z.number().int().min(1).max(1000).default(1),
});
