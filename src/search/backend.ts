import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../store/schema.js';

type Db = Kysely<Database>;

export type SearchDocType = 'article' | 'live';

/**
 * One searchable thing as the index sees it: terms already analyzed (src/text/analyzer). Main
 * fields keep every term in order, stopwords included, so phrases match by position; `alt` holds
 * the lower-weight proclitic-stripped variants.
 */
export interface IndexedDocument {
  type: SearchDocType;
  refId: number;
  coverageId: number | null;
  sectionId: number | null;
  /** UTC ISO-8601 with `Z`: filters compare it as text. */
  publishedAt: string;
  fields: IndexedFields;
}

export interface IndexedFields {
  headline: string[];
  summary: string[];
  body: string[];
  tags: string[];
  captions: string[];
  alt: string[];
}

/**
 * The last version of each (type, refId) in `docs`, in order: one multi-row upsert may not touch a
 * row twice (PostgreSQL refuses it), and the last write is the one indexDocument would leave.
 */
export function lastOfEach(docs: readonly IndexedDocument[]): IndexedDocument[] {
  const byKey = new Map<string, IndexedDocument>();
  for (const d of docs) {
    const key = `${d.type}:${d.refId}`;
    byKey.delete(key);
    byKey.set(key, d);
  }
  return [...byKey.values()];
}

/** Documents per multi-row statement: well under both engines' bound-parameter limits. */
export const WRITE_CHUNK = 200;

export const MAIN_FIELDS = ['headline', 'summary', 'body', 'tags', 'captions'] as const;

/** A query word: its main term and, when it has one, its proclitic-stripped variant. */
export interface QueryWord {
  main: string;
  alt?: string | undefined;
}

/** What the engines execute: built from our own terms only, never from typed syntax. */
export interface ParsedQuery {
  /** Every one must match (AND). */
  words: QueryWord[];
  /** Each a run of main terms that must appear in this order, adjacent, in one field. */
  phrases: string[][];
  excludedWords: QueryWord[];
  excludedPhrases: string[][];
}

export interface SearchFilters {
  type?: SearchDocType | undefined;
  sectionId?: number | undefined;
  /** Inclusive lower and exclusive upper bound, UTC ISO-8601. */
  fromUtc?: string | undefined;
  toUtc?: string | undefined;
}

export interface SearchPage {
  limit: number;
  offset: number;
  /** "Now" for the recency blend, so a run (and a test) sees one consistent clock. */
  now: string;
}

export interface BackendHit {
  type: SearchDocType;
  refId: number;
  coverageId: number | null;
  publishedAt: string;
  score: number;
}

/** Days after which recency halves a document's relevance: score × 1 / (1 + age_days / 30). */
export const RECENCY_DAYS = 30;

/**
 * How many matching documents, newest indexed first, are ranked. Scoring costs about 2 µs a
 * match on SQLite and 9 µs on PostgreSQL (which re-reads each tsvector), so a common word in
 * most of 100,000 articles would take 100–500 ms to rank whole; the recency blend puts the
 * answers among the newest anyway. Pages reach 1,000 deep, within this.
 */
export const RANKED_CANDIDATES = 2000;

/**
 * The one interface the two engines implement. Writers call it inside their own transaction, so
 * the index commits (or rolls back) with the content.
 */
export interface SearchBackend {
  readonly engine: 'sqlite' | 'postgres';
  indexDocument(trx: Db, doc: IndexedDocument): Promise<void>;
  /**
   * Many documents in a few multi-row statements (reindex, benchmarks): the same result as
   * indexDocument for each, in order, with the statement overhead paid once per chunk.
   */
  indexDocuments(trx: Db, docs: readonly IndexedDocument[]): Promise<void>;
  removeDocument(trx: Db, type: SearchDocType, refId: number): Promise<void>;
  /** Hits ordered by blended score, best first; `limit` + 1 rows may be asked to learn hasMore. */
  search(db: Db, query: ParsedQuery, filters: SearchFilters, page: SearchPage): Promise<BackendHit[]>;
  /** Empties the whole index (reindex starts from here). */
  clear(trx: Db): Promise<void>;
  count(db: Db): Promise<number>;
}

/** The filters as an `and …` tail on `search_documents d`: the same columns and SQL on both engines. */
export function filterSql(f: SearchFilters): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (f.type) parts.push(sql`d.type = ${f.type}`);
  if (f.sectionId != null) parts.push(sql`d.section_id = ${f.sectionId}`);
  if (f.fromUtc) parts.push(sql`d.published_at >= ${f.fromUtc}`);
  if (f.toUtc) parts.push(sql`d.published_at < ${f.toUtc}`);
  return parts.length ? sql`and ${sql.join(parts, sql` and `)}` : sql``;
}
