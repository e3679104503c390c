import type { ValidArticleInput } from './article.js';

/**
 * What a revision keeps: the whole editable content of an article, as validated input. The
 * status is left out: it belongs to the workflow, and restoring an old revision must never
 * restore an old state (a draft's revision would otherwise unpublish a live article).
 */
export type RevisionContent = Omit<ValidArticleInput, 'status'>;

export function revisionContent(a: ValidArticleInput): RevisionContent {
  const { status: _status, ...content } = a;
  return content;
}

/** One saved version of an article, without its content (lists stay light). */
export interface RevisionInfo {
  id: number;
  articleId: number;
  /** 1, 2, 3… per article. */
  number: number;
  /** Who saved it; null for imports, the demo, or a deleted account. */
  userId: number | null;
  userName: string | null;
  /** UTC instant, ISO 8601. */
  createdAt: string;
  note: string | null;
}

export interface Revision extends RevisionInfo {
  content: RevisionContent;
}
