/**
 * `npm run bench:search`: indexing speed, index size and query latency at newsroom-archive scale.
 *
 *   npm run bench:search                      # 100,000 articles (several minutes)
 *   npx tsx bench/searchSpeed.ts --articles 2000 --queries 50   # quick check
 *
 * The corpus comes from bench/searchCorpus.ts (deterministic, ~400 words an article). Each
 * article is analyzed once (timed on its own) and indexed through Nashra's SearchBackend into a
 * fresh SQLite store and, when DATABASE_URL_TEST or DATABASE_URL names one, a fresh PostgreSQL
 * schema. Baseline, same run, same articles and queries: a stock FTS5 table (unicode61) on the
 * raw text, which is what "no analyzer" costs. Queries: one, two and three words drawn by
 * frequency, and 2–3-word phrases that occur, run one at a time after a warm-up.
 * Writes bench/results/search.md and search.json.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { searchBackend } from '../src/search/backends.js';
import { openFieldAnalyzer } from '../src/search/analysisPool.js';
import { analyzeFields, type SourceText } from '../src/search/documents.js';
import { parseQuery } from '../src/search/query.js';
import type { IndexedDocument } from '../src/search/backend.js';
import { isPostgresUrl, migrateToLatest, openStore, type Store } from '../src/store/db.js';
import type { Database } from '../src/store/schema.js';
import { corpusArticle, queryPhrase, queryWord } from './searchCorpus.js';
import { scratchSchema } from './search/evalSystems.js';
import { mulberry32 } from './search/prng.js';

const TARGET_P95_MS = 25;
const TARGET_ARTICLES_PER_S = 2000;
const BATCH = 500;
const WARMUP = 20;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer, got "${process.argv[i + 1] ?? ''}"`);
  return n;
}
const ARTICLES = arg('articles', 100_000);
const QUERIES = arg('queries', 300);

const rawPgUrl = process.env.DATABASE_URL_TEST || process.env.DATABASE_URL;
const pgUrl = isPostgresUrl(rawPgUrl) ? rawPgUrl : undefined;

const seconds = (ns: bigint) => Number(ns) / 1e9;
const now = () => process.hrtime.bigint();
const log = (s: string) => console.error(s);

// ── stores ──
const dataDir = mkdtempSync(join(tmpdir(), 'nashra-bench-search-'));
function tmpdir() {
  return os.tmpdir();
}
const sqliteStore: Store = openStore({ dataDir });
await migrateToLatest(sqliteStore.db);
const scratch = pgUrl ? await scratchSchema(pgUrl, 'nashra_bench_search') : undefined;
const pgStore: Store | undefined = pgUrl ? openStore({ dataDir, databaseUrl: pgUrl, pgSchema: scratch!.schema }) : undefined;
if (pgStore) await migrateToLatest(pgStore.db);
const raw = new SQLite(join(dataDir, 'baseline-fts5.db'));
raw.pragma('journal_mode = WAL');
raw.exec(`create virtual table articles using fts5(headline, summary, body, tokenize = 'unicode61')`);
const rawInsert = raw.prepare('insert into articles (rowid, headline, summary, body) values (?, ?, ?, ?)');

// ── indexing ──
// Each system indexes the same articles, one after the other, in chunks generated beforehand
// with the clock stopped, so no system's time includes generating text or another system's
// writes. Nashra's systems index as `nashra search reindex` does: a worker thread analyses batch
// n+1 while this thread writes batch n (src/search/analysisPool.ts), so their time is the wall
// clock of that pipeline. "Analysis alone" is the same analysis timed in this thread.
const CHUNK = 5000;
const timing = { generate: 0n, analyze: 0n, sqlite: 0n, postgres: 0n, baseline: 0n };
const sqliteBackend = searchBackend(sqliteStore.db);
const pgBackend = pgStore ? searchBackend(pgStore.db) : undefined;
const analyzer = openFieldAnalyzer();
if (!analyzer.threaded) log('warning: no analysis worker thread; analysis runs in the writing thread');

type Source = { n: number; publishedAt: string; text: SourceText };

/** Wall time to analyse (in the worker) and write `sources` in batches, one batch in flight. */
async function indexPipelined(db: Kysely<Database>, backend: ReturnType<typeof searchBackend>, sources: Source[]): Promise<bigint> {
  const t = now();
  let previous: Promise<void> | undefined;
  for (let from = 0; from < sources.length; from += BATCH) {
    const batch = sources.slice(from, from + BATCH);
    const analysed = analyzer.analyze(batch.map((s) => s.text));
    const before: Promise<void> | undefined = previous;
    previous = (async () => {
      const fields = await analysed;
      await before;
      const docs: IndexedDocument[] = batch.map((s, i) => ({ type: 'article', refId: s.n + 1, coverageId: null, sectionId: null, publishedAt: s.publishedAt, fields: fields[i]! }));
      await db.transaction().execute((trx) => backend.indexDocuments(trx, docs));
    })();
    previous.catch(() => {});
    await before;
  }
  await previous;
  return now() - t;
}

log(`indexing ${ARTICLES} articles (SQLite${pgStore ? ', PostgreSQL' : ''}, FTS5 baseline)…`);
const started = now();
for (let first = 0; first < ARTICLES; first += CHUNK) {
  let t = now();
  const sources: Source[] = [];
  for (let n = first; n < Math.min(ARTICLES, first + CHUNK); n++) {
    const a = corpusArticle(n);
    sources.push({ n, publishedAt: a.publishedAt, text: { headline: a.headline, summary: a.summary, body: a.body, tags: '', captions: '' } });
  }
  timing.generate += now() - t;
  t = now();
  for (const s of sources) analyzeFields(s.text);
  timing.analyze += now() - t;
  timing.sqlite += await indexPipelined(sqliteStore.db, sqliteBackend, sources);
  if (pgStore && pgBackend) timing.postgres += await indexPipelined(pgStore.db, pgBackend, sources);
  t = now();
  for (let from = 0; from < sources.length; from += BATCH) {
    raw.transaction(() => {
      for (const s of sources.slice(from, from + BATCH)) rawInsert.run(s.n + 1, s.text.headline, s.text.summary, s.text.body);
    })();
  }
  timing.baseline += now() - t;
  log(`  ${Math.min(ARTICLES, first + CHUNK)} / ${ARTICLES}  (${seconds(now() - started).toFixed(0)} s)`);
}
await analyzer.close();

// Sizes once everything is on disk: WAL folded into the main file first.
await sql`pragma wal_checkpoint(TRUNCATE)`.execute(sqliteStore.db);
raw.pragma('wal_checkpoint(TRUNCATE)');
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const sqliteMb = mb(statSync(join(dataDir, 'nashra.db')).size);
const baselineMb = mb(statSync(join(dataDir, 'baseline-fts5.db')).size);
let pgMb: number | undefined;
if (pgStore) {
  await sql`vacuum analyze search_documents`.execute(pgStore.db);
  const r = await sql<{ bytes: string }>`select pg_total_relation_size('search_documents') as bytes`.execute(pgStore.db);
  pgMb = mb(Number(r.rows[0]!.bytes));
}

// ── queries ──
type Kind = 'one word' | 'two words' | 'three words' | 'phrase';
const KINDS: Kind[] = ['one word', 'two words', 'three words', 'phrase'];
const qrand = mulberry32(4242);
const queries: Record<Kind, string[]> = {
  'one word': Array.from({ length: QUERIES }, () => queryWord(qrand)),
  'two words': Array.from({ length: QUERIES }, () => `${queryWord(qrand)} ${queryWord(qrand)}`),
  'three words': Array.from({ length: QUERIES }, () => `${queryWord(qrand)} ${queryWord(qrand)} ${queryWord(qrand)}`),
  phrase: Array.from({ length: QUERIES }, () => queryPhrase(qrand, ARTICLES, 2 + Math.floor(qrand() * 2))),
};
// The service asks one row more than a page to learn whether there is a next page.
const PAGE = { limit: 11, offset: 0, now: corpusArticle(ARTICLES - 1).publishedAt };

const rawSelect = raw.prepare<[string], { rowid: number }>('select rowid from articles where articles match ? order by rank limit 11');
function rawQuery(q: string): number {
  // Stock FTS5 as a site would wire it: typed words quoted (phrases kept whole), all required.
  const parts = q.startsWith('"') ? [q] : q.split(/\s+/).map((w) => `"${w.replaceAll('"', '""')}"`);
  return rawSelect.all(parts.join(' AND ')).length;
}

interface Latency {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** Share of queries with at least one hit: a latency over empty answers would flatter. */
  hit_rate: number;
}
function percentiles(ms: number[], hits: number): Latency {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return { p50: r2(at(50)), p95: r2(at(95)), p99: r2(at(99)), mean: r2(s.reduce((a, b) => a + b, 0) / s.length), hit_rate: r2(hits / s.length) };
}

async function measure(run: (q: string) => Promise<number> | number, list: string[]): Promise<{ ms: number[]; hits: number }> {
  for (const q of list.slice(0, WARMUP)) await run(q);
  const ms: number[] = [];
  let hits = 0;
  for (const q of list) {
    const t = now();
    const n = await run(q);
    ms.push(Number(now() - t) / 1e6);
    if (n > 0) hits += 1;
  }
  return { ms, hits };
}

const systems: [string, (q: string) => Promise<number> | number][] = [
  ['nashra_sqlite', async (q) => (await sqliteBackend.search(sqliteStore.db, parseQuery(q), {}, PAGE)).length],
];
if (pgStore && pgBackend) systems.push(['nashra_postgres', async (q) => (await pgBackend.search(pgStore.db, parseQuery(q), {}, PAGE)).length]);
systems.push(['fts5_unicode61_raw', rawQuery]);

const latency: Record<string, Record<Kind | 'all', Latency>> = {};
for (const [name, run] of systems) {
  const perKind = {} as Record<Kind | 'all', Latency>;
  const all: number[] = [];
  let allHits = 0;
  for (const kind of KINDS) {
    log(`querying ${name}: ${kind}…`);
    const { ms, hits } = await measure(run, queries[kind]);
    perKind[kind] = percentiles(ms, hits);
    all.push(...ms);
    allHits += hits;
  }
  perKind.all = percentiles(all, allHits);
  latency[name] = perKind;
}

// ── report ──
const indexSeconds = seconds(timing.sqlite);
const pgIndexSeconds = pgStore ? seconds(timing.postgres) : undefined;
const perS = (s: number) => Math.round(ARTICLES / s);
const r1 = (x: number) => Math.round(x * 10) / 10;
const sqliteP95 = latency.nashra_sqlite!.all.p95;
const targets = {
  sqlite_p95_met: ARTICLES >= 100_000 ? sqliteP95 < TARGET_P95_MS : null,
  indexing_met: perS(indexSeconds) >= TARGET_ARTICLES_PER_S,
};
const date = new Date().toISOString();
const load = os.loadavg()[0]!.toFixed(2);

const indexTable = [
  '| system | index time (s) | articles/s | index size (MB) |',
  '|---|---:|---:|---:|',
  `| nashra_sqlite (analysis in a worker + FTS5 insert, pipelined) | ${r1(indexSeconds)} | ${perS(indexSeconds)} | ${sqliteMb} |`,
  pgStore ? `| nashra_postgres (analysis in a worker + tsvector insert, pipelined) | ${r1(pgIndexSeconds!)} | ${perS(pgIndexSeconds!)} | ${pgMb} |` : `| nashra_postgres | skipped: no postgres:// DATABASE_URL_TEST or DATABASE_URL | | |`,
  `| analysis alone, one thread | ${r1(seconds(timing.analyze))} | ${perS(seconds(timing.analyze))} | |`,
  `| baseline: FTS5 unicode61 on raw text | ${r1(seconds(timing.baseline))} | ${perS(seconds(timing.baseline))} | ${baselineMb} |`,
];
const latencyTable = [
  '| system | query | p50 ms | p95 ms | p99 ms | mean ms | with hits |',
  '|---|---|---:|---:|---:|---:|---:|',
  ...Object.entries(latency).flatMap(([name, perKind]) =>
    ([...KINDS, 'all'] as const).map((k) => {
      const l = perKind[k];
      return `| ${name} | ${k} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.mean} | ${Math.round(l.hit_rate * 100)}% |`;
    }),
  ),
];
const md = [
  '# Search speed',
  '',
  `${date} · Node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'} · load ${load} at the end · \`npm run bench:search\``,
  '',
  `${ARTICLES.toLocaleString('en')} generated articles (bench/searchCorpus.ts, ~400 words each), generated ${CHUNK.toLocaleString('en')} at a time with the clock stopped (${r1(seconds(timing.generate))} s in all), then indexed by each system in turn in transactions of ${BATCH} documents. Nashra's index time is the wall clock of the reindex pipeline: a worker thread analyses the next batch while the main thread writes this one (${analyzer.threaded ? 'worker used' : 'no worker: analysis in the writing thread'}). ${QUERIES} queries of each kind, one at a time, after ${WARMUP} discarded. SQLite size is the whole store file (only the search tables hold rows); PostgreSQL size is \`pg_total_relation_size('search_documents')\` after VACUUM.`,
  '',
  '## Indexing',
  '',
  ...indexTable,
  '',
  '## Query latency (page of 10 + 1, blended rank, no filters)',
  '',
  ...latencyTable,
  '',
  `Targets: SQLite p95 < ${TARGET_P95_MS} ms at 100,000 articles — ${targets.sqlite_p95_met === null ? 'not judged (fewer articles than 100,000)' : targets.sqlite_p95_met ? `**met** (${sqliteP95} ms)` : `**not met** (${sqliteP95} ms)`}; indexing ≥ ${TARGET_ARTICLES_PER_S} articles/s — ${targets.indexing_met ? '**met**' : '**not met**'} (${perS(indexSeconds)}/s).`,
  '',
].join('\n');

const json = {
  date,
  node: process.version,
  cpus: os.cpus().length,
  load_1m: Number(load),
  articles: ARTICLES,
  queries_per_kind: QUERIES,
  index_seconds: r1(indexSeconds),
  articles_per_s: perS(indexSeconds),
  index_mb: sqliteMb,
  analysis_seconds: r1(seconds(timing.analyze)),
  analysis_worker: analyzer.threaded,
  sqlite_p50_ms: latency.nashra_sqlite!.all.p50,
  sqlite_p95_ms: sqliteP95,
  sqlite_p99_ms: latency.nashra_sqlite!.all.p99,
  postgres_index_seconds: pgIndexSeconds === undefined ? null : r1(pgIndexSeconds),
  postgres_index_mb: pgMb ?? null,
  postgres_p50_ms: latency.nashra_postgres?.all.p50 ?? null,
  postgres_p95_ms: latency.nashra_postgres?.all.p95 ?? null,
  postgres_p99_ms: latency.nashra_postgres?.all.p99 ?? null,
  postgres_skipped: pgStore ? null : 'no postgres:// DATABASE_URL_TEST or DATABASE_URL',
  baseline_fts5_index_seconds: r1(seconds(timing.baseline)),
  baseline_fts5_index_mb: baselineMb,
  baseline_fts5_p95_ms: latency.fts5_unicode61_raw!.all.p95,
  latency,
  targets: { sqlite_p95_ms: TARGET_P95_MS, articles_per_s: TARGET_ARTICLES_PER_S, ...targets },
};

const out = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(out, { recursive: true });
await writeFile(`${out}search.md`, md);
await writeFile(`${out}search.json`, `${JSON.stringify(json, null, 2)}\n`);
console.log(md);

await sqliteStore.close();
if (pgStore) await pgStore.close();
await scratch?.drop();
raw.close();
rmSync(dataDir, { recursive: true, force: true });
