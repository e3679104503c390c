import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type LogEvent, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { isPostgres } from './migrations/columns.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type Engine = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** postgres://… selects PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL schema to work in (tests use one each, so runs never collide). */
  pgSchema?: string | undefined;
  /** SQLite file name inside dataDir; `:memory:` is allowed for throwaway stores. */
  sqliteFile?: string | undefined;
  /** PostgreSQL: statements running longer are cancelled (30 s by default; 0: no limit). */
  statementTimeoutMs?: number | undefined;
}

export interface Store {
  db: Kysely<Database>;
  engine: Engine;
  close(): Promise<void>;
  /** Pool use and failed statements since the store opened, for `/metrics`. */
  stats?(): StoreStats;
}

export interface StoreStats {
  queryErrors: number;
  /** PostgreSQL's connections: open, idle, and requests waiting for one. */
  pool?: { total: number; idle: number; waiting: number };
}

/** Kysely calls this for every statement; only failures are counted, so it costs an addition. */
function countErrors(counts: { queryErrors: number }): (event: LogEvent) => void {
  return (event) => {
    if (event.level === 'error') counts.queryErrors++;
  };
}

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

export function openStore(opts: StoreOptions): Store {
  if (isPostgresUrl(opts.databaseUrl)) {
    const statementMs = opts.statementTimeoutMs ?? 30_000;
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      // An outage must answer fast (a 503, src/store/unavailable.ts), not hold requests until the
      // OS gives up: a connect takes milliseconds when the server is up, so 2 s means it is not.
      connectionTimeoutMillis: 2_000,
      // A dead peer that sent no reset (a cable pulled, a VM frozen) is noticed by keepalives.
      keepAlive: true,
      // The server ends a statement running past this; the client-side read timeout, a little
      // later, covers a server that cannot even say so.
      ...(statementMs > 0 ? { statement_timeout: statementMs, query_timeout: statementMs + 5_000 } : {}),
      ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
    });
    // An idle client whose connection dies (PostgreSQL restarted) is dropped by the pool, which
    // then emits 'error': with no listener, that would crash the process. So would an error on a
    // checked-out client between two queries; its next query fails instead, and the pool drops
    // it on release. Either way the next request gets a fresh connection: recovery needs no restart.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const counts = { queryErrors: 0 };
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: countErrors(counts) });
    const stats = () => ({ ...counts, pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } });
    return { db, engine: 'postgres', close: () => db.destroy(), stats };
  }
  const file = opts.sqliteFile ?? 'nashra.db';
  if (file !== ':memory:') mkdirSync(opts.dataDir, { recursive: true });
  const sqlite = new SQLite(file === ':memory:' ? file : join(opts.dataDir, file));
  // WAL lets readers go on while a writer commits. FULL syncs every commit: newsroom writes are
  // rare and an acknowledged publish must survive a power cut, not only a process crash.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const counts = { queryErrors: 0 };
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachedStatements(sqlite) }), log: countErrors(counts) });
  return { db, engine: 'sqlite', close: () => db.destroy(), stats: () => ({ ...counts }) };
}

/**
 * Kysely's SQLite driver calls `prepare(sql)` for every query, and compiling the SQL was 13% of a
 * bulk import's CPU. Queries are few distinct texts run many times, so statements are kept by
 * their text, least recently used dropped past `max` (texts vary with list lengths and inlined
 * values). A statement being iterated (Kysely's streamQuery) is `busy` and cannot be run again
 * until the loop ends, so a query arriving meanwhile gets a fresh, uncached one.
 */
export function cachedStatements(sqlite: SQLite.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close() {
      cache.clear();
      sqlite.close();
    },
    prepare(text) {
      const hit = cache.get(text);
      if (hit) {
        if (hit.busy) return sqlite.prepare(text);
        cache.delete(text); // re-inserted: a Map keeps insertion order, so the first key is the least recently used
        cache.set(text, hit);
        return hit;
      }
      const stmt = sqlite.prepare(text);
      cache.set(text, stmt);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
      return stmt;
    },
  };
}

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await (await migratorFor(db)).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** A trivial query: throws when the database cannot answer. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** The migrations this code knows that the database has not run (`/readyz` answers 503 while any are). */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const all = await (await migratorFor(db)).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}

async function migratorFor(db: Kysely<Database>): Promise<Migrator> {
  // Unless told a schema, Kysely takes its bookkeeping tables in *any* schema of the database for
  // its own: with several schemas in one database (each test run has one), it would skip creating
  // them in ours. The current schema is where search_path puts everything else.
  const schema = isPostgres(db as Kysely<unknown>)
    ? (await sql<{ name: string }>`select current_schema() as name`.execute(db)).rows[0]?.name
    : undefined;
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}
