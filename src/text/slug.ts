// Harakat, Quranic marks, superscript alef, tatweel: invisible in a URL bar and never typed.
const MARKS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/g;
const BIDI = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A readable URL segment from a headline: Arabic and Latin letters and digits joined by `-`,
 * cut at a word boundary. Arabic stays Arabic; links percent-encode it (`encodeURIComponent`).
 */
export function slugify(text: string, maxLength = 80): string {
  const words = text
    .normalize('NFKC')
    .replace(MARKS, '')
    .replace(BIDI, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  let slug = '';
  for (const w of words) {
    const next = slug ? `${slug}-${w}` : w;
    if (next.length > maxLength) break;
    slug = next;
  }
  return slug || (words[0] ?? '').slice(0, maxLength);
}
