// Harakat, Quranic marks, superscript alef and tatweel: present or not, the word is the same.
const MARKS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/g;

/**
 * Folds spelling variants that are the same word to a reader: marks and tatweel dropped,
 * hamzated alefs to bare alef, ta marbuta to ha, alef maqsura (and Persian yeh) to ya.
 * Presentation forms and ligatures are unfolded first (NFKC). Spaces are collapsed, not removed.
 */
export function foldArabic(s: string): string {
  return s
    .normalize('NFKC')
    .replace(MARKS, '')
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ة/g, 'ه')
    .replace(/[ىی]/g, 'ي')
    .replace(/ک/g, 'ك')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}
