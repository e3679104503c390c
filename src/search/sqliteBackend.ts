import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../store/schema.js';
import {
  filterSql,
  lastOfEach,
  MAIN_FIELDS,
  WRITE_CHUNK,
  RANKED_CANDIDATES,
  RECENCY_DAYS,
  type BackendHit,
  type ParsedQuery,
  type QueryWord,
  type SearchBackend,
  type SearchDocType,
  type SearchFilters,
} from './backend.js';

type Db = Kysely<Database>;

/** bm25() column weights, in the FTS5 table's column order: headline, summary, body, tags, captions, alt. */
const WEIGHTS = [10, 4, 1, 4, 1.5, 0.4] as const;
const MAIN = `{${MAIN_FIELDS.join(' ')}}`;

/** An FTS5 string: our terms are letters and digits, but a quote must never end the string early. */
function str(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** A word matches a main term, or (through the low-weight alt column) a document's stripped variant. */
function word(w: QueryWord): string {
  const parts = [`${MAIN} : ${str(w.main)}`, `alt : ${str(w.main)}`];
  if (w.alt) parts.push(`${MAIN} : ${str(w.alt)}`, `alt : ${str(w.alt)}`);
  return `(${parts.join(' OR ')})`;
}

function phrase(terms: string[]): string {
  return `(${MAIN} : ${str(terms.join(' '))})`;
}

/** The MATCH expression, built from analyzed terms only: nothing typed reaches FTS5 syntax. */
export function ftsExpression(q: ParsedQuery): string | null {
  const positive = [...q.words.map(word), ...q.phrases.map(phrase)];
  if (!positive.length) return null;
  const negative = [...q.excludedWords.map(word), ...q.excludedPhrases.map(phrase)];
  return [`(${positive.join(' AND ')})`, ...negative].join(' NOT ');
}

async function documentId(db: Db, type: SearchDocType, refId: number): Promise<number | undefined> {
  const r = await db.selectFrom('search_documents').select('id').where('type', '=', type).where('ref_id', '=', refId).executeTakeFirst();
  return r?.id;
}

function hasFilters(f: SearchFilters): boolean {
  return !!(f.type || f.sectionId != null || f.fromUtc || f.toUtc);
}

export const sqliteBackend: SearchBackend = {
  engine: 'sqlite',

  async indexDocument(trx, doc) {
    await sqliteBackend.indexDocuments(trx, [doc]);
  },

  async indexDocuments(trx, docs) {
    const unique = lastOfEach(docs);
    for (let i = 0; i < unique.length; i += WRITE_CHUNK) {
      const chunk = unique.slice(i, i + WRITE_CHUNK);
      // Two statements per chunk whether the documents are new or not: an upsert that keeps each
      // row's id, and a REPLACE of the FTS rows under those ids (contentless_delete tables allow it).
      const ids = await trx
        .insertInto('search_documents')
        .values(chunk.map((d) => ({ type: d.type, ref_id: d.refId, coverage_id: d.coverageId, section_id: d.sectionId, published_at: d.publishedAt })))
        .onConflict((oc) =>
          oc.columns(['type', 'ref_id']).doUpdateSet((eb) => ({
            coverage_id: eb.ref('excluded.coverage_id'),
            section_id: eb.ref('excluded.section_id'),
            published_at: eb.ref('excluded.published_at'),
          })),
        )
        .returning(['id', 'type', 'ref_id'])
        .execute();
      // RETURNING's row order is not promised: match ids back by key.
      const idOf = new Map(ids.map((r) => [`${r.type}:${r.ref_id}`, r.id]));
      const rows = chunk.map((d) => {
        const f = d.fields;
        const values = [f.headline, f.summary, f.body, f.tags, f.captions, f.alt].map((t) => t.join(' '));
        return sql`(${idOf.get(`${d.type}:${d.refId}`)!}, ${sql.join(values.map((v) => sql`${v}`))})`;
      });
      await sql`insert or replace into search_fts (rowid, headline, summary, body, tags, captions, alt)
        values ${sql.join(rows)}`.execute(trx);
    }
  },

  async removeDocument(trx, type, refId) {
    const id = await documentId(trx, type, refId);
    if (id == null) return;
    await sql`delete from search_fts where rowid = ${id}`.execute(trx);
    await trx.deleteFrom('search_documents').where('id', '=', id).execute();
  },

  async search(db, query, filters, page): Promise<BackendHit[]> {
    const match = ftsExpression(query);
    if (!match) return [];
    const weights = sql.join(WEIGHTS.map((w) => sql.lit(w)));
    // bm25() is lower-is-better; negated it is a relevance, which recency then scales down. The
    // inner query walks matches newest-rowid first (FTS5's own order, so LIMIT stops it early) and
    // scores only those: see RANKED_CANDIDATES. Filters join inside, so the cap counts only
    // documents that pass them; without filters the inner query stays on the FTS table alone.
    const filtered = hasFilters(filters);
    const { rows } = await sql<{ type: SearchDocType; ref_id: number; coverage_id: number | null; published_at: string; score: number }>`
      select d.type, d.ref_id, d.coverage_id, d.published_at,
        c.relevance / (1.0 + max(0.0, julianday(${page.now}) - julianday(d.published_at)) / ${sql.lit(RECENCY_DAYS)}.0) as score
      from (
        select search_fts.rowid as id, -bm25(search_fts, ${weights}) as relevance
        from search_fts ${filtered ? sql`join search_documents d on d.id = search_fts.rowid` : sql``}
        where search_fts match ${match} ${filterSql(filters)}
        order by search_fts.rowid desc
        limit ${sql.lit(RANKED_CANDIDATES)}
      ) c join search_documents d on d.id = c.id
      order by score desc, d.id desc
      limit ${page.limit} offset ${page.offset}`.execute(db);
    return rows.map((r) => ({ type: r.type, refId: r.ref_id, coverageId: r.coverage_id, publishedAt: r.published_at, score: r.score }));
  },

  async clear(trx) {
    // The FTS5 command empties a contentless table at once, rather than row by row.
    await sql`insert into search_fts (search_fts) values ('delete-all')`.execute(trx);
    await trx.deleteFrom('search_documents').execute();
  },

  async count(db) {
    const r = await db.selectFrom('search_documents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  },
};
