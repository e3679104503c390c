/**
 * Checks a page's JSON-LD against what issue 6 asks of it (Google's rules for news articles,
 * breadcrumbs and the sitelinks search box). Used by the tests; returns the problems found,
 * each as `Type.property: what is wrong`, and an empty list when the markup is valid.
 */

export interface ImageSize {
  width: number;
  height: number;
}

/** Fetches an image and reads its pixel size; null when it cannot be fetched or read. */
export type ImageSizer = (url: string) => Promise<ImageSize | null>;

export interface ValidateOptions {
  imageSize: ImageSizer;
  /** Types the page must carry (e.g. `NewsArticle` and `BreadcrumbList` on an article page). */
  require?: readonly string[];
  /**
   * Images allowed to stand alone in a `NewsArticle`'s `image` instead of the three ratios:
   * the site's default card, used for articles that have no picture.
   */
  fallbackImages?: readonly string[];
}

export const HEADLINE_MAX = 110;
export const MIN_IMAGE_PIXELS = 50_000;
const RATIOS = [
  ['16:9', 16 / 9],
  ['4:3', 4 / 3],
  ['1:1', 1],
] as const;
/** Aspect ratios may be off by this fraction (rounding to whole pixels). */
const RATIO_TOLERANCE = 0.01;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const typesOf = (o: Obj): string[] => list(o['@type']).filter((t): t is string => typeof t === 'string');
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

function isAbsoluteUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** ISO 8601 date-time with seconds optional, and a zone: `Z` or `±hh:mm`. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A URL from a string, an `ImageObject`/`EntryPoint`-like object, or an `@id` reference. */
function urlOf(v: unknown, key = 'url'): unknown {
  return isObj(v) ? (v[key] ?? v['@id']) : v;
}

async function checkNewsArticle(o: Obj, opts: ValidateOptions, problems: string[]): Promise<void> {
  const p = (prop: string, msg: string) => problems.push(`NewsArticle.${prop}: ${msg}`);
  if (o['@context'] !== 'https://schema.org' && o['@context'] !== 'http://schema.org') p('@context', 'not schema.org');
  if (!isAbsoluteUrl(urlOf(o.mainEntityOfPage, '@id'))) p('mainEntityOfPage', 'missing or not an absolute URL');
  if (o.url !== undefined && !isAbsoluteUrl(o.url)) p('url', 'not an absolute URL');

  if (!nonEmpty(o.headline)) p('headline', 'missing or empty');
  else if (o.headline.length > HEADLINE_MAX) p('headline', `${o.headline.length} characters, more than ${HEADLINE_MAX}`);

  await checkImages(list(o.image).map((i) => urlOf(i)), opts, (msg) => p('image', msg));

  const dates: Record<string, number> = {};
  for (const key of ['datePublished', 'dateModified'] as const) {
    const v = o[key];
    if (typeof v !== 'string' || !ISO_WITH_OFFSET.test(v) || Number.isNaN(Date.parse(v))) p(key, `not ISO 8601 with a time zone offset: ${JSON.stringify(v)}`);
    else dates[key] = Date.parse(v);
  }
  if (dates.datePublished !== undefined && dates.dateModified !== undefined && dates.dateModified < dates.datePublished) {
    p('dateModified', 'earlier than datePublished');
  }

  const publisher = o.publisher;
  if (!isObj(publisher) || !typesOf(publisher).includes('Organization')) p('publisher', 'not an Organization');
  else {
    if (!nonEmpty(publisher.name)) p('publisher.name', 'missing');
    const logo = publisher.logo;
    if (!isObj(logo) || !typesOf(logo).includes('ImageObject')) p('publisher.logo', 'not an ImageObject');
    else if (!isAbsoluteUrl(logo.url)) p('publisher.logo.url', 'missing or not an absolute URL');
  }

  const authors = o.author;
  if (!Array.isArray(authors) || authors.length === 0) p('author', 'not a non-empty array');
  else {
    authors.forEach((a, i) => {
      // The one accepted Organization: the publisher itself, for an article without a byline.
      const newsroom =
        authors.length === 1 && isObj(a) && isObj(publisher) && typesOf(a).includes('Organization') && a.name === publisher.name;
      if (!isObj(a) || (!typesOf(a).includes('Person') && !newsroom)) return void p(`author[${i}]`, 'not a Person');
      if (!nonEmpty(a.name)) p(`author[${i}].name`, 'missing');
      if (!isAbsoluteUrl(a.url)) p(`author[${i}].url`, 'missing or not an absolute URL');
    });
  }

  if (!nonEmpty(o.articleSection)) p('articleSection', 'missing');
  if (o.inLanguage !== 'ar') p('inLanguage', `expected "ar", got ${JSON.stringify(o.inLanguage)}`);
}

/** Three images, 16:9, 4:3 and 1:1 within 1 %, each of at least 50,000 pixels; or one allowed fallback. */
async function checkImages(urls: unknown[], opts: ValidateOptions, p: (msg: string) => void): Promise<void> {
  if (urls.length === 0) return p('missing');
  const bad = urls.filter((u) => !isAbsoluteUrl(u));
  if (bad.length) return p(`not absolute URLs: ${JSON.stringify(bad)}`);
  const sizes = await Promise.all((urls as string[]).map(async (u) => ({ url: u, size: await opts.imageSize(u) })));
  for (const { url, size } of sizes) {
    if (!size) p(`${url} could not be fetched or read`);
    else if (size.width * size.height < MIN_IMAGE_PIXELS) p(`${url} is ${size.width}×${size.height}, fewer than ${MIN_IMAGE_PIXELS} pixels`);
  }
  if (urls.length === 1 && opts.fallbackImages?.includes(urls[0] as string)) return;
  for (const [name, ratio] of RATIOS) {
    const found = sizes.some(({ size }) => size && Math.abs(size.width / size.height / ratio - 1) <= RATIO_TOLERANCE);
    if (!found) p(`no ${name} image`);
  }
}

function checkBreadcrumbs(o: Obj, problems: string[]): void {
  const p = (prop: string, msg: string) => void problems.push(`BreadcrumbList.${prop}: ${msg}`);
  const items = o.itemListElement;
  if (!Array.isArray(items) || items.length === 0) return p('itemListElement', 'not a non-empty array');
  items.forEach((it, i) => {
    if (!isObj(it) || !typesOf(it).includes('ListItem')) return void p(`itemListElement[${i}]`, 'not a ListItem');
    if (it.position !== i + 1) p(`itemListElement[${i}].position`, `expected ${i + 1}, got ${JSON.stringify(it.position)}`);
    if (!nonEmpty(it.name) && !(isObj(it.item) && nonEmpty(it.item.name))) p(`itemListElement[${i}].name`, 'missing');
    if (!isAbsoluteUrl(urlOf(it.item, '@id'))) p(`itemListElement[${i}].item`, 'missing or not an absolute URL');
  });
}

function checkWebSite(o: Obj, problems: string[]): void {
  const p = (prop: string, msg: string) => void problems.push(`WebSite.${prop}: ${msg}`);
  if (!isAbsoluteUrl(o.url)) p('url', 'missing or not an absolute URL');
  if (!nonEmpty(o.name)) p('name', 'missing');
  const action = list(o.potentialAction).find((a) => isObj(a) && typesOf(a).includes('SearchAction')) as Obj | undefined;
  if (!action) return p('potentialAction', 'no SearchAction');
  const target = list(action.target).map((t) => urlOf(t, 'urlTemplate'));
  if (!target.some((t) => isAbsoluteUrl(t) && t.includes('{search_term_string}'))) {
    p('potentialAction.target', 'no absolute URL template with {search_term_string}');
  }
  const input = action['query-input'];
  const inputText = isObj(input) ? `${input.valueRequired ? 'required ' : ''}name=${String(input.valueName)}` : input;
  if (typeof inputText !== 'string' || !/\bname=search_term_string\b/.test(inputText)) {
    p('potentialAction.query-input', 'does not name search_term_string');
  }
}

/** All problems of the page's JSON-LD objects (as `extractJsonLd` returns them). */
export async function validateStructuredData(objects: readonly unknown[], opts: ValidateOptions): Promise<string[]> {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, o] of objects.entries()) {
    if (o instanceof Error) {
      problems.push(`script[${i}]: not JSON (${o.message})`);
      continue;
    }
    if (!isObj(o)) {
      problems.push(`script[${i}]: not an object`);
      continue;
    }
    const types = typesOf(o);
    types.forEach((t) => seen.add(t));
    if (types.includes('NewsArticle')) await checkNewsArticle(o, opts, problems);
    if (types.includes('BreadcrumbList')) checkBreadcrumbs(o, problems);
    if (types.includes('WebSite')) checkWebSite(o, problems);
  }
  for (const t of opts.require ?? []) if (!seen.has(t)) problems.push(`${t}: missing from the page`);
  return problems;
}
