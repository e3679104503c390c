import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { findRoot } from './assets.js';
import { woffToSfnt } from './woff.js';

/**
 * The site's raster images for machines: app icons, the publisher logo search engines ask for,
 * and the card shown when a page has no picture of its own. Rendered once per process from the
 * site's SVG icon and name; stable URLs, since manifests and other sites link to them.
 */
export interface SiteImage {
  path: string;
  width: number;
  height: number;
  type: 'image/png';
}

export const SITE_IMAGES = {
  icon192: { path: '/icon-192.png', width: 192, height: 192, type: 'image/png' },
  icon512: { path: '/icon-512.png', width: 512, height: 512, type: 'image/png' },
  /** Full-bleed, its mark inside the central 80% circle a launcher's mask keeps. */
  maskableIcon: { path: '/icon-maskable-512.png', width: 512, height: 512, type: 'image/png' },
  appleTouchIcon: { path: '/apple-touch-icon.png', width: 180, height: 180, type: 'image/png' },
  /** Google's publisher logo rules: at most 600×60, wide rather than tall. */
  logo: { path: '/logo.png', width: 600, height: 60, type: 'image/png' },
  /** `og:image` for pages without a picture: 1.91:1, as social networks crop cards. */
  ogDefault: { path: '/og-default.png', width: 1200, height: 630, type: 'image/png' },
} as const satisfies Record<string, SiteImage>;

export type SiteImageName = keyof typeof SITE_IMAGES;

/** The icon's own blue (site.css's `--accent`): the browser chrome and splash match the mark. */
export const THEME_COLOR = '#0a5a8a';
/** The page background (site.css's light `--bg`), for the splash screen before the page paints. */
export const BACKGROUND_COLOR = '#ffffff';

/** 16 and 32 pixels, PNG inside ICO: what browsers and bots that ask for `/favicon.ico` expect. */
export const FAVICON = { path: '/favicon.ico', type: 'image/x-icon', sizes: [16, 32] } as const;

export interface BinaryBody {
  body: Buffer;
  /** A strong ETag, quoted. */
  etag: string;
}

export const binaryBody = (body: Buffer): BinaryBody => ({
  body,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
});

export type RenderedSiteImages = Record<SiteImageName | 'favicon', BinaryBody>;

const root = findRoot();
const ICON_SVG = readFileSync(join(root, 'src/web/assets/icon.svg'));
const FONT_WOFF = join(root, 'node_modules/@fontsource/noto-naskh-arabic/files/noto-naskh-arabic-arabic-700-normal.woff');
const FONT = 'Noto Naskh Arabic Bold';

function icon(size: number): Promise<Buffer> {
  // Rasterised at the target size (the viewBox is 64 units), not scaled from a small bitmap.
  return sharp(ICON_SVG, { density: (72 * size) / 64 }).resize(size, size).png().toBuffer();
}

let fontPath: string | undefined;
/**
 * The site's own Arabic face as a TrueType file sharp's fontconfig can load, so the name looks
 * as it does on the pages, whatever fonts the host has (servers often have none with Arabic).
 * Written once under the temp directory, named by content, renamed into place atomically.
 */
function fontFile(): string {
  if (fontPath) return fontPath;
  const ttf = woffToSfnt(readFileSync(FONT_WOFF));
  const path = join(tmpdir(), `nashra-naskh-700-${createHash('sha256').update(ttf).digest('hex').slice(0, 12)}.ttf`);
  if (!existsSync(path)) {
    const part = `${path}.${process.pid}.part`;
    writeFileSync(part, ttf);
    renameSync(part, path);
  }
  return (fontPath = path);
}

const markup = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The site name set in `color`, scaled to fit `width`×`height` (Pango picks the size); null when
 * it cannot be drawn, and the images then carry the icon alone.
 */
async function nameText(name: string, color: string, width: number, height: number): Promise<{ input: Buffer; width: number; height: number } | null> {
  try {
    const { data, info } = await sharp({
      text: { text: `<span foreground="${color}">${markup(name)}</span>`, font: FONT, fontfile: fontFile(), width, height, rgba: true, align: 'centre', wrap: 'word' },
    })
      .png()
      .toBuffer({ resolveWithObject: true });
    if (info.width > width || info.height > height || info.width === 0) return null;
    return { input: data, width: info.width, height: info.height };
  } catch {
    return null;
  }
}

function canvas(width: number, height: number, background: string) {
  return sharp({ create: { width, height, channels: 4, background } });
}

/** PNG payloads behind an ICONDIR and one ICONDIRENTRY each: Vista's format, read by every browser. */
export function icoOf(pngs: { size: number; png: Buffer }[]): Buffer {
  const head = Buffer.alloc(6 + 16 * pngs.length);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(1, 2); // 1: icon
  head.writeUInt16LE(pngs.length, 4);
  let offset = head.length;
  pngs.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i;
    head.writeUInt8(size >= 256 ? 0 : size, e);
    head.writeUInt8(size >= 256 ? 0 : size, e + 1);
    head.writeUInt16LE(1, e + 4); // colour planes
    head.writeUInt16LE(32, e + 6); // bits per pixel
    head.writeUInt32LE(png.length, e + 8);
    head.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([head, ...pngs.map((p) => p.png)]);
}

async function render(siteName: string): Promise<RenderedSiteImages> {
  const { logo, ogDefault } = SITE_IMAGES;
  const [i192, i512, i180, i60, i280, i16, i32] = await Promise.all([192, 512, 180, 60, 280, 16, 32].map(icon));
  // The logo reads right to left like the name: the mark at the right edge, the name beside it.
  const logoName = await nameText(siteName, THEME_COLOR, logo.width - logo.height - 12, 46);
  const logoPng = canvas(logo.width, logo.height, BACKGROUND_COLOR)
    .composite([
      { input: i60!, left: logo.width - logo.height, top: 0 },
      ...(logoName ? [{ input: logoName.input, left: logo.width - logo.height - 12 - logoName.width, top: Math.round((logo.height - logoName.height) / 2) }] : []),
    ])
    .png()
    .toBuffer();
  // The card: the mark over the name, white on the icon's blue (its rounded square melts into it).
  const ogName = await nameText(siteName, '#ffffff', 1040, 170);
  const markTop = ogName ? 80 : Math.round((ogDefault.height - 280) / 2);
  const ogPng = canvas(ogDefault.width, ogDefault.height, THEME_COLOR)
    .composite([
      { input: i280!, left: (ogDefault.width - 280) / 2, top: markTop },
      ...(ogName ? [{ input: ogName.input, left: Math.round((ogDefault.width - ogName.width) / 2), top: 400 + Math.round((170 - ogName.height) / 2) }] : []),
    ])
    .png()
    .toBuffer();
  const [maskable, apple, logoBuf, ogBuf] = await Promise.all([
    canvas(512, 512, THEME_COLOR).composite([{ input: i512! }]).png().toBuffer(),
    // iOS rounds the corners itself and shows transparent ones black: fill them.
    sharp(i180!).flatten({ background: THEME_COLOR }).png().toBuffer(),
    logoPng,
    ogPng,
  ]);
  return {
    icon192: binaryBody(i192!),
    icon512: binaryBody(i512!),
    maskableIcon: binaryBody(maskable),
    appleTouchIcon: binaryBody(apple),
    logo: binaryBody(logoBuf),
    ogDefault: binaryBody(ogBuf),
    favicon: binaryBody(icoOf([{ size: 16, png: i16! }, { size: 32, png: i32! }])),
  };
}

// Per site name, for the whole process: tests build many apps, and the images never change under one name.
const rendered = new Map<string, Promise<RenderedSiteImages>>();

export function siteImages(siteName: string): Promise<RenderedSiteImages> {
  let p = rendered.get(siteName);
  if (!p) {
    p = render(siteName);
    rendered.set(siteName, p);
    // A failure must not stick: the next request tries again.
    p.catch(() => rendered.delete(siteName));
  }
  return p;
}
