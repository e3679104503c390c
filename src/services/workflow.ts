import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ArticleInputSchema, type Article, type ArticleInput, type ValidArticleInput } from '../domain/article.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { revisionContent, type Revision, type RevisionInfo } from '../domain/revision.js';
import { hasRole, type Actor, type User } from '../domain/user.js';
import { syncArticle } from '../search/sync.js';
import { getArticle } from '../store/articles.js';
import type { Store } from '../store/db.js';
import { getRevisionById, getRevisionByNumber, insertRevision, listRevisions } from '../store/revisions.js';
import type { Database } from '../store/schema.js';
import { bumpContentVersion } from '../store/siteState.js';
import { deleteArticleRow, lockArticle, setArticleState, type ArticleState } from '../store/workflow.js';
import { applyArticleIn, assertMediaExist, createArticleIn } from './articles.js';
import { diffContent, type FieldDiff } from './diff.js';
import type { ContentEvents } from './events.js';
import type { ServiceMetrics } from './metrics.js';
import { validate } from './validate.js';
import { assertCanEdit, assertCanRead, assertCanSubmit, requireEditor, requireUser, savesAreStaged } from './workflowRules.js';
import { applyStaged, auditArticle, readContent, withoutContent } from './workflowSteps.js';

type Db = Kysely<Database>;

export interface SaveResult {
  article: Article;
  revision: RevisionInfo;
  /** True when the article is live (or scheduled) and the save waits for `update`. */
  staged: boolean;
}
export interface RevisionListItem extends RevisionInfo {
  staged: boolean;
}
export interface RevisionDiff {
  from: RevisionInfo;
  to: RevisionInfo;
  fields: FieldDiff[];
}

/** What one locked step did: the audit details, and the audit action when it is not the call's own. */
interface Step<T> {
  value: T;
  details?: Record<string, unknown>;
  action?: string;
}

const InstantSchema = z.iso.datetime({ offset: true, message: 'موعد غير صالح' });
const NO_BODY = 'لا يُنشر مقال بلا متن';

/**
 * The newsroom's workflow: draft → in review → scheduled or published → unpublished, with every
 * save kept as a numbered revision. Each call checks the actor's rights itself, runs in one
 * transaction with its audit row, and announces the change after the commit.
 */
export class WorkflowService {
  // Every method is async, so a refusal always arrives as a rejected promise, never a throw.
  constructor(
    private readonly store: Store,
    private readonly events: ContentEvents,
    private readonly metrics?: ServiceMetrics,
  ) {}

  async create(actor: Actor, input: ArticleInput): Promise<Article> {
    const user = requireUser(actor);
    const now = new Date().toISOString();
    // Only editors set a publication time: a writer cannot backdate what an editor then publishes.
    const own = { ...input, status: 'draft' as const, ...(hasRole(user, 'editor') ? {} : { publishedAt: undefined }) };
    const id = await this.store.db.transaction().execute(async (trx) => {
      const id = await createArticleIn(trx, own, now, { userId: user.id });
      await auditArticle(trx, actor, 'article.create', id, now, { revision: 1 });
      return id;
    });
    this.events.emit({ type: 'article', id });
    return (await getArticle(this.store.db, id))!;
  }

  /** A new revision. Live and scheduled articles keep their content: the save is staged. */
  async save(actor: Actor, id: number, input: ArticleInput, note?: string): Promise<SaveResult> {
    return this.record(actor, id, 'article.save', () => ({ content: input, note: note ?? null }));
  }

  /** Brings back an old version as a new revision (staged when the article is live). */
  async restore(actor: Actor, id: number, number: number): Promise<SaveResult> {
    return this.record(actor, id, 'article.restore', async (trx) => {
      const old = await getRevisionByNumber(trx, id, number);
      if (!old) throw new NotFoundError(`النسخة ${number} غير موجودة`);
      return { content: readContent(old, 'draft'), note: `استعادة النسخة ${number}`, from: number };
    });
  }

  async submit(actor: Actor, id: number): Promise<Article> {
    return this.step(actor, id, 'article.submit', async (trx, s, user, now) => {
      assertCanSubmit(user, s);
      if (s.status !== 'draft') throw new ConflictError('لا تُرسل إلى المراجعة إلا المسودة');
      await setArticleState(trx, id, { status: 'in_review', updated_at: now });
      return { value: undefined, details: { from: s.status, to: 'in_review' } };
    });
  }

  /**
   * Makes the article live. A pending staged edit goes live with it: the editor publishing is the
   * one approving it. Publishing what is already live with nothing pending is a conflict.
   */
  async publish(actor: Actor, id: number): Promise<Article> {
    requireEditor(actor);
    const article = await this.step(actor, id, 'article.publish', async (trx, s, _user, now) => {
      if (s.stagedRevisionId != null) {
        const staged = await applyStaged(trx, s, 'published', now);
        const revised = s.status === 'published';
        return { value: undefined, details: { from: s.status, revision: staged }, ...(revised ? { action: 'article.update' } : {}) };
      }
      if (s.status === 'published') throw new ConflictError('المقال منشور ولا تعديلات معلّقة عليه');
      if (!s.hasBody) throw new ValidationError(NO_BODY);
      // The first publication time stays (or the one the editor set): feeds and sitemaps rely on it.
      await setArticleState(trx, id, { status: 'published', published_at: s.publishedAt ?? now, scheduled_at: null, updated_at: now });
      await bumpContentVersion(trx);
      return { value: undefined, details: { from: s.status } };
    });
    this.metrics?.published('editor');
    return article;
  }

  async schedule(actor: Actor, id: number, at: string): Promise<Article> {
    requireEditor(actor);
    const when = new Date(validate(InstantSchema, at, 'scheduledAt')).toISOString();
    return this.step(actor, id, 'article.schedule', async (trx, s, _user, now) => {
      if (when <= now) throw new ValidationError('موعد النشر يجب أن يكون في المستقبل');
      if (s.status === 'published') throw new ConflictError('المقال منشور؛ لا يُجدول إلا ما لم يُنشر');
      if (!s.hasBody) throw new ValidationError(NO_BODY);
      await setArticleState(trx, id, { status: 'scheduled', scheduled_at: when, updated_at: now });
      return { value: undefined, details: { from: s.status, at: when } };
    });
  }

  /** Takes a live article off the site (readers get 404), or cancels a schedule. */
  async unpublish(actor: Actor, id: number): Promise<Article> {
    requireEditor(actor);
    return this.step(actor, id, 'article.unpublish', async (trx, s, _user, now) => {
      if (s.status !== 'published' && s.status !== 'scheduled') throw new ConflictError('المقال غير منشور ولا مجدول');
      await setArticleState(trx, id, { status: 'unpublished', scheduled_at: null, updated_at: now });
      await bumpContentVersion(trx);
      return { value: undefined, details: { from: s.status } };
    });
  }

  /** Applies the staged revision to the live (or scheduled) article. */
  async update(actor: Actor, id: number): Promise<Article> {
    requireEditor(actor);
    return this.step(actor, id, 'article.update', async (trx, s, _user, now) => {
      if (s.stagedRevisionId == null || !savesAreStaged(s.status)) throw new ConflictError('لا تعديلات معلّقة على هذا المقال');
      const revision = await applyStaged(trx, s, s.status, now);
      return { value: undefined, details: { revision } };
    });
  }

  async delete(actor: Actor, id: number): Promise<void> {
    requireEditor(actor);
    const now = new Date().toISOString();
    await this.locked(actor, id, 'article.delete', now, async (trx, s) => {
      await deleteArticleRow(trx, id);
      await bumpContentVersion(trx);
      return { value: undefined, details: { headline: s.headline, status: s.status } };
    });
    this.events.emit({ type: 'article', id });
  }

  /** Any status, for the newsroom. */
  async get(actor: Actor, id: number): Promise<Article> {
    const user = requireUser(actor);
    const a = await getArticle(this.store.db, id);
    if (!a) throw new NotFoundError(`المقال ${id} غير موجود`);
    assertCanRead(user, a);
    return a;
  }

  /** Newest first, each with who saved it and when. */
  async revisions(actor: Actor, id: number): Promise<RevisionListItem[]> {
    const a = await this.get(actor, id);
    const list = await listRevisions(this.store.db, id);
    return list.map((r) => ({ ...r, staged: r.id === a.stagedRevisionId }));
  }

  async revision(actor: Actor, id: number, number: number): Promise<Revision> {
    await this.get(actor, id);
    const r = await getRevisionByNumber(this.store.db, id, number);
    if (!r) throw new NotFoundError(`النسخة ${number} غير موجودة`);
    return { ...withoutContent(r), content: revisionContent(readContent(r, 'draft')) };
  }

  async diff(actor: Actor, id: number, fromNumber: number, toNumber: number): Promise<RevisionDiff> {
    const [from, to] = await Promise.all([this.revision(actor, id, fromNumber), this.revision(actor, id, toNumber)]);
    const { content: a, ...fromInfo } = from;
    const { content: b, ...toInfo } = to;
    return { from: fromInfo, to: toInfo, fields: diffContent(a, b) };
  }

  // ---- internals ----

  /** Save and restore share this: one new revision, applied or staged by the article's state. */
  private async record(
    actor: Actor,
    id: number,
    action: string,
    source: (trx: Db) => Promise<RecordSource> | RecordSource,
  ): Promise<SaveResult> {
    const now = new Date().toISOString();
    let staged = false;
    const revisionId = await this.locked(actor, id, action, now, async (trx, s, user) => {
      assertCanEdit(user, s);
      const src = await source(trx);
      staged = savesAreStaged(s.status);
      // Only editors set a publication time: a writer cannot backdate what an editor then publishes.
      const publishedAt = hasRole(user, 'editor') ? src.content.publishedAt : (s.publishedAt ?? undefined);
      // Staged content will go live: hold it to the rule for live articles now, not at update time.
      const a = validate(ArticleInputSchema, { ...src.content, publishedAt, status: staged ? 'published' : s.status }, 'article');
      if (staged) await assertMediaExist(trx, a);
      else await applyArticleIn(trx, id, { ...a, status: s.status }, now);
      const rev = await insertRevision(trx, { articleId: id, userId: user.id, createdAt: now, content: revisionContent(a), note: src.note });
      if (staged) await setArticleState(trx, id, { staged_revision_id: rev.id });
      return { value: rev.id, details: { revision: rev.number, staged, ...(src.from ? { from: src.from } : {}) } };
    });
    this.events.emit({ type: 'article', id });
    const revision = withoutContent((await getRevisionById(this.store.db, revisionId))!);
    return { article: (await getArticle(this.store.db, id))!, revision, staged };
  }

  /** A state change under the article's lock, then the article as it now is. */
  private async step(
    actor: Actor,
    id: number,
    action: string,
    fn: (trx: Db, s: ArticleState, user: User, now: string) => Promise<Step<void>>,
  ): Promise<Article> {
    await this.locked(actor, id, action, new Date().toISOString(), fn);
    this.events.emit({ type: 'article', id });
    return (await getArticle(this.store.db, id))!;
  }

  private async locked<T>(
    actor: Actor,
    id: number,
    action: string,
    now: string,
    fn: (trx: Db, s: ArticleState, user: User, now: string) => Promise<Step<T>>,
  ): Promise<T> {
    const user = requireUser(actor);
    return this.store.db.transaction().execute(async (trx) => {
      const s = await lockArticle(trx, id);
      if (!s) throw new NotFoundError(`المقال ${id} غير موجود`);
      const r = await fn(trx, s, user, now);
      // Whatever the step did (publish, staged update, unpublish, delete), search follows in the same commit.
      await syncArticle(trx, id);
      await auditArticle(trx, actor, r.action ?? action, id, now, r.details);
      return r.value;
    });
  }
}

interface RecordSource {
  content: ArticleInput | ValidArticleInput;
  note: string | null;
  from?: number;
}
