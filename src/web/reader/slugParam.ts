/** Longest slug a reader URL may carry; real ones are far shorter. */
export const MAX_SLUG = 300;

/**
 * Whether a path segment could be a slug at all. Control characters and lone surrogates can
 * never be in one (slugify makes letters, digits and hyphens), and PostgreSQL refuses a NUL in
 * text outright: asking it would turn `/section/%00` into a 500 instead of the 404 it is.
 */
export function isSlugParam(s: string): boolean {
  return s.length > 0 && s.length <= MAX_SLUG && !/[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}
