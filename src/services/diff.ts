import { diffArrays } from 'diff';
import { blockText, type Block } from '../domain/blocks.js';
import type { RevisionContent } from '../domain/revision.js';

export type DiffOp = 'same' | 'added' | 'removed';
export interface DiffPart {
  op: DiffOp;
  text: string;
}

/** One visible field of the article, compared. Body blocks carry their position on each side. */
export interface FieldDiff {
  field: 'headline' | 'summary' | 'body';
  /** Arabic, for the newsroom screen: العنوان، الملخص، فقرة… */
  label: string;
  changed: boolean;
  parts: DiffPart[];
  /** Index of the block in the older / newer body; null where the block does not exist. */
  before?: number | null;
  after?: number | null;
}

// Word boundaries from ICU (UAX #29), which knows that harakat, shadda and hamza-on-carrier are
// part of their letter, that لا is one word, and that runs like والـCNN or بـ5 or 3.5 belong
// together. jsdiff's diffWords splits on a Latin-centred notion of word characters and cuts
// Arabic words at their combining marks, so it must not be used here.
const segmenter = new Intl.Segmenter('ar', { granularity: 'word' });

/** Every segment, words and the spaces and punctuation between them: joined, they give the text back. */
export function wordTokens(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

const SEPARATOR = /^[\s\p{P}\p{S}]*$/u;

/**
 * Word-level diff of two texts. Changed words are grouped: a space or comma that happens to be
 * unchanged between two changed words joins the change, so a replaced phrase reads as one
 * removed phrase and one added phrase instead of alternating single words.
 */
export function diffText(before: string, after: string): DiffPart[] {
  if (before === after) return before ? [{ op: 'same', text: before }] : [];
  const a = wordTokens(before);
  const b = wordTokens(after);
  // A pathological pair (two unrelated long texts) could take long; past the budget, the whole
  // field is shown as replaced, which is what such a pair is anyway.
  const changes = diffArrays(a, b, { timeout: 500 }) ?? [
    { value: a, removed: true, added: false, count: a.length },
    { value: b, removed: false, added: true, count: b.length },
  ];
  const raw = changes.map((c) => ({
    op: (c.added ? 'added' : c.removed ? 'removed' : 'same') as DiffOp,
    text: c.value.join(''),
  }));

  const out: DiffPart[] = [];
  const same = (text: string) => {
    const last = out[out.length - 1];
    if (last?.op === 'same') last.text += text;
    else if (text) out.push({ op: 'same', text });
  };
  let removed = '';
  let added = '';
  const flush = () => {
    // Spaces and punctuation both sides share at the edges are not part of the change.
    let pre = 0;
    let suf = 0;
    if (removed && added) {
      const limit = Math.min(removed.length, added.length);
      while (pre < limit && removed[pre] === added[pre] && SEPARATOR.test(removed[pre]!)) pre++;
      while (suf < limit - pre && removed.at(-1 - suf) === added.at(-1 - suf) && SEPARATOR.test(removed.at(-1 - suf)!)) suf++;
    }
    same(removed.slice(0, pre));
    const tail = removed.slice(removed.length - suf);
    removed = removed.slice(pre, removed.length - suf);
    added = added.slice(pre, added.length - suf);
    if (removed) out.push({ op: 'removed', text: removed });
    if (added) out.push({ op: 'added', text: added });
    same(tail);
    removed = added = '';
  };
  raw.forEach((p, i) => {
    if (p.op === 'removed') removed += p.text;
    else if (p.op === 'added') added += p.text;
    else if ((removed || added) && SEPARATOR.test(p.text) && raw.slice(i + 1).some((q) => q.op !== 'same')) {
      removed += p.text;
      added += p.text;
    } else {
      flush();
      same(p.text);
    }
  });
  flush();
  return out;
}

const BLOCK_LABELS: Record<string, string> = {
  paragraph: 'فقرة',
  subheading: 'عنوان فرعي',
  quote: 'اقتباس',
  image: 'صورة',
  list: 'قائمة',
  embed: 'تضمين',
};

/** What a reader sees of a block, as one string: the quote's speaker and an embed's address count. */
function visibleText(b: Block): string {
  const text = blockText(b);
  if (b.type === 'quote' && b.speaker) return `${text} — ${b.speaker}`;
  if (!text && 'url' in b && typeof b.url === 'string') return b.url;
  return text;
}

function field(f: FieldDiff['field'], label: string, before: string, after: string): FieldDiff {
  const parts = diffText(before, after);
  return { field: f, label, changed: parts.some((p) => p.op !== 'same'), parts };
}

/**
 * Compares the visible text of two versions: headline, summary, then the body block by block.
 * Blocks are first matched whole, so a paragraph inserted at the top shows as one added block
 * rather than as every following block changed; blocks replaced in place are diffed word by word.
 */
export function diffContent(before: RevisionContent, after: RevisionContent): FieldDiff[] {
  const out = [
    field('headline', 'العنوان', before.headline, after.headline),
    field('summary', 'الملخص', before.summary ?? '', after.summary ?? ''),
  ];
  const key = (b: Block) => `${b.type}\u0000${visibleText(b)}`;
  const changes = diffArrays(before.body.map(key), after.body.map(key));
  let i = 0; // position in before.body
  let j = 0; // position in after.body
  const blockDiff = (bi: number | null, aj: number | null): FieldDiff => {
    const ob = bi == null ? undefined : before.body[bi];
    const nb = aj == null ? undefined : after.body[aj];
    const label = BLOCK_LABELS[(nb ?? ob)!.type] ?? 'كتلة';
    return {
      ...field('body', label, ob ? visibleText(ob) : '', nb ? visibleText(nb) : ''),
      // A block of a new kind with the same words (a paragraph made a quote) is still a change.
      ...(ob && nb && ob.type !== nb.type ? { changed: true } : {}),
      before: bi,
      after: aj,
    };
  };
  for (let c = 0; c < changes.length; c++) {
    const ch = changes[c]!;
    if (!ch.added && !ch.removed) {
      for (let k = 0; k < ch.count; k++) out.push(blockDiff(i++, j++));
      continue;
    }
    // A removed run followed by an added run is an edit in place: pair them up.
    const removed = ch.removed ? ch.count : 0;
    const next = changes[c + 1];
    const added = ch.added ? ch.count : next?.added && ch.removed ? (c++, next.count) : 0;
    for (let k = 0; k < Math.max(removed, added); k++) {
      out.push(blockDiff(k < removed ? i++ : null, k < added ? j++ : null));
    }
  }
  return out;
}
