import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import { assetUrl } from './assets.js';
import { encode, sendEncoded } from './pageCache.js';
import { BACKGROUND_COLOR, FAVICON, SITE_IMAGES, siteImages, THEME_COLOR, type BinaryBody, type SiteImageName } from './siteImages.js';

/** Stable URLs others link to: a day, then revalidated by ETag. */
export const MACHINE_CACHE_CONTROL = 'public, max-age=86400';
export const MANIFEST_PATH = '/manifest.webmanifest';

/** PNG and ICO are compressed already: sent as they are, with a strong ETag and 304. */
function sendBinary(req: FastifyRequest, reply: FastifyReply, b: BinaryBody, type: string): FastifyReply {
  reply.header('cache-control', MACHINE_CACHE_CONTROL).header('etag', b.etag);
  const inm = req.headers['if-none-match'];
  if (inm && (inm.includes(b.etag) || inm.trim() === '*')) return reply.code(304).send();
  return reply.type(type).send(b.body);
}

/** At most 12 characters, as launchers cut longer ones: the leading words that fit, else a cut. */
function shortName(name: string): string {
  const chars = [...name];
  if (chars.length <= 12) return name;
  let out = '';
  for (const w of name.split(/\s+/)) {
    const next = out ? `${out} ${w}` : w;
    if ([...next].length > 12) break;
    out = next;
  }
  return out || chars.slice(0, 12).join('');
}

export function webManifest(siteName: string) {
  const png = (name: SiteImageName, purpose: 'any' | 'maskable') => {
    const i = SITE_IMAGES[name];
    return { src: i.path, sizes: `${i.width}x${i.height}`, type: i.type, purpose };
  };
  return {
    id: '/',
    name: siteName,
    short_name: shortName(siteName),
    lang: 'ar',
    dir: 'rtl',
    start_url: '/',
    scope: '/',
    // An installed news site opens in its own window; the pages carry their own navigation.
    display: 'standalone',
    background_color: BACKGROUND_COLOR,
    theme_color: THEME_COLOR,
    categories: ['news'],
    icons: [
      png('icon192', 'any'),
      png('icon512', 'any'),
      png('maskableIcon', 'maskable'),
      { src: assetUrl('icon.svg'), sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    ],
  };
}

/** The files browsers, launchers and bots fetch by well-known name: manifest, icons, logo, card, favicon. */
export async function machineFiles(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { siteName } = opts.services.config;
  const route = { compress: false, decompress: false } as const;
  const manifest = await encode(JSON.stringify(webManifest(siteName)));
  app.get(MANIFEST_PATH, route, (req, reply) => sendEncoded(req, reply, manifest, 'application/manifest+json', MACHINE_CACHE_CONTROL));

  // Rendered on first request, not at start: most processes (and tests) never serve them.
  for (const name of Object.keys(SITE_IMAGES) as SiteImageName[]) {
    const image = SITE_IMAGES[name];
    app.get(image.path, route, async (req, reply) => sendBinary(req, reply, (await siteImages(siteName))[name], image.type));
  }
  app.get(FAVICON.path, route, async (req, reply) => sendBinary(req, reply, (await siteImages(siteName)).favicon, FAVICON.type));
}
