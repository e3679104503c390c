import type { ArticleStatus } from '../domain/article.js';
import { ForbiddenError } from '../domain/errors.js';
import { hasRole, type Actor, type User } from '../domain/user.js';

/**
 * Who may do what to an article, decided here on the server for every caller (newsroom pages
 * and the API share it). A contributor writes and submits; editors and admins decide what
 * readers see.
 */

/** The signed-in, enabled user behind an action. */
export function requireUser(actor: Actor): User {
  if (!actor.user) throw new ForbiddenError('يجب تسجيل الدخول');
  if (actor.user.disabledAt) throw new ForbiddenError('الحساب معطّل');
  return actor.user;
}

export function requireEditor(actor: Actor): User {
  const user = requireUser(actor);
  if (!hasRole(user, 'editor')) throw new ForbiddenError('هذا الإجراء للمحررين والمديرين فقط');
  return user;
}

/** States a contributor may still change: once an editor takes the article further, edits are theirs. */
const CONTRIBUTOR_EDITABLE: readonly ArticleStatus[] = ['draft', 'in_review'];

export function assertCanEdit(user: User, a: { ownerId: number | null; status: ArticleStatus }): void {
  if (hasRole(user, 'editor')) return;
  if (a.ownerId !== user.id) throw new ForbiddenError('لا يمكنك تعديل مقال كاتب آخر');
  if (!CONTRIBUTOR_EDITABLE.includes(a.status)) {
    throw new ForbiddenError('لا يعدّل الكاتب مقاله إلا وهو مسودة أو قيد المراجعة');
  }
}

/** Drafts and their history are visible to their writer and to editors, not to other writers. */
export function assertCanRead(user: User, a: { ownerId: number | null }): void {
  if (hasRole(user, 'editor')) return;
  if (a.ownerId !== user.id) throw new ForbiddenError('لا يمكنك الاطلاع على مقال كاتب آخر');
}

export function assertCanSubmit(user: User, a: { ownerId: number | null }): void {
  if (hasRole(user, 'editor')) return;
  if (a.ownerId !== user.id) throw new ForbiddenError('لا يرسل المقال إلى المراجعة إلا كاتبه أو محرر');
}

/**
 * Saves to what readers may see (or will see at a set time) do not change it: they wait as the
 * staged revision until an editor applies them.
 */
export function savesAreStaged(status: ArticleStatus): boolean {
  return status === 'published' || status === 'scheduled';
}
