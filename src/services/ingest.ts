import { z } from 'zod';
import type { Config } from '../config.js';
import { BodySchema, blockText, type Block } from '../domain/blocks.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { hasRole, type Actor } from '../domain/user.js';
import { FEED_LIMITS, FeedError, fetchFeed } from '../ingest/feeds/fetchFeed.js';
import { httpUrl, parseFeedBody, type FeedEntry } from '../ingest/feeds/parseFeed.js';
import { htmlToBlocks } from '../ingest/html/htmlToBlocks.js';
import { appendAudit, auditBy } from '../store/audit.js';
import type { Store } from '../store/db.js';
import {
  claimSource,
  decideItem,
  deleteSource,
  finishPoll,
  getItem,
  getSource,
  getSourceByUrl,
  insertItemOnce,
  insertSource,
  listDueSourceIds,
  listQueue,
  listSources,
  releaseClaim,
  setItemArticle,
  type ItemRow,
  type QueueRow,
  type SourceRow,
} from '../store/ingest.js';
import { createArticleIn } from './articles.js';
import type { ContentEvents } from './events.js';
import { auditArticle } from './workflowSteps.js';

/** A polled feed and its health, as the newsroom and `nashra ingest list` show it. */
export interface IngestSource {
  id: number;
  name: string;
  url: string;
  section: string | null;
  everySeconds: number;
  nextPollAt: string;
  lastPolledAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  /** Failed polls in a row; 0 after a success. */
  failures: number;
}

export interface IncomingItem {
  id: number;
  sourceId: number;
  sourceName: string;
  title: string;
  link: string | null;
  excerpt: string;
  publishedAt: string | null;
  receivedAt: string;
}

export type PollResult =
  | { sourceId: number; status: 'ok'; added: number; seen: number }
  | { sourceId: number; status: 'not-modified' }
  | { sourceId: number; status: 'error'; error: string; nextPollAt: string }
  /** Another instance (or a poll in progress) holds the source. */
  | { sourceId: number; status: 'busy' };

const MIN_EVERY_S = 60;
const MAX_EVERY_S = 24 * 3600;
/** Backoff never waits longer than this between tries (or the source's own interval, if longer). */
const MAX_BACKOFF_S = 6 * 3600;
/** Untrusted HTML longer than this is cut before the sanitizer sees it. */
const MAX_ITEM_HTML = 200_000;
const EXCERPT_CHARS = 400;

/** `30s`, `5m`, `2h`, `1d`: a source's polling interval in seconds, at least one minute. */
export function parseEvery(raw: string): number {
  const m = /^\s*(\d{1,6})\s*(s|m|h|d)\s*$/i.exec(raw);
  if (!m) throw new ValidationError(`bad interval "${raw}": use a number and a unit, like 30s, 5m, 2h or 1d`);
  const s = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2]!.toLowerCase() as 's' | 'm' | 'h' | 'd'];
  if (s < MIN_EVERY_S || s > MAX_EVERY_S) throw new ValidationError(`bad interval "${raw}": between 1m and 24h`);
  return s;
}

const SourceInput = z.object({
  name: z.string().trim().min(1, 'اسم المصدر مطلوب').max(100, 'اسم المصدر أطول من 100 حرف'),
  url: z
    .string()
    .trim()
    .max(2000, 'الرابط أطول من المسموح')
    .refine((u) => httpUrl(u) !== null, 'رابط غير صالح: يلزم رابط http أو https كامل'),
  section: z.string().trim().max(200).optional(),
  every: z.string().optional(),
});
export type SourceInput = z.input<typeof SourceInput>;

/** Who may manage sources and decide on items: editors, admins, and the command line. */
function requireEditorOrCli(actor: Actor): number | null {
  if (!actor.user && actor.label === 'cli') return null;
  if (!actor.user) throw new ForbiddenError('يجب تسجيل الدخول');
  if (actor.user.disabledAt) throw new ForbiddenError('الحساب معطّل');
  if (!hasRole(actor.user, 'editor')) throw new ForbiddenError('هذا الإجراء للمحررين والمديرين فقط');
  return actor.user.id;
}

const addSeconds = (at: Date, s: number) => new Date(at.getTime() + s * 1000).toISOString();

/**
 * Feed ingest: sources polled for RSS, Atom and JSON Feed, their items in the incoming queue,
 * and an editor's take (a prefilled draft) or dismiss. See docs/ingest.md.
 */
export class IngestService {
  /** Fetch limits; tests shorten the timeout. */
  limits: { timeoutMs: number; maxBytes: number } = { ...FEED_LIMITS };
  /** The clock the poll times are computed from. */
  now: () => Date = () => new Date();

  constructor(
    private readonly store: Store,
    private readonly events: ContentEvents,
    private readonly config: Pick<Config, 'defaultSection' | 'timeZone' | 'city' | 'baseUrl'>,
  ) {}

  async addSource(actor: Actor, input: SourceInput): Promise<IngestSource> {
    requireEditorOrCli(actor);
    const r = SourceInput.safeParse(input);
    if (!r.success) throw new ValidationError(r.error.issues[0]!.message);
    const everyS = parseEvery(r.data.every?.trim() || '5m');
    const url = httpUrl(r.data.url)!;
    const at = this.now().toISOString();
    const row = await this.store.db.transaction().execute(async (trx) => {
      if (await getSourceByUrl(trx, url)) throw new ConflictError(`المصدر مضاف من قبل: ${url}`);
      const row = await insertSource(trx, { name: r.data.name, url, section: r.data.section || null, intervalS: everyS, at });
      await appendAudit(trx, { ...auditBy(actor), action: 'ingest.source.add', targetType: 'ingest_source', targetId: row.id, details: { url, name: row.name }, at });
      return row;
    });
    return toSource(row);
  }

  async removeSource(actor: Actor, id: number): Promise<void> {
    requireEditorOrCli(actor);
    const at = this.now().toISOString();
    await this.store.db.transaction().execute(async (trx) => {
      const row = await getSource(trx, id);
      if (!row || !(await deleteSource(trx, id))) throw new NotFoundError(`المصدر ${id} غير موجود`);
      await appendAudit(trx, { ...auditBy(actor), action: 'ingest.source.remove', targetType: 'ingest_source', targetId: id, details: { url: row.url }, at });
    });
  }

  async sources(actor: Actor): Promise<IngestSource[]> {
    requireEditorOrCli(actor);
    return (await listSources(this.store.db)).map(toSource);
  }

  async source(actor: Actor, id: number): Promise<IngestSource> {
    requireEditorOrCli(actor);
    const row = await getSource(this.store.db, id);
    if (!row) throw new NotFoundError(`المصدر ${id} غير موجود`);
    return toSource(row);
  }

  /** Items nobody has taken or dismissed, newest first. */
  async queue(actor: Actor, opts: { sourceId?: number; limit?: number } = {}): Promise<IncomingItem[]> {
    requireEditorOrCli(actor);
    return (await listQueue(this.store.db, { sourceId: opts.sourceId, limit: Math.min(opts.limit ?? 100, 500) })).map(toItem);
  }

  /** Polls every due source (what the background loop calls). */
  async pollDue(signal?: AbortSignal): Promise<PollResult[]> {
    const ids = await listDueSourceIds(this.store.db, this.now().toISOString());
    const results: PollResult[] = [];
    // A few at a time: one slow source must not hold up the rest for its whole timeout.
    for (let i = 0; i < ids.length && !signal?.aborted; i += 4) {
      results.push(...(await Promise.all(ids.slice(i, i + 4).map((id) => this.poll(id, { signal })))));
    }
    return results;
  }

  /** Polls sources now, due or not (`nashra ingest poll`); all of them without an id. */
  async pollNow(actor: Actor, id?: number): Promise<PollResult[]> {
    requireEditorOrCli(actor);
    if (id != null && !(await getSource(this.store.db, id))) throw new NotFoundError(`المصدر ${id} غير موجود`);
    const ids = id != null ? [id] : (await listSources(this.store.db)).map((s) => s.id);
    const results: PollResult[] = [];
    for (const sid of ids) results.push(await this.poll(sid, { force: true }));
    return results;
  }

  /**
   * One poll of one source: claim it, fetch with its validators, store new items and its health
   * in one transaction. Every failure (network, size, time, parse) is recorded on this source
   * only, and pushes its next poll back exponentially.
   */
  async poll(id: number, o: { force?: boolean; signal?: AbortSignal } = {}): Promise<PollResult> {
    const { db } = this.store;
    const start = this.now();
    const leaseUntil = addSeconds(start, this.limits.timeoutMs / 1000 + 60);
    const source = await claimSource(db, id, start.toISOString(), leaseUntil, o.force);
    if (!source) return { sourceId: id, status: 'busy' };
    try {
      const res = await fetchFeed(source.url, {
        etag: source.etag,
        lastModified: source.last_modified,
        ...this.limits,
        signal: o.signal,
        userAgent: `Nashra feed ingest (+${this.config.baseUrl})`,
      });
      const at = this.now();
      const nextAt = addSeconds(at, source.interval_s);
      if (res.notModified) {
        await finishPoll(db, id, { ok: true, at: at.toISOString(), nextAt });
        return { sourceId: id, status: 'not-modified' };
      }
      const entries = parseFeedBody(res.body, res.contentType);
      const receivedAt = at.toISOString();
      const added = await db.transaction().execute(async (trx) => {
        let added = 0;
        // Oldest first, so ids follow the feed's own order when times tie.
        for (const e of [...entries].reverse()) {
          if (await insertItemOnce(trx, { sourceId: id, ...itemFields(e), receivedAt })) added++;
        }
        await finishPoll(trx, id, { ok: true, at: receivedAt, nextAt, etag: res.validators.etag, lastModified: res.validators.lastModified });
        return added;
      });
      return { sourceId: id, status: 'ok', added, seen: entries.length };
    } catch (e) {
      const at = this.now();
      if (o.signal?.aborted) {
        // Shutting down is not the source's fault: due again at once, no failure counted.
        await releaseClaim(db, id, at.toISOString()).catch(() => {});
        return { sourceId: id, status: 'busy' };
      }
      const failures = source.failures + 1;
      const wait = Math.min(source.interval_s * 2 ** Math.min(failures, 20), Math.max(source.interval_s, MAX_BACKOFF_S));
      const nextAt = addSeconds(at, wait);
      const error = (e instanceof FeedError ? e.message : `unexpected: ${(e as Error)?.message ?? String(e)}`).slice(0, 500);
      await finishPoll(db, id, { ok: false, at: at.toISOString(), nextAt, error, failures });
      return { sourceId: id, status: 'error', error, nextPollAt: nextAt };
    }
  }

  /**
   * Makes the item a draft prefilled from it (headline, body, the source as source label, a
   * closing «المصدر» paragraph linking the original) owned by the editor, and marks it taken, in
   * one transaction. Taking a taken item again returns the same article.
   */
  async take(actor: Actor, itemId: number): Promise<{ articleId: number; created: boolean }> {
    const userId = requireEditorOrCli(actor);
    const now = this.now().toISOString();
    const r = await this.store.db.transaction().execute(async (trx) => {
      const item = await getItem(trx, itemId);
      if (!item) throw new NotFoundError('الخبر غير موجود');
      if (!(await decideItem(trx, itemId, { status: 'taken', by: userId, at: now }))) {
        const current = (await getItem(trx, itemId))!;
        if (current.status === 'taken' && current.article_id != null) return { articleId: current.article_id, created: false };
        throw new ConflictError(current.status === 'dismissed' ? 'هذا الخبر متجاهَل' : 'المقال المأخوذ من هذا الخبر حُذف');
      }
      const source = await getSource(trx, item.source_id);
      const articleId = await createArticleIn(trx, this.draftOf(item, source!), now, { userId, note: 'من الوارد' });
      await auditArticle(trx, actor, 'article.create', articleId, now, { revision: 1, incomingItem: itemId, source: source!.name });
      await setItemArticle(trx, itemId, articleId);
      return { articleId, created: true };
    });
    if (r.created) this.events.emit({ type: 'article', id: r.articleId });
    return r;
  }

  /** Hides the item from the queue; dismissing it again changes nothing. */
  async dismiss(actor: Actor, itemId: number): Promise<void> {
    const userId = requireEditorOrCli(actor);
    const now = this.now().toISOString();
    await this.store.db.transaction().execute(async (trx) => {
      const item = await getItem(trx, itemId);
      if (!item) throw new NotFoundError('الخبر غير موجود');
      if (item.status === 'dismissed') return;
      if (!(await decideItem(trx, itemId, { status: 'dismissed', by: userId, at: now }))) {
        throw new ConflictError('أُخذ هذا الخبر مسودةً من قبل');
      }
      await appendAudit(trx, { ...auditBy(actor), action: 'ingest.item.dismiss', targetType: 'incoming_item', targetId: itemId, details: {}, at: now });
    });
  }

  private draftOf(item: ItemRow, source: SourceRow) {
    const body = JSON.parse(item.body) as Block[];
    if (item.link) body.push({ type: 'paragraph', spans: [{ text: 'المصدر: ' }, { text: source.name, href: item.link }] });
    return {
      headline: item.title,
      body,
      sourceLabel: source.name.slice(0, 100),
      section: source.section ?? this.config.defaultSection,
      status: 'draft' as const,
      timeZone: this.config.timeZone,
      city: this.config.city,
    };
  }
}

/** What is stored of a feed entry: sanitized blocks, plain excerpt, never the raw HTML. */
function itemFields(e: FeedEntry) {
  let body: Block[] = [];
  if (e.html) body = safeBlocks(htmlToBlocks(e.html.slice(0, MAX_ITEM_HTML)));
  else if (e.text) body = textBlocks(e.text.slice(0, MAX_ITEM_HTML));
  const text = body.map(blockText).join(' ').replace(/\s+/g, ' ').trim();
  const excerpt = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
  const title = (e.title ?? (text.slice(0, 120) || 'بلا عنوان')).slice(0, 300);
  return { key: e.key, title, link: e.link, excerpt, body: JSON.stringify(body), publishedAt: e.publishedAt };
}

/** The sanitizer's blocks, checked against the body schema; anything it rejects becomes plain text. */
function safeBlocks(blocks: Block[]): Block[] {
  const r = BodySchema.safeParse(blocks);
  if (r.success) return r.data;
  return textBlocks(blocks.map(blockText).join('\n\n'));
}

function textBlocks(text: string): Block[] {
  return text
    .split(/\n\s*\n|\r?\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .slice(0, 500)
    .map((p) => ({ type: 'paragraph' as const, spans: [{ text: p }] }));
}

function toSource(r: SourceRow): IngestSource {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    section: r.section,
    everySeconds: r.interval_s,
    nextPollAt: r.next_poll_at,
    lastPolledAt: r.last_polled_at,
    lastSuccessAt: r.last_success_at,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
    failures: r.failures,
  };
}

function toItem(r: QueueRow): IncomingItem {
  return {
    id: r.id,
    sourceId: r.source_id,
    sourceName: r.source_name,
    title: r.title,
    link: r.link,
    excerpt: r.excerpt,
    publishedAt: r.published_at,
    receivedAt: r.received_at,
  };
}

export interface IngestPollerOptions {
  intervalMs?: number;
  onPolled?: (results: PollResult[]) => void;
  onError?: (err: unknown) => void;
}

/**
 * The background loop inside `nashra serve`, like the scheduler: due sources are picked from the
 * database, so a restarted server polls what fell due while it was down, and the claim lets
 * several instances share the work. Stopping aborts polls in flight and waits for them.
 */
export function startIngestPoller(ingest: IngestService, opts: IngestPollerOptions = {}): { stop(): Promise<void> } {
  const intervalMs = opts.intervalMs ?? 5000;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = ingestDue(ingest, abort.signal)
      .then((r) => {
        if (r.length) opts.onPolled?.(r);
      })
      .catch((err: unknown) => opts.onError?.(err))
      .finally(() => {
        if (!abort.signal.aborted) timer = setTimeout(tick, intervalMs).unref();
      });
  };
  tick();
  return {
    async stop() {
      abort.abort();
      clearTimeout(timer);
      await running;
    },
  };
}

async function ingestDue(ingest: IngestService, signal: AbortSignal): Promise<PollResult[]> {
  const results = await ingest.pollDue(signal);
  return results.filter((r) => r.status !== 'busy');
}
