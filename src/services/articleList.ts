import type { ArticleStatus, ArticleSummary } from '../domain/article.js';
import { hasRole, type Actor } from '../domain/user.js';
import { listArticles } from '../store/articles.js';
import type { Store } from '../store/db.js';
import { requireUser } from './workflowRules.js';

export const NEWSROOM_PAGE_SIZE = 50;

/**
 * The newsroom's article list: every status, newest first. A contributor sees only their own
 * articles — the same rule as opening one (workflowRules.assertCanRead), applied in the query.
 */
export async function listNewsroomArticles(
  store: Store,
  actor: Actor,
  q: { status?: ArticleStatus; page: number },
): Promise<{ items: ArticleSummary[]; hasMore: boolean }> {
  const user = requireUser(actor);
  const rows = await listArticles(store.db, {
    ...(q.status ? { status: q.status } : {}),
    ...(hasRole(user, 'editor') ? {} : { ownerId: user.id }),
    limit: NEWSROOM_PAGE_SIZE + 1,
    offset: (q.page - 1) * NEWSROOM_PAGE_SIZE,
  });
  return { items: rows.slice(0, NEWSROOM_PAGE_SIZE), hasMore: rows.length > NEWSROOM_PAGE_SIZE };
}
