import type { ArticleFields } from '../articleForm.js';
import { markupPlainText } from '../inlineMarkup.js';

/** Arabic news prose is read at about 180 words a minute (slower than English: longer words, fewer short ones). */
export const WORDS_PER_MINUTE = 180;

// The same rule as editor.ts in the browser, so the count does not jump when the script starts.
const segmenter = new Intl.Segmenter('ar', { granularity: 'word' });

export function countWords(text: string): number {
  let n = 0;
  for (const s of segmenter.segment(text)) if (s.isWordLike) n++;
  return n;
}

/** Words of the body as readers see them: marks and link addresses are not words. */
export function bodyWords(f: ArticleFields): number {
  return f.blocks.reduce((n, b) => {
    if (b.type === 'list') return n + countWords(b.items.split('\n').map(markupPlainText).join('\n'));
    if (b.type === 'paragraph' || b.type === 'quote' || b.type === 'subheading') return n + countWords(markupPlainText(b.text));
    return n;
  }, 0);
}

/** Arabic counts agree with the number: دقيقة واحدة، دقيقتان، ٣–١٠ دقائق، ١١ دقيقة فأكثر. */
export function readingTimeText(words: number): string {
  if (words === 0) return '—';
  const m = Math.max(1, Math.round(words / WORDS_PER_MINUTE));
  if (m === 1) return 'دقيقة واحدة';
  if (m === 2) return 'دقيقتان';
  return m <= 10 ? `${m} دقائق` : `${m} دقيقة`;
}
