// Arabic-Indic (U+0660–0669) and Extended Arabic-Indic / Persian (U+06F0–06F9) digits.
const ARABIC_INDIC = /[\u0660-\u0669\u06f0-\u06f9]/g;

/** `٢٠٢١.٠٦.٢٨` → `2021.06.28`; every other character is left as it is. */
export function toLatinDigits(s: string): string {
  return s.replace(ARABIC_INDIC, (d) => {
    const code = d.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}
