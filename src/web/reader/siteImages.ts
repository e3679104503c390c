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
  appleTouchIcon: { path: '/apple-touch-icon.png', width: 180, height: 180, type: 'image/png' },
  /** Google's publisher logo rules: at most 600×60, wide rather than tall. */
  logo: { path: '/logo.png', width: 600, height: 60, type: 'image/png' },
  /** `og:image` for pages without a picture: 1.91:1, as social networks crop cards. */
  ogDefault: { path: '/og-default.png', width: 1200, height: 630, type: 'image/png' },
} as const satisfies Record<string, SiteImage>;
