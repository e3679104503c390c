import { DateTime } from 'luxon';
import type { Site } from '../views/layout.js';

export type Json = Record<string, unknown>;

/**
 * A JSON-LD object as the text of a `<script type="application/ld+json">`: `<` is escaped, so
 * no headline or name can close the script element (`</script>`) or open a comment.
 */
export function jsonLdText(data: Json): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

/**
 * ISO 8601 with the offset of the article's own zone (`2021-06-28T17:39:00+03:00`): the same
 * wall-clock time the page shows, and an instant no reader of the markup can misplace.
 */
export function zonedIso(utcIso: string, zone: string): string {
  const dt = DateTime.fromISO(utcIso, { zone: 'utc' }).setZone(zone);
  return (dt.isValid ? dt : DateTime.fromISO(utcIso, { zone: 'utc' })).toISO({ suppressMilliseconds: true })!;
}

/** The search path the site's search box submits to; `{search_term_string}` is schema.org's placeholder. */
export const SEARCH_URL_TEMPLATE = '/search?q={search_term_string}';

/** The home page's `WebSite`, with the `SearchAction` that lets search engines offer a site search box. */
export function webSiteJsonLd(site: Site): string {
  return jsonLdText({
    '@context': 'https://schema.org',
    '@type': 'WebSite',
    '@id': `${site.baseUrl}/#website`,
    url: `${site.baseUrl}/`,
    name: site.name,
    inLanguage: 'ar',
    potentialAction: {
      '@type': 'SearchAction',
      target: { '@type': 'EntryPoint', urlTemplate: site.baseUrl + SEARCH_URL_TEMPLATE },
      'query-input': 'required name=search_term_string',
    },
  });
}
