import type { Media } from '../domain/article.js';
import type { LiveCoverage, LiveEntry } from '../domain/live.js';
import type { Store } from '../store/db.js';
import { getMediaByIds } from '../store/media.js';
import { getUsersByIds } from '../store/users.js';
import type { LiveService } from './live.js';

/** What rendering entries needs beyond the entries: their pictures and their writers' names. */
export interface EntryContext {
  media: Map<number, Media>;
  /** Display names by user id. */
  authors: Map<number, string>;
}

export interface LivePage {
  coverage: LiveCoverage;
  /** Pinned entries, newest first, shown above the stream. */
  pinned: LiveEntry[];
  /** One page of the stream, newest first; `before` pages back by entry id. */
  entries: LiveEntry[];
  /** The id to ask `?before=` for the next older page; null on the last page. */
  olderBefore: number | null;
  keyEvents: LiveEntry[];
  ctx: EntryContext;
}

export const LIVE_PAGE_SIZE = 20;

/** What reader pages and streams show of a live coverage: visible entries with what they need. */
export class LiveReader {
  constructor(
    private readonly store: Store,
    private readonly live: LiveService,
  ) {}

  coverage(slugOrId: string | number): Promise<LiveCoverage | null> {
    return this.live.getCoverage(slugOrId);
  }

  /** The coverages readers can pick from: running ones first, then the latest ended. */
  async list(): Promise<{ running: LiveCoverage[]; ended: LiveCoverage[] }> {
    const [running, ended] = await Promise.all([
      this.live.listCoverages({ status: 'live', limit: 50 }),
      this.live.listCoverages({ status: 'ended', limit: 20 }),
    ]);
    return { running, ended };
  }

  async page(coverage: LiveCoverage, before?: number): Promise<LivePage> {
    const [page, keyEvents, recent] = await Promise.all([
      this.live.entries(coverage.id, { before, limit: LIVE_PAGE_SIZE + 1 }),
      this.live.keyEvents(coverage.id),
      // Pinned entries are few; they are looked for among the latest hundred.
      this.live.entries(coverage.id, { limit: 100 }),
    ]);
    const entries = page.slice(0, LIVE_PAGE_SIZE);
    const pinned = recent.filter((e) => e.pinned);
    return {
      coverage,
      pinned,
      entries,
      olderBefore: page.length > LIVE_PAGE_SIZE ? entries.at(-1)!.id : null,
      keyEvents,
      ctx: await this.context([...entries, ...pinned]),
    };
  }

  async context(entries: readonly LiveEntry[]): Promise<EntryContext> {
    const mediaIds = entries.flatMap((e) => e.blocks.flatMap((b) => (b.type === 'image' ? [b.mediaId] : [])));
    const userIds = [...new Set(entries.flatMap((e) => e.authorIds))];
    const [media, users] = await Promise.all([getMediaByIds(this.store.db, mediaIds), getUsersByIds(this.store.db, userIds)]);
    return { media, authors: new Map([...users].map(([id, u]) => [id, u.displayName])) };
  }
}
