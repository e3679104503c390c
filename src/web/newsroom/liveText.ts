import { embedProvider, type Block, type Span } from '../../domain/blocks.js';
import { TooLargeError } from '../../domain/errors.js';
import { MAX_ENTRY_CHARS } from '../../domain/live.js';
import { markupToSpans, spansToMarkup } from './inlineMarkup.js';

/**
 * The console's compose box: plain text in, entry blocks out, so a reporter on a phone (or
 * without JavaScript) posts with one textarea. Blocks are separated by blank lines:
 *
 * - a block that is only an https URL of a video, a post or a stream becomes an embed; any other
 *   lone URL becomes a paragraph linking to it;
 * - `> ` at the start of every line: a quote; a last line `— الاسم` names the speaker;
 * - `## ` a subheading; lines starting `- ` a list, `1. ` a numbered list;
 * - `![التعليق](media:12 "المصدر")` a picture from the library;
 * - anything else a paragraph, with the editor's inline marks (`**عريض**`, `_مائل_`, `[نص](https://…)`).
 *
 * `blocksToText` writes blocks back in this syntax, so an entry's edit box round-trips.
 */

const URL_LINE = /^https:\/\/\S+$/;
const IMAGE_LINE = /^!\[([^\]]*)\]\(media:(\d{1,10})(?: "([^"]*)")?\)$/;
const SPEAKER_LINE = /^[—–-]{1,2} ?(.+)$/;

/** Marks and URLs make the syntax longer than its visible text; past this it cannot fit an entry anyway. */
export const MAX_COMPOSE_CHARS = MAX_ENTRY_CHARS * 4;

export function textToBlocks(text: string): Block[] {
  // Refused before parsing: the exact limits are the service's, on the blocks.
  if (text.length > MAX_COMPOSE_CHARS) throw new TooLargeError(`المدخل أطول من المسموح: ${MAX_ENTRY_CHARS} حرف على الأكثر`);
  const chunks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((c) => c.split('\n').map((l) => l.trim()).filter(Boolean))
    .filter((lines) => lines.length > 0);
  return chunks.map(chunkToBlock).filter((b): b is Block => b !== null);
}

function chunkToBlock(lines: string[]): Block | null {
  const first = lines[0]!;
  if (lines.length === 1 && URL_LINE.test(first)) {
    const provider = embedProvider(first);
    return provider ? { type: 'embed', url: first, provider } : { type: 'paragraph', spans: [{ text: first, href: first }] };
  }
  const image = lines.length === 1 ? IMAGE_LINE.exec(first) : null;
  if (image) {
    const [, caption, id, credit] = image;
    return { type: 'image', mediaId: Number(id), ...(caption?.trim() ? { caption: caption.trim() } : {}), ...(credit?.trim() ? { credit: credit.trim() } : {}) };
  }
  if (lines.length === 1 && first.startsWith('## ')) return { type: 'subheading', text: first.slice(3).trim() };
  if (lines.every((l) => l.startsWith('>') || SPEAKER_LINE.test(l)) && first.startsWith('>')) return quote(lines);
  if (lines.every((l) => /^- /.test(l))) return list(lines.map((l) => l.slice(2)), false);
  if (lines.every((l) => /^\d{1,3}[.)] /.test(l))) return list(lines.map((l) => l.replace(/^\d{1,3}[.)] /, '')), true);
  const spans = markupToSpans(lines.join('\n'));
  return spans.length ? { type: 'paragraph', spans } : null;
}

function quote(lines: string[]): Block | null {
  const last = lines.at(-1)!;
  const speaker = !last.startsWith('>') ? SPEAKER_LINE.exec(last)?.[1]?.trim() : undefined;
  const body = lines.filter((l) => l.startsWith('>')).map((l) => l.replace(/^> ?/, ''));
  const spans = markupToSpans(body.join('\n'));
  if (!spans.length) return null;
  return { type: 'quote', spans, ...(speaker ? { speaker } : {}) };
}

function list(items: string[], ordered: boolean): Block | null {
  const spans = items.map((i) => markupToSpans(i.trim())).filter((s): s is [Span, ...Span[]] => s.length > 0);
  return spans.length ? { type: 'list', ordered, items: spans } : null;
}

/** The compose syntax for existing blocks: what an entry's edit box is prefilled with. */
export function blocksToText(blocks: readonly Block[]): string {
  return blocks.map(blockToText).join('\n\n');
}

function blockToText(b: Block): string {
  switch (b.type) {
    case 'paragraph':
      // A paragraph that is only a link to itself was typed as a bare URL.
      if (b.spans.length === 1 && b.spans[0]!.href === b.spans[0]!.text && URL_LINE.test(b.spans[0]!.text)) return b.spans[0]!.text;
      return spansToMarkup(b.spans);
    case 'quote': {
      const body = spansToMarkup(b.spans).split('\n').map((l) => `> ${l}`);
      return [...body, ...(b.speaker ? [`— ${b.speaker}`] : [])].join('\n');
    }
    case 'subheading':
      return `## ${b.text}`;
    case 'list':
      return b.items.map((item, i) => `${b.ordered ? `${i + 1}. ` : '- '}${spansToMarkup(item)}`).join('\n');
    case 'image':
      return `![${b.caption ?? ''}](media:${b.mediaId}${b.credit ? ` "${b.credit.replace(/"/g, '”')}"` : ''})`;
    case 'embed':
      return b.url;
  }
}
