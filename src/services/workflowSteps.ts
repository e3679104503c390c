import type { Kysely } from 'kysely';
import { ArticleInputSchema, type ArticleStatus, type ValidArticleInput } from '../domain/article.js';
import { ConflictError } from '../domain/errors.js';
import type { RevisionInfo } from '../domain/revision.js';
import type { Actor } from '../domain/user.js';
import { appendAudit, auditBy } from '../store/audit.js';
import { getRevisionById, type StoredRevision } from '../store/revisions.js';
import type { Database } from '../store/schema.js';
import { setArticleState, type ArticleState } from '../store/workflow.js';
import { applyArticleIn } from './articles.js';
import { validate } from './validate.js';

/** Steps the workflow runs inside its transactions. */

type Db = Kysely<Database>;

/** Content as a revision stored it, checked again: the schema may have moved on since. */
export function readContent(r: StoredRevision, status: ArticleStatus): ValidArticleInput {
  return validate(ArticleInputSchema, { ...(r.content as object), status }, `revision ${r.number}`);
}

export function withoutContent(r: StoredRevision): RevisionInfo {
  const { content: _content, ...info } = r;
  return info;
}

/**
 * Puts the staged revision into the article row with `status`. `revised_at` is set only when
 * readers had already seen the article: it is the page's "آخر تحديث". Returns the revision number.
 */
export async function applyStaged(trx: Db, s: ArticleState, status: ArticleStatus, now: string): Promise<number> {
  const r = await getRevisionById(trx, s.stagedRevisionId!);
  if (!r) throw new ConflictError('التعديل المعلّق غير موجود');
  await applyArticleIn(trx, s.id, readContent(r, status), now);
  await setArticleState(trx, s.id, {
    scheduled_at: status === 'published' ? null : s.scheduledAt,
    ...(s.status === 'published' ? { revised_at: now } : {}),
  });
  return r.number;
}

export function auditArticle(
  trx: Db,
  actor: Actor,
  action: string,
  id: number,
  at: string,
  details?: Record<string, unknown>,
): Promise<void> {
  return appendAudit(trx, {
    ...auditBy(actor),
    action,
    targetType: 'article',
    targetId: id,
    details: details ?? null,
    at,
  });
}
