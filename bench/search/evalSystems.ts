/**
 * The four systems the quality benchmark compares, each behind one small interface: load the
 * items, answer a query with item ids best first, clean up. Nashra runs its real search code
 * (analyzer → SearchBackend → parseQuery → backend.search) on a real store; the baselines run the
 * stock engines on the raw text, as a newsroom would get them out of the box.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { searchBackend } from '../../src/search/backends.js';
import { analyzeFields } from '../../src/search/documents.js';
import { parseQuery } from '../../src/search/query.js';
import { migrateToLatest, openStore, type Store } from '../../src/store/db.js';
import type { EvalItem } from './writeEvalFixtures.js';

export interface EvalSystem {
  search(q: string, limit: number): Promise<string[]>;
  close(): Promise<void>;
}

/** A fresh PostgreSQL schema that disappears with the run, so a benchmark never touches real data. */
export async function scratchSchema(url: string, prefix: string): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  return {
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

/** Nashra as shipped: items become IndexedDocuments through the analyzer, queries go through parseQuery. */
export async function nashraSystem(items: readonly EvalItem[], pgUrl?: string): Promise<EvalSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nashra-eval-'));
  const scratch = pgUrl ? await scratchSchema(pgUrl, 'nashra_eval') : undefined;
  const store: Store = openStore({ dataDir, databaseUrl: pgUrl, pgSchema: scratch?.schema });
  await migrateToLatest(store.db);
  const backend = searchBackend(store.db);
  await store.db.transaction().execute(async (trx) => {
    for (const [i, it] of items.entries()) {
      await backend.indexDocument(trx, {
        type: 'article',
        refId: i + 1,
        coverageId: null,
        sectionId: null,
        publishedAt: it.publishedAt,
        fields: analyzeFields({ headline: it.headline, summary: '', body: it.body, tags: '', captions: '' }),
      });
    }
  });
  // "Now" is the newest item's time: recency weighs as on the day the last item went out.
  const now = items.map((it) => it.publishedAt).sort().at(-1)!;
  return {
    async search(q, limit) {
      const hits = await backend.search(store.db, parseQuery(q), {}, { limit, offset: 0, now });
      return hits.map((h) => items[h.refId - 1]!.id);
    },
    async close() {
      await store.close();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** PostgreSQL's own `arabic` configuration (Snowball stemmer) on the raw headline and body. */
export async function pgArabicSystem(items: readonly EvalItem[], url: string): Promise<EvalSystem> {
  const scratch = await scratchSchema(url, 'arabic_cfg_eval');
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${scratch.schema}` });
  await client.connect();
  await client.query(`create table items (id text primary key, tsv tsvector not null)`);
  for (const it of items) {
    await client.query(`insert into items values ($1, to_tsvector('arabic', $2 || ' ' || $3))`, [it.id, it.headline, it.body]);
  }
  await client.query(`create index items_tsv on items using gin (tsv)`);
  return {
    async search(q, limit) {
      const r = await client.query<{ id: string }>(
        `select id from items, plainto_tsquery('arabic', $1) query
         where tsv @@ query order by ts_rank_cd(tsv, query) desc, id limit $2`,
        [q, limit],
      );
      return r.rows.map((row) => row.id);
    },
    async close() {
      await client.end();
      await scratch.drop();
    },
  };
}

export type Fts5Join = 'AND' | 'OR';

/**
 * SQLite FTS5 with its default tokenizer (unicode61, diacritics removal on) on the raw text. Each
 * typed word is quoted (so nothing typed is FTS5 syntax) and the words are joined by `join`.
 */
export async function fts5System(items: readonly EvalItem[], join: Fts5Join): Promise<EvalSystem> {
  const db = new SQLite(':memory:');
  db.exec(`create virtual table items using fts5(id unindexed, headline, body, tokenize = 'unicode61')`);
  const insert = db.prepare('insert into items (id, headline, body) values (?, ?, ?)');
  db.transaction(() => {
    for (const it of items) insert.run(it.id, it.headline, it.body);
  })();
  const select = db.prepare<[string, number], { id: string }>('select id from items where items match ? order by rank, id limit ?');
  return {
    async search(q, limit) {
      const words = q.split(/\s+/).filter(Boolean).map((w) => `"${w.replaceAll('"', '""')}"`);
      if (!words.length) return [];
      return select.all(words.join(` ${join} `), limit).map((r) => r.id);
    },
    async close() {
      db.close();
    },
  };
}
