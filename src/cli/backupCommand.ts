import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { loadConfig, type Config } from '../config.js';
import {
  BackupError,
  describeUrl,
  postgresRelationCount,
  readPostgresContents,
  readSqliteContents,
  restorePostgres,
  restoreSqlite,
  snapshotPostgres,
  snapshotSqlite,
  syncFile,
  type SnapshotContents,
} from '../store/backup.js';
import { isPostgresUrl, migrateToLatest, openStore } from '../store/db.js';
import { migrations } from '../store/migrations/index.js';

/**
 * `nashra backup` and `nashra restore`. A backup is a folder: the database snapshot
 * (`database.sqlite` or `database.pgdump`), `media/` and `manifest.json`, which lists every
 * file with its size and SHA-256. It is written under a temporary name and renamed once
 * complete, so a folder with a manifest under the final name is a whole backup.
 */

const FORMAT_VERSION = 1;
const SQLITE_FILE = 'nashra.db';
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
// Paths are checked before anything is copied: a doctored manifest must not write outside the target.
const SafePath = z
  .string()
  .regex(/^(database\.(sqlite|pgdump)|media\/[^\\]+)$/, 'must be database.* or media/…')
  .refine((p) => !p.split('/').some((s) => s === '' || s === '.' || s === '..'), 'must not contain empty, . or .. segments');
const FileEntry = z.strictObject({ path: SafePath, bytes: z.number().int().min(0), sha256 });

const ManifestSchema = z.object({
  format: z.literal('nashra-backup'),
  formatVersion: z.number().int(),
  nashraVersion: z.string(),
  engine: z.enum(['sqlite', 'postgres']),
  createdAt: z.string(),
  migration: z.object({ latest: z.string().nullable(), applied: z.array(z.string()) }),
  database: FileEntry,
  postgres: z.object({ schema: z.string().min(1), serverVersion: z.string(), pgDumpVersion: z.string() }).optional(),
  counts: z.record(z.string(), z.number().int().min(0)),
  files: z.array(FileEntry),
  missingMedia: z.array(z.string()),
});
type Manifest = z.infer<typeof ManifestSchema>;
type FileRecord = z.infer<typeof FileEntry>;

function nashraVersion(): string {
  // src/cli and dist/cli are both two levels below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

function hashFile(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .once('error', reject)
      .once('end', () => resolvePromise(h.digest('hex')));
  });
}

async function record(root: string, path: string): Promise<FileRecord> {
  const full = join(root, path);
  return { path, bytes: (await stat(full)).size, sha256: await hashFile(full) };
}

/** Files under `dir`, as `/`-separated paths relative to it; files still being written (`*.tmp`) are left out. */
async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.endsWith('.tmp'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** Copies and syncs `paths` from one root to another, a few at a time. */
async function copyAll(fromRoot: string, toRoot: string, paths: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const p = paths[next++]!;
      const to = join(toRoot, p);
      await mkdir(dirname(to), { recursive: true });
      await copyFile(join(fromRoot, p), to);
      await syncFile(to);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, paths.length) }, worker));
}

function timestampName(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll('-', '').replaceAll(':', '');
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  return (await readdir(dir)).length === 0;
}

function printResult(json: boolean | undefined, out: object, line: string): void {
  process.stdout.write(json ? `${JSON.stringify(out, null, 2)}\n` : `${line}\n`);
}

/** Runs a command body; a BackupError (or a config error) is one line on stderr and exit 1. */
async function guarded(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof BackupError) {
      process.stderr.write(`nashra: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// backup

export interface BackupOptions {
  to?: string;
  json?: boolean;
}

export function backup(opts: BackupOptions, config: Config = loadConfig()): Promise<number> {
  return guarded(async () => {
    const createdAt = new Date();
    let final = opts.to ? resolve(opts.to) : join(config.dataDir, 'backups', timestampName(createdAt));
    if (!opts.to) for (let n = 2; existsSync(final); n++) final = join(config.dataDir, 'backups', `${timestampName(createdAt)}-${n}`);
    if (!(await isEmptyOrMissing(final))) throw new BackupError(`${final} exists and is not empty: choose a new folder with --to`);
    await mkdir(dirname(final), { recursive: true });
    // Beside the final folder, so the last step is a rename within one file system.
    const work = await mkdtemp(`${final}.partial-`);
    try {
      const engine = isPostgresUrl(config.databaseUrl) ? 'postgres' : 'sqlite';
      const dbName = engine === 'postgres' ? 'database.pgdump' : 'database.sqlite';
      say(`backup: snapshotting the ${engine} database…`);
      let contents: SnapshotContents;
      let postgres: Manifest['postgres'];
      if (engine === 'postgres') {
        const snap = await snapshotPostgres(config.databaseUrl!, join(work, dbName));
        postgres = { schema: snap.schema, serverVersion: snap.serverVersion, pgDumpVersion: snap.pgDumpVersion };
        contents = snap;
      } else {
        const dbFile = join(config.dataDir, SQLITE_FILE);
        if (!existsSync(dbFile)) throw new BackupError(`${dbFile} does not exist: nothing to back up (is NASHRA_DATA_DIR right?)`);
        contents = await snapshotSqlite(dbFile, join(work, dbName));
      }
      // After the snapshot: media files are written before the rows naming them commit and never
      // change, so every file the snapshot refers to is already there. Later ones are harmless.
      const mediaFiles = await listFiles(config.mediaDir);
      say(`backup: copying ${mediaFiles.length} media files…`);
      await copyAll(config.mediaDir, join(work, 'media'), mediaFiles);
      const copied = new Set(mediaFiles);
      const missingMedia = contents.mediaKeys.filter((k) => !copied.has(k));
      if (missingMedia.length) say(`backup: warning: ${missingMedia.length} media files the database names are not in ${config.mediaDir} (first: ${missingMedia[0]})`);

      say('backup: computing checksums…');
      const database = await record(work, dbName);
      const files = [database];
      for (const p of mediaFiles) files.push(await record(work, `media/${p}`));
      const manifest: Manifest = {
        format: 'nashra-backup',
        formatVersion: FORMAT_VERSION,
        nashraVersion: nashraVersion(),
        engine,
        createdAt: createdAt.toISOString(),
        migration: { latest: contents.migrations.at(-1) ?? null, applied: contents.migrations },
        database,
        ...(postgres ? { postgres } : {}),
        counts: contents.counts,
        files,
        missingMedia,
      };
      await writeFile(join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      await syncFile(join(work, 'manifest.json'));
      if (existsSync(final)) await rmdir(final); // empty, checked above
      await rename(work, final);
      const bytes = files.reduce((n, f) => n + f.bytes, 0);
      printResult(
        opts.json,
        { dir: final, engine, createdAt: manifest.createdAt, migration: manifest.migration.latest, counts: manifest.counts, files: files.length, bytes, missingMedia },
        `backup written to ${final} (${engine}, ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB)`,
      );
      return 0;
    } catch (e) {
      await rm(work, { recursive: true, force: true });
      throw e;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// restore

async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found (not a backup folder, or an unfinished one)' : `unreadable: ${(e as Error).message}`;
    throw new BackupError(`${path}: ${why}`);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BackupError(`${path}: ${issue.path.join('.') || 'manifest'}: ${issue.message}`);
  }
  const m = parsed.data;
  if (m.formatVersion > FORMAT_VERSION) throw new BackupError(`${path}: backup format ${m.formatVersion} is newer than this Nashra reads (${FORMAT_VERSION}); upgrade Nashra first`);
  if (!m.files.some((f) => f.path === m.database.path)) throw new BackupError(`${path}: the database file is not among the listed files`);
  return m;
}

/** Every listed file is there with its size and checksum; the damaged ones are named, one a line. */
async function verify(dir: string, m: Manifest): Promise<void> {
  const bad: string[] = [];
  for (const f of m.files) {
    const full = join(dir, f.path);
    const st = await stat(full).catch(() => undefined);
    if (!st?.isFile()) bad.push(`${full}: missing`);
    else if (st.size !== f.bytes) bad.push(`${full}: ${st.size} bytes, the manifest says ${f.bytes}`);
    else if ((await hashFile(full)) !== f.sha256) bad.push(`${full}: checksum does not match the manifest`);
  }
  if (bad.length) {
    const shown = bad.slice(0, 20).join('\n');
    throw new BackupError(`the backup is damaged, nothing was restored (${bad.length} bad file${bad.length > 1 ? 's' : ''}):\n${shown}`);
  }
}

function compareCounts(expected: Record<string, number>, actual: SnapshotContents): void {
  for (const [table, n] of Object.entries(expected)) {
    if (actual.counts[table] !== n) throw new BackupError(`after restoring, table ${table} has ${actual.counts[table] ?? 'no'} rows where the backup had ${n}`);
  }
}

export interface RestoreOptions {
  json?: boolean;
}

export function restore(dirArg: string, opts: RestoreOptions, config: Config = loadConfig()): Promise<number> {
  return guarded(async () => {
    const dir = resolve(dirArg);
    const m = await readManifest(dir);
    const unknown = m.migration.applied.filter((name) => !(name in migrations));
    if (unknown.length) throw new BackupError(`the backup was made by a newer Nashra (${m.nashraVersion}; migration ${unknown[0]} is unknown here): upgrade Nashra first`);
    const targetEngine = isPostgresUrl(config.databaseUrl) ? 'postgres' : 'sqlite';
    if (m.engine !== targetEngine) {
      throw new BackupError(
        m.engine === 'postgres'
          ? 'the backup is of a PostgreSQL store: set DATABASE_URL to the empty database to restore into'
          : 'the backup is of a SQLite store: unset DATABASE_URL to restore it into NASHRA_DATA_DIR',
      );
    }

    // The target first, then the checksums: both before anything is written.
    const dbFile = join(config.dataDir, SQLITE_FILE);
    if (m.engine === 'sqlite' && existsSync(dbFile)) throw new BackupError(`${dbFile} exists: restore goes only into an empty data directory`);
    if (!(await isEmptyOrMissing(config.mediaDir))) throw new BackupError(`${config.mediaDir} is not empty: restore goes only into an empty data directory`);
    const schema = m.postgres?.schema ?? 'public';
    if (m.engine === 'postgres') {
      const n = await postgresRelationCount(config.databaseUrl!, schema);
      if (n > 0) throw new BackupError(`schema ${schema} of ${describeUrl(config.databaseUrl!)} already holds ${n} tables or sequences: restore goes only into an empty database or schema`);
    }
    say(`restore: verifying ${m.files.length} files…`);
    await verify(dir, m);

    await mkdir(config.dataDir, { recursive: true });
    const staging = await mkdtemp(join(config.dataDir, '.restore-'));
    try {
      const media = m.files.filter((f) => f.path !== m.database.path).map((f) => f.path.slice('media/'.length));
      say(`restore: copying ${media.length} media files…`);
      await copyAll(join(dir, 'media'), join(staging, 'media'), media);
      say(`restore: restoring the ${m.engine} database…`);
      if (m.engine === 'sqlite') {
        const staged = join(staging, SQLITE_FILE);
        await restoreSqlite(join(dir, m.database.path), staged);
        compareCounts(m.counts, await readSqliteContents(staged));
        await moveMedia(staging, config.mediaDir);
        // The database last: its presence is what makes the data directory a restored site.
        await rename(staged, dbFile);
      } else {
        const major = Number(m.postgres?.pgDumpVersion.split('.')[0] ?? 0);
        await restorePostgres(config.databaseUrl!, join(dir, m.database.path), schema, major);
        compareCounts(m.counts, await readPostgresContents(config.databaseUrl!, schema));
        await moveMedia(staging, config.mediaDir);
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }

    const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pgSchema: m.engine === 'postgres' ? schema : undefined });
    let applied: string[];
    try {
      applied = await migrateToLatest(store.db);
    } finally {
      await store.close();
    }
    if (applied.length) say(`restore: migrated from ${m.migration.latest ?? 'nothing'}: ${applied.join(', ')}`);
    const target = m.engine === 'postgres' ? `schema ${schema} of ${describeUrl(config.databaseUrl!)}` : config.dataDir;
    printResult(
      opts.json,
      { from: dir, engine: m.engine, target, createdAt: m.createdAt, counts: m.counts, files: m.files.length, migrated: applied },
      `restored the backup of ${m.createdAt} into ${target} (${m.files.length} files${applied.length ? `, ${applied.length} migrations applied` : ''})`,
    );
    return 0;
  });
}

/** Staged media into place: the target is missing or empty (checked before). */
async function moveMedia(staging: string, mediaDir: string): Promise<void> {
  const from = join(staging, 'media');
  if (!existsSync(from)) return;
  if (existsSync(mediaDir)) await rmdir(mediaDir);
  await rename(from, mediaDir);
}
