import type { Article } from '../domain/article.js';
import { blockText, spansText, type Block } from '../domain/blocks.js';
import type { LiveEntry } from '../domain/live.js';
import { indexTerms } from '../text/analyzer/index.js';
import type { IndexedDocument, IndexedFields } from './backend.js';

/** The original text of each searchable field: indexed through the analyzer, and cut for snippets. */
export interface SourceText {
  headline: string;
  summary: string;
  body: string;
  tags: string;
  captions: string;
}

export type SourceField = keyof SourceText;

const INDEXABLE = /^[\p{L}\p{M}\p{N}]+$/u;

/**
 * Terms both engines store verbatim: letters, marks and digits, not absurdly long. Anything else
 * (a lone surrogate, a control character) is left out rather than allowed near the engines:
 * PostgreSQL refuses lexemes over 2 KB and NUL bytes.
 */
export function indexableTerm(t: string): boolean {
  if (t.length === 0 || t.length > 100) return false;
  // Almost every term is basic Arabic letters or ASCII letters and digits: no regex for those.
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if ((c >= 0x0621 && c <= 0x064a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) continue;
    return INDEXABLE.test(t);
  }
  return true;
}

function bodyText(blocks: readonly Block[]): string {
  return blocks
    .map((b) => {
      if (b.type === 'image' || b.type === 'embed') return '';
      if (b.type === 'quote') return [spansText(b.spans), b.speaker].filter(Boolean).join(' — ');
      return blockText(b);
    })
    .filter(Boolean)
    .join('\n');
}

function captionText(blocks: readonly Block[], lead?: { caption: string | null; credit: string | null } | null): string {
  const parts = lead ? [lead.caption, lead.credit] : [];
  for (const b of blocks) if (b.type === 'image') parts.push(b.caption ?? null, b.credit ?? null);
  return parts.filter(Boolean).join('\n');
}

export function articleText(a: Article): SourceText {
  return {
    headline: a.headline,
    summary: a.summary ?? '',
    body: bodyText(a.body),
    tags: a.tags.map((t) => t.name).join('، '),
    captions: captionText(a.body, a.lead),
  };
}

/** A live entry has no headline of its own: the hit shows its coverage's title. */
export function liveEntryText(e: LiveEntry): SourceText {
  return { headline: '', summary: '', body: bodyText(e.blocks), tags: '', captions: captionText(e.blocks) };
}

/** Main fields keep every term in order (stopwords too, for phrases); alts go to their own field. */
export function analyzeFields(t: SourceText): IndexedFields {
  const alt: string[] = [];
  const main = (text: string): string[] => {
    const out: string[] = [];
    for (const term of indexTerms(text)) {
      if (indexableTerm(term.main)) out.push(term.main);
      if (term.alt && !term.stop && indexableTerm(term.alt)) alt.push(term.alt);
    }
    return out;
  };
  const fields = {
    headline: main(t.headline),
    summary: main(t.summary),
    body: main(t.body),
    tags: main(t.tags),
    captions: main(t.captions),
  };
  return { ...fields, alt };
}

export function articleDocument(a: Article & { publishedAt: string }): IndexedDocument {
  return articleDocumentFrom(a, analyzeFields(articleText(a)));
}

/** The same with its fields analysed already (reindex analyses in a worker thread). */
export function articleDocumentFrom(a: Article & { publishedAt: string }, fields: IndexedFields): IndexedDocument {
  return {
    type: 'article',
    refId: a.id,
    coverageId: null,
    sectionId: a.section.id,
    publishedAt: new Date(a.publishedAt).toISOString(),
    fields,
  };
}

export function liveEntryDocument(e: LiveEntry): IndexedDocument {
  return {
    type: 'live',
    refId: e.id,
    coverageId: e.coverageId,
    sectionId: null,
    publishedAt: new Date(e.createdAt).toISOString(),
    fields: analyzeFields(liveEntryText(e)),
  };
}
