/**
 * What the chaos load knows about its writes: each acknowledged one, and for a write whose answer
 * never came (the server was killed), both states it may have left behind.
 */

export interface Content {
  headline: string;
  /** The one paragraph's text. */
  text: string;
  tags: string[];
}

/** What an article must look like: its row, and its newest revision (a staged edit when published). */
export interface ArticleState {
  status: 'draft' | 'published';
  row: Content;
  newest: Content;
  staged: boolean;
}

export interface TrackedArticle {
  id: number;
  state: ArticleState;
  /** Revision number → content, for every acknowledged create and edit. */
  revisions: Map<number, Content>;
  ackedPublishes: number;
  /** Writes sent whose answer never came: the article is left alone after one. */
  uncertain: number;
  /** Set with `uncertain`: the state had the unanswered write been applied. */
  alternative?: ArticleState;
}

export interface AckedEntry {
  coverageId: number;
  id: number;
  eventId: number;
  text: string;
}

export class Ledger {
  readonly articles: TrackedArticle[] = [];
  readonly entries: AckedEntry[] = [];
  acked = { create: 0, edit: 0, publish: 0, entry: 0 };
  /** Writes whose answer never came: in flight at a kill. */
  unanswered = 0;
  /** Answers that were neither 2xx nor a broken connection, by status. */
  refused = new Map<number, number>();
  refusals: string[] = [];

  get ackedTotal(): number {
    return this.acked.create + this.acked.edit + this.acked.publish + this.acked.entry;
  }

  refuse(status: number, what: string): void {
    this.refused.set(status, (this.refused.get(status) ?? 0) + 1);
    if (this.refusals.length < 10) this.refusals.push(`${status} ${what}`);
  }
}

/** The state after `op` is applied, by the workflow's rules (docs/workflow.md). */
export function afterEdit(s: ArticleState, c: Content): ArticleState {
  // A live article keeps its content; the edit waits, staged, for the next publish.
  return s.status === 'published' ? { ...s, newest: c, staged: true } : { ...s, row: c, newest: c };
}

export function afterPublish(s: ArticleState): ArticleState {
  return { status: 'published', row: s.staged ? s.newest : s.row, newest: s.newest, staged: false };
}

/** mulberry32: small, fast and reproducible from one 32-bit seed (the repo's one seeded PRNG). */
export { mulberry32 as prng } from '../../bench/search/prng.js';
