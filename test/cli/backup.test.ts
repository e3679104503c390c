import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createServices } from '../../src/services/index.js';
import { Migrator } from 'kysely';
import { openStore } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations/index.js';
import { buildApp } from '../../src/web/app.js';
import { available } from '../helpers/services.js';
import { freePort, runNashra, startNashra, type ServerProcess } from '../helpers/serverProcess.js';

/**
 * The backup acceptance: a real server takes writes through the API while `nashra backup`
 * runs in another process; the backup is restored into a fresh data directory or database, and
 * everything acknowledged before the backup started is there, with its media files intact.
 */
const PG_URL = process.env.DATABASE_URL_TEST;
const engines: ('sqlite' | 'postgres')[] = ['sqlite'];
if (available('PostgreSQL', !!PG_URL, 'DATABASE_URL_TEST is not set')) engines.push('postgres');

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

interface Acked {
  kind: 'article' | 'entry' | 'media';
  id: number;
  /** The article's headline, the entry's text, the media file's storage key. */
  value: string;
  /** The article's page path. */
  path?: string;
}

describe.each(engines)('nashra backup and restore (%s)', (engine) => {
  const dirs: string[] = [];
  const databases: string[] = [];
  /** A fresh, empty place to run Nashra against: a data dir, and for PostgreSQL a new database. */
  const newTarget = async (): Promise<Record<string, string>> => {
    const dir = mkdtempSync(join(tmpdir(), 'nashra-backup-'));
    dirs.push(dir);
    const env: Record<string, string> = { NASHRA_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    if (engine === 'postgres') {
      const name = `nashra_t_${process.pid}_${randomBytes(4).toString('hex')}`;
      await admin(`create database ${name}`);
      databases.push(name);
      const url = new URL(PG_URL!);
      url.pathname = `/${name}`;
      env.DATABASE_URL = url.toString();
    }
    return env;
  };
  const nashra = async (args: string[], env: Record<string, string>, input?: string) => {
    const r = await runNashra(args, env, input);
    if (r.code !== 0) throw new Error(`nashra ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };

  let source: Record<string, string>;
  let server: ServerProcess | undefined;
  let token = '';
  const acked: Acked[] = [];

  const api = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const form = body instanceof FormData;
    const res = await fetch(`${server!.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(form || body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: form ? body : JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  let pictures = 0;
  /** Articles created (acknowledged drafts), published or not yet. */
  let created = 0;
  const uploadImage = async () => {
    const n = ++pictures;
    const png = await sharp({ create: { width: 300 + n, height: 200, channels: 3, background: { r: (n * 37) % 256, g: (n * 91) % 256, b: 120 } } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('caption', `صورة رقم ${n}`);
    form.append('file', new Blob([new Uint8Array(png)]), `photo-${n}.png`);
    const m = (await api('POST', '/media', form)) as { id: number; storageKey: string };
    acked.push({ kind: 'media', id: m.id, value: m.storageKey });
    return m.id;
  };
  const publishArticle = async (n: number, mediaId?: number) => {
    const headline = `خبر عاجل رقم ${n} ${randomBytes(2).toString('hex')}`;
    const a = (await api('POST', '/articles', {
      headline,
      body: [{ type: 'paragraph', spans: [{ text: `متن الخبر رقم ${n}.` }] }],
      section: 'أخبار',
      timeZone: 'Asia/Damascus',
      city: 'دمشق',
      ...(mediaId ? { lead: { mediaId, caption: 'تعليق الصورة' } } : {}),
    })) as { id: number };
    created++;
    const published = (await api('POST', `/articles/${a.id}/publish`)) as { url: string };
    acked.push({ kind: 'article', id: a.id, value: headline, path: new URL(published.url).pathname });
  };
  let coverageId = 0;
  const postEntry = async (n: number) => {
    const text = `تحديث مباشر رقم ${n}`;
    const e = (await api('POST', `/live/${coverageId}/entries`, { text })) as { id: number };
    acked.push({ kind: 'entry', id: e.id, value: text });
  };

  beforeAll(async () => {
    source = await newTarget();
    await nashra(['migrate'], source);
    await nashra(['user', 'add', 'editor@nashra.test', '--role', 'editor', '--password-stdin'], source, 'Qamar-Zaytun-Bahr-7731\n');
    token = (await nashra(['token', 'create', 'editor@nashra.test', '--scope', 'write', '--name', 'backup test'], source)).trim();
    server = await startNashra({ ...source, PORT: String(await freePort()) });
    coverageId = ((await api('POST', '/live', { title: 'تغطية مباشرة للاختبار' })) as { id: number }).id;
    for (let n = 1; n <= 4; n++) await publishArticle(n, await uploadImage());
    for (let n = 1; n <= 4; n++) await postEntry(n);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    for (const d of databases) await admin(`drop database if exists ${d} with (force)`);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, 60_000);

  let backupDir = '';
  let restored: Record<string, string>;
  let before: Acked[] = [];

  it('backs up while the API takes writes, and the restore holds everything acknowledged before', async () => {
    // Two writers, each: an image every third round, an article (published), a live entry.
    let running = true;
    let round = 100;
    const writer = async () => {
      while (running) {
        const n = ++round;
        await publishArticle(n, n % 3 === 0 ? await uploadImage() : undefined);
        await postEntry(n);
      }
    };
    const writers = [writer(), writer()];
    const during = acked.length;
    while (acked.length < during + 3) await new Promise((r) => setTimeout(r, 20));

    before = [...acked];
    backupDir = join(mkdtempSync(join(tmpdir(), 'nashra-backup-out-')), 'backup');
    dirs.push(join(backupDir, '..'));
    const result = await runNashra(['backup', '--to', backupDir, '--json'], source);
    const ackedDuringBackup = acked.length - before.length;
    running = false;
    await Promise.all(writers);
    expect(result.code, result.stderr).toBe(0);
    console.info(`[backup ${engine}] ${before.length} writes acknowledged before the backup, ${ackedDuringBackup} while it ran`);
    const out = JSON.parse(result.stdout) as { dir: string; engine: string; counts: Record<string, number>; files: number };
    expect(out).toMatchObject({ dir: backupDir, engine });
    expect(result.stderr).toMatch(/snapshotting/);

    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as {
      formatVersion: number;
      engine: string;
      migration: { latest: string };
      database: { path: string; sha256: string };
      files: { path: string; sha256: string; bytes: number }[];
      counts: Record<string, number>;
      missingMedia: string[];
    };
    expect(manifest).toMatchObject({ formatVersion: 1, engine, missingMedia: [] });
    expect(manifest.database.sha256).toBe(sha(join(backupDir, manifest.database.path)));
    expect(manifest.migration.latest).toMatch(/^\d{4}_/);
    expect(readdirSync(join(backupDir, '..'))).toEqual(['backup']); // no partial folder left beside it
    // Counts consistent: at least everything acknowledged before, at most everything acknowledged at all.
    const count = (kind: Acked['kind'], list: Acked[]) => list.filter((a) => a.kind === kind).length;
    for (const [table, kind] of [['articles', 'article'], ['live_entries', 'entry'], ['media', 'media']] as const) {
      expect(manifest.counts[table], table).toBeGreaterThanOrEqual(count(kind, before));
      expect(manifest.counts[table], table).toBeLessThanOrEqual(kind === 'article' ? created : count(kind, acked));
    }
    await server!.stop();

    restored = await newTarget();
    const r = await runNashra(['restore', backupDir, '--json'], restored);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ engine, counts: manifest.counts, migrated: [] });

    const config = loadConfig(restored);
    const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const services = createServices(store, config);
    const app = await buildApp({ services });
    try {
      const ids = (kind: Acked['kind']) => before.filter((a) => a.kind === kind).map((a) => a.id);
      const articles = await store.db.selectFrom('articles').select(['id', 'headline', 'status']).where('id', 'in', ids('article')).execute();
      expect(new Map(articles.map((a) => [a.id, [a.headline, a.status]]))).toEqual(
        new Map(before.filter((a) => a.kind === 'article').map((a) => [a.id, [a.value, 'published']])),
      );
      const entries = await store.db.selectFrom('live_entries').select(['id']).where('id', 'in', ids('entry')).execute();
      expect(entries.map((e) => e.id).sort((x, y) => x - y)).toEqual(ids('entry').sort((x, y) => x - y));
      const media = await store.db.selectFrom('media').select(['id', 'storage_key', 'variants']).where('id', 'in', ids('media')).execute();
      expect(media.map((m) => m.storage_key).sort()).toEqual(before.filter((a) => a.kind === 'media').map((a) => a.value).sort());
      const sourceMedia = loadConfig(source).mediaDir;
      for (const m of media) {
        const keys = [m.storage_key!, ...(JSON.parse(m.variants!) as { key: string }[]).map((v) => v.key)];
        for (const key of keys) expect(sha(join(config.mediaDir, key)), key).toBe(sha(join(sourceMedia, key)));
      }
      for (const table of ['articles', 'live_entries', 'media'] as const) {
        const { n } = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        expect(Number(n), table).toBe(manifest.counts[table]);
      }

      const page = before.find((a) => a.kind === 'article')!;
      const res = await app.inject({ method: 'GET', url: page.path! });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(page.value);
    } finally {
      await app.close();
      await store.close();
    }
  }, 300_000);

  it('refuses a damaged backup, naming the file, and writes nothing', async () => {
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as { database: { path: string }; files: { path: string }[] };
    const mediaFile = manifest.files.find((f) => f.path.startsWith('media/'))!.path;
    for (const damaged of [mediaFile, manifest.database.path]) {
      const copy = join(mkdtempSync(join(tmpdir(), 'nashra-backup-bad-')), 'backup');
      dirs.push(join(copy, '..'));
      cpSync(backupDir, copy, { recursive: true });
      const file = join(copy, damaged);
      const bytes = readFileSync(file);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      writeFileSync(file, bytes);

      const target = await newTarget();
      const r = await runNashra(['restore', copy], target);
      expect(r.code, damaged).not.toBe(0);
      expect(r.stderr).toContain(`${file}: checksum does not match the manifest`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
      expect(r.stdout).toBe('');
      expect(readdirSync(target.NASHRA_DATA_DIR!)).toEqual([]);
      if (engine === 'postgres') {
        const c = new pg.Client({ connectionString: target.DATABASE_URL });
        await c.connect();
        const { rows } = await c.query("select count(*)::int as n from information_schema.tables where table_schema = 'public'");
        await c.end();
        expect(rows[0].n).toBe(0);
      }
    }
  }, 120_000);

  it('refuses to restore over a site that has content', async () => {
    const r = await runNashra(['restore', backupDir], restored);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/restore goes only into an empty (data directory|database or schema)/);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('nashra:'))).toHaveLength(1);
  }, 60_000);

  it('restores a backup from an older schema and migrates it to the latest', async () => {
    const old = await newTarget();
    const config = loadConfig(old);
    const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateTo('0003_live');
    await store.close();
    expect(error).toBeUndefined();
    const out = join(mkdtempSync(join(tmpdir(), 'nashra-backup-old-')), 'backup');
    dirs.push(join(out, '..'));
    await nashra(['backup', '--to', out], old);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).migration.latest).toBe('0003_live');

    const target = await newTarget();
    const r = await runNashra(['restore', out, '--json'], target);
    expect(r.code, r.stderr).toBe(0);
    const later = Object.keys(migrations).filter((m) => m > '0003_live').sort();
    expect(later.length).toBeGreaterThan(0);
    expect(JSON.parse(r.stdout).migrated).toEqual(later);
    expect(r.stderr).toContain('restore: migrated from 0003_live');
  }, 120_000);

  it.runIf(engine === 'postgres')('names an unreachable PostgreSQL in one line and writes no backup', async () => {
    const url = new URL(PG_URL!);
    url.port = String(await freePort());
    const out = join(mkdtempSync(join(tmpdir(), 'nashra-backup-none-')), 'backup');
    dirs.push(join(out, '..'));
    const r = await runNashra(['backup', '--to', out], { ...source, DATABASE_URL: url.toString() });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('backup: '));
    expect(lines).toEqual([expect.stringMatching(/^nashra: cannot reach PostgreSQL at 127\.0\.0\.1:\d+\/\S+: .*ECONNREFUSED/)]);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(join(out, '..'))).toEqual([]);
  }, 60_000);

  it.runIf(engine === 'postgres')('says so when pg_dump is missing', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nashra-backup-none-')), 'backup');
    dirs.push(join(out, '..'));
    const r = await runNashra(['backup', '--to', out], { ...source, PATH: '/nonexistent' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^nashra: pg_dump not found on PATH/m);
    expect(existsSync(out)).toBe(false);

    // A pg_dump older than the server: refused before it runs, naming both versions.
    const bin = mkdtempSync(join(tmpdir(), 'nashra-old-pg-dump-'));
    dirs.push(bin);
    writeFileSync(join(bin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n', { mode: 0o755 });
    const old = await runNashra(['backup', '--to', out], { ...source, PATH: `${bin}:${process.env.PATH}` });
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(/^nashra: pg_dump 9\.6 is older than the server \(PostgreSQL \d+\.\d+\): install pg_dump \d+ or newer$/m);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it.runIf(engine === 'postgres')('backs up the schema the URL’s search_path names, and restores into it', async () => {
    const url = (db: string) => {
      const u = new URL(PG_URL!);
      u.pathname = `/${db}`;
      u.searchParams.set('options', '-c search_path=newsroom');
      return u.toString();
    };
    const from = await newTarget();
    const fromDb = new URL(from.DATABASE_URL!).pathname.slice(1);
    const c = new pg.Client({ connectionString: from.DATABASE_URL });
    await c.connect();
    await c.query('create schema newsroom');
    await c.end();
    const env = { ...from, DATABASE_URL: url(fromDb) };
    await nashra(['migrate'], env);
    const out = join(mkdtempSync(join(tmpdir(), 'nashra-backup-schema-')), 'backup');
    dirs.push(join(out, '..'));
    await nashra(['backup', '--to', out], env);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.postgres).toMatchObject({ schema: 'newsroom', serverVersion: expect.stringMatching(/^\d+\.\d+$/) });

    const to = await newTarget();
    const target = { ...to, DATABASE_URL: url(new URL(to.DATABASE_URL!).pathname.slice(1)) };
    const r = await runNashra(['restore', out, '--json'], target);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).target).toMatch(/^schema newsroom of /);
    const check = new pg.Client({ connectionString: to.DATABASE_URL });
    await check.connect();
    const { rows } = await check.query<{ schema: string; n: number }>(
      "select table_schema as schema, count(*)::int as n from information_schema.tables where table_schema in ('public', 'newsroom') group by 1",
    );
    await check.end();
    expect(rows).toEqual([{ schema: 'newsroom', n: Object.keys(manifest.counts).length }]);
  }, 120_000);
});
