import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import pg from 'pg';
import { toMedia } from './media.js';
import type { Database, MediaTable } from './schema.js';

/**
 * Engine-specific halves of `nashra backup` and `nashra restore`: a consistent snapshot of the
 * database, what it holds (row counts, migrations, the media files its rows name), and putting a
 * snapshot back into an empty store. Files and manifests are the CLI's business.
 */

/** A backup or restore step that cannot go on; its message is one line for the operator. */
export class BackupError extends Error {}

/** What a snapshot holds, read from the snapshot itself (never from the live database after it). */
export interface SnapshotContents {
  /** Rows per table, compared after a restore. */
  counts: Record<string, number>;
  /** Applied migrations, oldest first. */
  migrations: string[];
  /** Media files (originals and variants) the snapshot's rows refer to, relative to the media dir. */
  mediaKeys: string[];
}

export interface PostgresSnapshot extends SnapshotContents {
  schema: string;
  serverVersion: string;
  pgDumpVersion: string;
}

/** An fsync, so a backup that says it is complete is on the disk and not only in the page cache. */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function mediaKeysOf(rows: Record<string, unknown>[]): string[] {
  const keys = new Set<string>();
  for (const row of rows) {
    const m = toMedia(row as unknown as Parameters<typeof toMedia>[0]);
    if (m.storageKey) keys.add(m.storageKey);
    for (const v of m.variants ?? []) keys.add(v.key);
  }
  return [...keys].sort();
}

// ---------------------------------------------------------------------------------------------
// SQLite

/**
 * `VACUUM INTO` rather than the online backup API: it copies inside one read transaction, so in
 * WAL mode the server's writers go on and the copy is the database as of one instant. The backup
 * API restarts whenever another process writes, and under a steady newsroom load may never end.
 */
export async function snapshotSqlite(dbFile: string, outFile: string): Promise<SnapshotContents> {
  let source: SQLite.Database;
  try {
    source = new SQLite(dbFile, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new BackupError(`cannot open the SQLite database ${dbFile}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    source.pragma('busy_timeout = 10000');
    source.prepare('VACUUM INTO ?').run(outFile);
  } finally {
    source.close();
  }
  await syncFile(outFile);
  return readSqliteContents(outFile);
}

/** Counts, migrations and media keys of a SQLite file, opened read-only. */
export async function readSqliteContents(file: string): Promise<SnapshotContents> {
  const raw = new SQLite(file, { readonly: true, fileMustExist: true });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  try {
    // Virtual tables (the FTS index) are counted through their shadow tables, which are real ones.
    const tables = raw
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' and sql not like 'CREATE VIRTUAL%' order by name")
      .pluck()
      .all() as string[];
    const counts: Record<string, number> = {};
    for (const t of tables) counts[t] = raw.prepare(`select count(*) from "${t.replaceAll('"', '""')}"`).pluck().get() as number;
    const migrations = tables.includes('kysely_migration')
      ? (raw.prepare('select name from kysely_migration order by name').pluck().all() as string[])
      : [];
    const media = tables.includes('media') ? await db.selectFrom('media').selectAll().execute() : [];
    return { counts, migrations, mediaKeys: mediaKeysOf(media) };
  } finally {
    await db.destroy();
  }
}

/** Copies a snapshot to where the store will open it; the caller renames it into place. */
export async function restoreSqlite(snapshotFile: string, targetFile: string): Promise<void> {
  await copyFile(snapshotFile, targetFile);
  await syncFile(targetFile);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** pg_dump and pg_restore get the URL without its password, which goes in PGPASSWORD: no secret on a command line `ps` shows. */
function libpqTarget(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  // libpq reads `+` literally where WHATWG URLs (and node-postgres) read a space: re-encode as %20.
  const params = [...u.searchParams].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  u.search = params ? `?${params}` : '';
  return { dbname: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

/** Where a URL points, without credentials, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'the configured database';
  }
}

interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new BackupError(`${tool} not found on PATH: install the PostgreSQL client tools (the same major version as the server or newer)`)
          : e,
      ),
    );
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The first line pg_dump or pg_restore printed, which names what went wrong. */
function firstError(run: ToolRun): string {
  const line = run.stderr.split('\n').find((l) => /error|fatal/i.test(l)) ?? run.stderr.split('\n').find(Boolean) ?? `exit ${run.code}`;
  return line.replace(/^(pg_dump|pg_restore): /, '').trim();
}

/** `pg_dump (PostgreSQL) 15.20 (Debian …)` → [15, '15.20']. */
async function toolVersion(tool: 'pg_dump' | 'pg_restore'): Promise<{ major: number; version: string }> {
  const run = await runTool(tool, ['--version']);
  const m = /\)\s*(\d+)(?:\.(\d+))?/.exec(run.stdout);
  if (run.code !== 0 || !m) throw new BackupError(`${tool} --version did not answer as expected: ${run.stdout.trim() || firstError(run)}`);
  return { major: Number(m[1]), version: m[2] ? `${m[1]}.${m[2]}` : m[1]! };
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new BackupError(`cannot reach PostgreSQL at ${describeUrl(url)}: ${why}`);
  }
  return client;
}

/** The schema the store works in: the URL's (or pgSchema's) search_path decides, as for `openStore`. */
async function storeSchema(client: pg.Client, pgSchema: string | undefined): Promise<string> {
  if (pgSchema) return pgSchema;
  const name = (await client.query<{ name: string | null }>('select current_schema() as name')).rows[0]?.name;
  if (!name) throw new BackupError('the database has no current schema (search_path names none that exists)');
  return name;
}

async function postgresContents(client: pg.Client, schema: string): Promise<SnapshotContents> {
  const q = (name: string) => `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`;
  const tables = (
    await client.query<{ name: string }>(
      "select table_name as name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE' order by table_name",
      [schema],
    )
  ).rows.map((r) => r.name);
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = Number((await client.query<{ n: string }>(`select count(*) as n from ${q(t)}`)).rows[0]!.n);
  const migrations = tables.includes('kysely_migration')
    ? (await client.query<{ name: string }>(`select name from ${q('kysely_migration')} order by name`)).rows.map((r) => r.name)
    : [];
  const media = tables.includes('media') ? (await client.query<MediaTable & Record<string, unknown>>(`select * from ${q('media')}`)).rows : [];
  return { counts, migrations, mediaKeys: mediaKeysOf(media) };
}

/**
 * `pg_dump -Fc` of the store's schema. The counts and media keys are read in a REPEATABLE READ
 * transaction whose snapshot pg_dump is handed (`--snapshot`), so they describe exactly the dump.
 */
export async function snapshotPostgres(
  url: string,
  outFile: string,
  opts: { pgSchema?: string | undefined } = {},
): Promise<PostgresSnapshot> {
  const client = await connect(url);
  try {
    // 150020 is 15.20 (PostgreSQL ≥ 10 numbers its versions major × 10000 + minor).
    const serverNum = Number((await client.query<{ v: string }>("select current_setting('server_version_num') as v")).rows[0]!.v);
    const serverMajor = Math.floor(serverNum / 10000);
    const serverVersion = `${serverMajor}.${serverNum % 10000}`;
    const tool = await toolVersion('pg_dump');
    if (tool.major < serverMajor) {
      throw new BackupError(`pg_dump ${tool.version} is older than the server (PostgreSQL ${serverVersion}): install pg_dump ${serverMajor} or newer`);
    }
    const schema = await storeSchema(client, opts.pgSchema);
    await client.query('begin isolation level repeatable read read only');
    const snapshotId = (await client.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0]!.id;
    const contents = await postgresContents(client, schema);
    if (!contents.migrations.length) throw new BackupError(`schema ${schema} at ${describeUrl(url)} holds no Nashra store (no migrations applied)`);
    const target = libpqTarget(url);
    const run = await runTool(
      'pg_dump',
      ['--format=custom', `--snapshot=${snapshotId}`, `--schema=${schema}`, `--file=${outFile}`, `--dbname=${target.dbname}`],
      target.env,
    );
    await client.query('commit');
    if (run.code !== 0) throw new BackupError(`pg_dump failed: ${firstError(run)}`);
    await syncFile(outFile);
    return { ...contents, schema, serverVersion, pgDumpVersion: tool.version };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Relations in a schema: a restore goes only into one that has none. */
export async function postgresRelationCount(url: string, schema: string): Promise<number> {
  const client = await connect(url);
  try {
    const r = await client.query<{ n: string }>(
      "select count(*) as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')",
      [schema],
    );
    return Number(r.rows[0]!.n);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * pg_restore in one transaction (a failure leaves the target as it was), without the dump's
 * owners and grants (the restoring role owns everything). A schema that already exists, empty
 * (`public` of a new database), is left out of the archive's list so creating it does not fail.
 */
export async function restorePostgres(url: string, dumpFile: string, schema: string, neededMajor: number): Promise<void> {
  const tool = await toolVersion('pg_restore');
  if (tool.major < neededMajor) throw new BackupError(`pg_restore ${tool.version} is older than the pg_dump that made the backup (${neededMajor}): install pg_restore ${neededMajor} or newer`);
  const client = await connect(url);
  let schemaExists: boolean;
  try {
    schemaExists = (await client.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount === 1;
  } finally {
    await client.end().catch(() => undefined);
  }
  const listed = await runTool('pg_restore', ['--list', dumpFile]);
  if (listed.code !== 0) throw new BackupError(`${dumpFile}: pg_restore cannot read it: ${firstError(listed)}`);
  const name = schema.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The schema itself and its comment (`public` has one, which only its owner may set).
  const schemaEntry = new RegExp(`^\\d+; \\d+ \\d+ (SCHEMA - ${name}|COMMENT - SCHEMA ${name}) `);
  const list = listed.stdout
    .split('\n')
    .filter((l) => !(schemaExists && schemaEntry.test(l)))
    .join('\n');
  // The list goes beside the system's temporary files: the backup folder may be read-only.
  const listDir = await mkdtemp(join(tmpdir(), 'nashra-restore-'));
  const listFile = join(listDir, 'list');
  await writeFile(listFile, list);
  try {
    const target = libpqTarget(url);
    const run = await runTool(
      'pg_restore',
      ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', `--use-list=${listFile}`, `--dbname=${target.dbname}`, dumpFile],
      target.env,
    );
    if (run.code !== 0) throw new BackupError(`pg_restore failed: ${firstError(run)}`);
  } finally {
    await rm(listDir, { recursive: true, force: true });
  }
}

/** Counts and migrations of a restored PostgreSQL schema, to compare with the manifest. */
export async function readPostgresContents(url: string, schema: string): Promise<SnapshotContents> {
  const client = await connect(url);
  try {
    return await postgresContents(client, schema);
  } finally {
    await client.end().catch(() => undefined);
  }
}
