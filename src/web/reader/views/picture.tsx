import type { Media } from '../../../domain/article.js';
import type { MediaVariant, VariantFormat } from '../../../domain/media.js';
import { variantKey } from '../../../services/media.js';

/** What media stored before variants were recorded have beside the original: two WebP widths. */
const LEGACY_WIDTHS = [480, 960];
/** The `src` for browsers that ignore `srcset`: a width that suits a phone and a laptop column. */
const SRC_WIDTH = 960;

type Shown = Media & { storageKey: string; width: number; height: number };

function srcset(list: readonly { url: string; w: number }[]): string {
  return list.map((v) => `${v.url} ${v.w}w`).join(', ');
}

function ofFormat(variants: readonly MediaVariant[], format: VariantFormat) {
  return variants
    .filter((v) => v.format === format)
    .sort((a, b) => a.w - b.w)
    .map((v) => ({ url: `/media/${v.key}`, w: v.w }));
}

/** Media from before variants were recorded: WebP at 480 and 960, by the width each really has. */
function legacySet(m: Shown): { url: string; w: number }[] {
  const seen = new Set<number>();
  return LEGACY_WIDTHS.flatMap((w) => {
    const real = Math.min(w, m.width);
    if (seen.has(real)) return [];
    seen.add(real);
    return [{ url: `/media/${variantKey(m.storageKey, w, 'webp')}`, w: real }];
  });
}

/**
 * `<picture>`: AVIF, then WebP, each with every width, and a JPEG `<img>` for the rest. The
 * `<img>` carries the displayed size, so the page does not shift when the picture arrives.
 */
export function Img({ media, alt, lazy, sizes }: { media: Media; alt: string; lazy: boolean; sizes: string }) {
  const { storageKey, width, height } = media;
  if (!storageKey || !width || !height) return null;
  const shown: Shown = { ...media, storageKey, width, height };
  const attrs = { width, height, alt, loading: lazy ? ('lazy' as const) : ('eager' as const), decoding: 'async' as const };

  if (media.variants === null) {
    const set = legacySet(shown);
    return <img src={set.at(-1)!.url} srcset={srcset(set)} sizes={sizes} {...attrs} />;
  }
  const jpeg = ofFormat(media.variants, 'jpeg');
  if (jpeg.length === 0) return <img src={`/media/${storageKey}`} {...attrs} />;
  const avif = ofFormat(media.variants, 'avif');
  const webp = ofFormat(media.variants, 'webp');
  const src = jpeg.filter((v) => v.w <= SRC_WIDTH).at(-1) ?? jpeg[0]!;
  return (
    <picture>
      {avif.length > 0 && <source type="image/avif" srcset={srcset(avif)} sizes={sizes} />}
      {webp.length > 0 && <source type="image/webp" srcset={srcset(webp)} sizes={sizes} />}
      <img src={src.url} srcset={srcset(jpeg)} sizes={sizes} {...attrs} />
    </picture>
  );
}
