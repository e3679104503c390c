import { DateTime } from 'luxon';
import type { Article } from '../../domain/article.js';
import type { Block, BlockInput } from '../../domain/blocks.js';
import type { RevisionContent } from '../../domain/revision.js';
import { emptyBlock, SCALARS, type ArticleFields, type BlockFields } from './articleForm.js';
import { spansToMarkup } from './inlineMarkup.js';

/** Stored content (an article, a revision, a pasted block) as the editor form shows it. */

export function blockToFields(b: Block | BlockInput): BlockFields {
  const f = emptyBlock(b.type);
  switch (b.type) {
    case 'paragraph':
      return { ...f, text: spansToMarkup(b.spans) };
    case 'subheading':
      return { ...f, text: b.text };
    case 'quote':
      return { ...f, text: spansToMarkup(b.spans), speaker: b.speaker ?? '' };
    case 'image':
      return { ...f, mediaId: String(b.mediaId), caption: b.caption ?? '', credit: b.credit ?? '' };
    case 'list':
      return { ...f, items: b.items.map((spans) => spansToMarkup(spans)).join('\n'), ordered: !!b.ordered };
    case 'embed':
      return { ...f, url: b.url };
  }
}

/** `datetime-local` text in the article's zone for a UTC instant. */
export function toLocalInput(utcIso: string | null | undefined, zone: string): string {
  if (!utcIso) return '';
  const dt = DateTime.fromISO(utcIso, { zone: 'utc' }).setZone(zone);
  return dt.isValid ? dt.toFormat("yyyy-LL-dd'T'HH:mm") : '';
}

type Content = Pick<Article, 'headline' | 'summary' | 'body' | 'datelinePlace' | 'sourceLabel' | 'publishedAt' | 'timeZone' | 'city'> & {
  section: string;
  tags: string[];
  authors: string[];
  lead: { mediaId: number; caption: string | null; credit: string | null } | null;
};

/** The content of an article (or of one of its revisions) as the form shows it. */
export function contentToFields(c: Content): ArticleFields {
  return {
    headline: c.headline,
    summary: c.summary ?? '',
    section: c.section,
    tags: c.tags.join('، '),
    authors: c.authors.join('، '),
    datelinePlace: c.datelinePlace ?? '',
    sourceLabel: c.sourceLabel ?? '',
    city: c.city,
    timeZone: c.timeZone,
    publishedAt: toLocalInput(c.publishedAt, c.timeZone),
    leadMediaId: c.lead ? String(c.lead.mediaId) : '',
    leadCaption: c.lead?.caption ?? '',
    leadCredit: c.lead?.credit ?? '',
    blocks: c.body.map(blockToFields),
  };
}

export function articleToFields(a: Article): ArticleFields {
  return contentToFields({
    ...a,
    section: a.section.name,
    tags: a.tags.map((t) => t.name),
    authors: a.authors.map((t) => t.name),
    lead: a.lead && { mediaId: a.lead.media.id, caption: a.lead.caption, credit: a.lead.credit },
  });
}

export function revisionToFields(r: RevisionContent): ArticleFields {
  return contentToFields({
    ...r,
    summary: r.summary ?? null,
    datelinePlace: r.datelinePlace ?? null,
    sourceLabel: r.sourceLabel ?? null,
    publishedAt: r.publishedAt ?? null,
    body: r.body,
    lead: r.lead ? { mediaId: r.lead.mediaId, caption: r.lead.caption ?? null, credit: r.lead.credit ?? null } : null,
  });
}

export function newArticleFields(defaults: { city: string; timeZone: string; section: string }, slots = 3): ArticleFields {
  return {
    ...(Object.fromEntries(SCALARS.map((k) => [k, ''])) as Omit<ArticleFields, 'blocks'>),
    city: defaults.city,
    timeZone: defaults.timeZone,
    section: defaults.section,
    blocks: Array.from({ length: slots }, () => emptyBlock()),
  };
}

