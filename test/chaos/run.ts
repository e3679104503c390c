/**
 * `npm run test:chaos`: crash safety under SIGKILL (docs/operations.md, "Crash safety").
 *
 * A real `nashra serve` takes a concurrent write load over the JSON API (articles created, edited
 * and published; live entries posted) and is killed with SIGKILL at random moments, then
 * restarted on the same data, again and again. Afterwards every write it acknowledged must be
 * there as acknowledged, nothing may be half there, and the database must pass its checks. On
 * SQLite, and on PostgreSQL when DATABASE_URL_TEST is set (required under CI=true).
 *
 *   CHAOS_SEED=123 npm run test:chaos     reproduce a run's kill moments and choices
 *   CHAOS_KILLS=20 CHAOS_ENGINES=sqlite   more kills, one engine
 *
 * A plain script, not a Vitest file: it runs a minute or two, so `npm test` leaves it out and CI
 * runs it as its own step.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { runNashra, startNashra, type ServerProcess } from '../helpers/serverProcess.js';
import { runLoad, type Target } from './load.js';
import { Ledger, prng } from './model.js';
import { postgresReader, sqliteReader, verify, type Reader } from './verify.js';

const seed = Number(process.env.CHAOS_SEED ?? randomBytes(4).readUInt32BE(0));
const kills = Number(process.env.CHAOS_KILLS ?? 10);
const workers = Number(process.env.CHAOS_WORKERS ?? 6);
const pgUrl = process.env.DATABASE_URL_TEST;
const engines = (process.env.CHAOS_ENGINES ?? 'sqlite,postgres').split(',');
const inCI = process.env.CI === 'true';

interface Engine {
  name: 'sqlite' | 'postgres';
  env: Record<string, string>;
  reader(): Promise<Reader & { pragma?(p: string): unknown[] }>;
  dispose(): Promise<void>;
}

async function sqliteEngine(dir: string): Promise<Engine> {
  return {
    name: 'sqlite',
    env: {},
    reader: async () => sqliteReader(join(dir, 'nashra.db')),
    dispose: async () => {},
  };
}

async function postgresEngine(url: string): Promise<Engine> {
  // A database of its own, as `nashra serve` has no schema setting: dropped at the end.
  const database = `nashra_chaos_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${database}`);
  const u = new URL(url);
  u.pathname = `/${database}`;
  return {
    name: 'postgres',
    env: { DATABASE_URL: u.toString() },
    reader: () => postgresReader(u.toString()),
    dispose: () => admin(`drop database if exists ${database} with (force)`),
  };
}

async function chaos(engine: Engine, dataDir: string): Promise<boolean> {
  const rand = prng(seed);
  const env = { PORT: '0', NASHRA_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...engine.env };
  const run = async (args: string[], input?: string) => {
    const r = await runNashra(args, env, input);
    if (r.code !== 0) throw new Error(`nashra ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  await run(['migrate']);
  await run(['user', 'add', 'chaos@nashra.test', '--role', 'editor', '--password-stdin'], 'Qamar-Zaytun-Bahr-7731\n');
  const token = (await run(['token', 'create', 'chaos@nashra.test', '--scope', 'write', '--name', 'chaos'])).trim();

  // Where the load sends its requests; null between a kill and the next start.
  let url: string | null = null;
  let wake: () => void = () => {};
  let upAgain = new Promise<void>((r) => (wake = r));
  let stopped = false;
  const target: Target = { current: () => url, up: () => (url ? Promise.resolve() : upAgain) };
  const up = (s: ServerProcess) => {
    url = s.url;
    wake();
  };
  const down = () => {
    url = null;
    upAgain = new Promise<void>((r) => (wake = r));
  };

  let server = await startNashra(env);
  const coverage = await fetch(`${server.url}/api/v1/live`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'تغطية اختبار الانهيار' }),
  });
  if (coverage.status !== 201) throw new Error(`creating the coverage: ${coverage.status} ${await coverage.text()}`);
  const coverageId = ((await coverage.json()) as { id: number }).id;

  const ledger = new Ledger();
  up(server);
  const load = runLoad({ target, token, coverageId, ledger, workers, seed, stopped: () => stopped });
  for (let k = 1; k <= kills; k++) {
    // A moment within the load: the server has been taking writes for 0.3 to 2 s.
    await sleep(300 + Math.floor(rand() * 1700));
    down();
    await server.stop('SIGKILL');
    if (server.child.signalCode !== 'SIGKILL') throw new Error(`the server exited by itself (${server.child.exitCode}) before kill ${k}`);
    server = await startNashra(env);
    up(server);
  }
  // A last stretch of load on the restarted server, then a clean stop.
  await sleep(500);
  stopped = true;
  wake();
  await load;
  await server.stop('SIGTERM');
  const cleanExit = server.child.exitCode === 0;

  const db = await engine.reader();
  const verdict = await verify(db, ledger);
  if (db.pragma) {
    const check = db.pragma('integrity_check') as { integrity_check: string }[];
    if (check.length !== 1 || check[0]!.integrity_check !== 'ok') verdict.integrity.push(`integrity_check: ${JSON.stringify(check)}`);
    const fk = db.pragma('foreign_key_check');
    if (fk.length) verdict.integrity.push(`foreign_key_check: ${JSON.stringify(fk.slice(0, 5))}`);
  }
  await db.close();

  const refused = [...ledger.refused].map(([s, n]) => `${n}×${s}`).join(', ');
  console.log(`chaos ${engine.name}: ${kills} kills, ${verdict.checked} acknowledged writes checked, ${verdict.lost.length} lost, integrity ${verdict.integrity.length ? 'FAILED' : 'ok'}`);
  console.log(
    `  acknowledged: ${ledger.acked.create} creates, ${ledger.acked.edit} edits, ${ledger.acked.publish} publishes, ${ledger.acked.entry} live entries; ` +
      `${ledger.unanswered} unanswered at a kill${refused ? `; refused: ${refused}` : ''}`,
  );
  for (const l of verdict.lost.slice(0, 20)) console.log(`  lost: ${l}`);
  for (const l of verdict.integrity.slice(0, 20)) console.log(`  integrity: ${l}`);
  for (const l of ledger.refusals) console.log(`  refused: ${l}`);
  if (!cleanExit) console.log(`  the final SIGTERM stop exited ${server.child.exitCode ?? server.child.signalCode}`);
  // Refusals are not losses, but under a write load that the server should take they are bugs.
  return verdict.lost.length === 0 && verdict.integrity.length === 0 && ledger.refused.size === 0 && cleanExit && verdict.checked > 0;
}

async function main(): Promise<number> {
  console.log(`chaos: seed ${seed} (CHAOS_SEED=${seed} reproduces it), ${kills} kills per engine, ${workers} writers`);
  let ok = true;
  for (const name of engines) {
    if (name === 'postgres' && !pgUrl) {
      if (inCI) throw new Error('chaos: PostgreSQL is required under CI=true but DATABASE_URL_TEST is not set');
      console.log('chaos postgres: skipped (DATABASE_URL_TEST is not set)');
      continue;
    }
    const dataDir = mkdtempSync(join(tmpdir(), `nashra-chaos-${name}-`));
    const engine = name === 'postgres' ? await postgresEngine(pgUrl!) : await sqliteEngine(dataDir);
    try {
      ok = (await chaos(engine, dataDir)) && ok;
    } finally {
      await engine.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
