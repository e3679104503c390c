import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../store/schema.js';
import {
  filterSql,
  lastOfEach,
  RANKED_CANDIDATES,
  WRITE_CHUNK,
  RECENCY_DAYS,
  type BackendHit,
  type IndexedDocument,
  type ParsedQuery,
  type QueryWord,
  type SearchBackend,
  type SearchDocType,
  type SearchFilters,
} from './backend.js';

type Db = Kysely<Database>;

/** ts_rank_cd weights for D, C, B, A: alt variants, body and captions, summary and tags, headline. */
const RANK_WEIGHTS = '{0.1, 0.3, 0.6, 1.0}';
/** PostgreSQL's limits: positions above 16383 are clamped and a lexeme keeps at most 256 of them. */
const MAX_POSITION = 16383;
const MAX_POSITIONS_PER_LEXEME = 256;

/** A quoted lexeme for tsvector/tsquery input: taken as-is, no parser or dictionary in between. */
function lexeme(term: string): string {
  // Nearly every term has neither character: skip the two replaceAll passes then.
  if (!term.includes("'") && !term.includes('\\')) return `'${term}'`;
  return `'${term.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/**
 * The tsvector as text, built from our terms with explicit positions and weights: casting text
 * (not to_tsvector) means PostgreSQL's parser never re-splits or folds what the analyzer made.
 * Fields are a position apart so a phrase never runs from one into the next.
 */
export function tsvectorText(doc: IndexedDocument): string {
  const f = doc.fields;
  const fields: [string[], string][] = [
    [f.headline, 'A'],
    [f.summary, 'B'],
    [f.tags, 'B'],
    [f.body, 'C'],
    [f.captions, 'C'],
    [f.alt, 'D'],
  ];
  // Each lexeme's position list is built as one string (bulk reindex writes millions of them).
  const positions = new Map<string, { list: string; n: number }>();
  let pos = 0;
  outer: for (const [terms, weight] of fields) {
    pos += 1;
    for (const t of terms) {
      pos += 1;
      if (pos > MAX_POSITION) break outer;
      const p = positions.get(t);
      if (!p) positions.set(t, { list: `${pos}${weight}`, n: 1 });
      else if (p.n < MAX_POSITIONS_PER_LEXEME) {
        p.list += `,${pos}${weight}`;
        p.n += 1;
      }
    }
  }
  let out = '';
  for (const [t, p] of positions) out += `${out ? ' ' : ''}${lexeme(t)}:${p.list}`;
  return out;
}

function word(w: QueryWord): string {
  return w.alt ? `(${lexeme(w.main)} | ${lexeme(w.alt)})` : lexeme(w.main);
}

/** Phrases match main fields only (weights A–C), like the SQLite backend. */
function phrase(terms: string[]): string {
  return `(${terms.map((t) => `${lexeme(t)}:ABC`).join(' <-> ')})`;
}

/** The tsquery as text, from analyzed terms only: nothing typed reaches tsquery syntax. */
export function tsqueryText(q: ParsedQuery): string | null {
  const positive = [...q.words.map(word), ...q.phrases.map(phrase)];
  if (!positive.length) return null;
  const negative = [...q.excludedWords.map(word), ...q.excludedPhrases.map(phrase)].map((n) => `!${n}`);
  return [...positive, ...negative].join(' & ');
}

export const postgresBackend: SearchBackend = {
  engine: 'postgres',

  async indexDocument(trx, doc) {
    await postgresBackend.indexDocuments(trx, [doc]);
  },

  async indexDocuments(trx, docs) {
    const unique = lastOfEach(docs);
    for (let i = 0; i < unique.length; i += WRITE_CHUNK) {
      const rows = unique
        .slice(i, i + WRITE_CHUNK)
        .map((d) => sql`(${d.type}, ${d.refId}, ${d.coverageId}, ${d.sectionId}, ${d.publishedAt}, cast(${tsvectorText(d)} as tsvector))`);
      await sql`insert into search_documents (type, ref_id, coverage_id, section_id, published_at, terms)
        values ${sql.join(rows)}
        on conflict (type, ref_id) do update set coverage_id = excluded.coverage_id, section_id = excluded.section_id,
          published_at = excluded.published_at, terms = excluded.terms`.execute(trx);
    }
  },

  async removeDocument(trx, type: SearchDocType, refId: number) {
    await trx.deleteFrom('search_documents').where('type', '=', type).where('ref_id', '=', refId).execute();
  },

  async search(db, query, filters, page): Promise<BackendHit[]> {
    const tsq = tsqueryText(query);
    if (!tsq) return [];
    // The inner query picks the newest matching documents (see RANKED_CANDIDATES) by id alone;
    // only those have their tsvector read again and ranked. `id + 0`: ordered by the bare id, the
    // planner walks the primary key backwards testing every row's tsvector instead of asking the
    // GIN index. And seqscan off for this query alone: tsvectors live in TOAST, so the heap looks
    // small and the planner prices a full scan far below its real cost (measured at 20,000
    // articles: 66 ms by seq scan for a word no article has, 3 ms through the index).
    const { rows } = await db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      return sql<{ type: SearchDocType; ref_id: number; coverage_id: number | null; published_at: string; score: number }>`
      with c as (
        select d.id from search_documents d
        where d.terms @@ cast(${tsq} as tsquery) ${filterSql(filters)}
        order by d.id + 0 desc
        limit ${sql.lit(RANKED_CANDIDATES)}
      )
      select d.type, d.ref_id, d.coverage_id, d.published_at,
        ts_rank_cd(${RANK_WEIGHTS}::float4[], d.terms, cast(${tsq} as tsquery)) / (1.0 + greatest(0.0,
          extract(epoch from (cast(${page.now} as timestamptz) - cast(d.published_at as timestamptz))) / 86400.0) / ${sql.lit(RECENCY_DAYS)}.0)
          as score
      from c join search_documents d on d.id = c.id
      order by score desc, d.id desc
      limit ${page.limit} offset ${page.offset}`.execute(trx);
    });
    return rows.map((r) => ({ type: r.type, refId: r.ref_id, coverageId: r.coverage_id, publishedAt: r.published_at, score: Number(r.score) }));
  },

  async clear(trx) {
    await trx.deleteFrom('search_documents').execute();
  },

  async count(db) {
    const r = await db.selectFrom('search_documents').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  },
};
