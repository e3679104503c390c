import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runNashra } from '../helpers/serverProcess.js';
import { until } from '../helpers/until.js';

export { until };

export const article = (headline: string) => ({
  headline,
  body: [{ type: 'paragraph', spans: [{ text: 'انقطع التيار الكهربائي عن أحياء واسعة من المدينة صباح اليوم.' }] }],
  section: 'محليات',
  datelinePlace: 'دمشق',
  sourceLabel: 'متابعات',
  timeZone: 'Asia/Damascus',
  city: 'دمشق',
});

/** One request of the load: what was asked, what came back, and the test's phase when the answer came. */
export interface Sample {
  path: string;
  status: number;
  phase: string;
}

/**
 * A light reader-and-editor load from this process: `workers` loops, each fetching the paths in
 * turn (a function, so each round may ask something new) until stopped. Network failures are
 * recorded as status 0: a server that crashed or hung up shows in the samples.
 */
export function startLoad(base: string, paths: () => { path: string; init?: RequestInit }[], phase: () => string, workers = 4) {
  const samples: Sample[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let round = 0; running; round++) {
      const list = paths();
      const { path, init } = list[(round + w) % list.length]!;
      try {
        const res = await fetch(base + path, { ...init, signal: AbortSignal.timeout(60_000) });
        await res.arrayBuffer();
        samples.push({ path, status: res.status, phase: phase() });
      } catch {
        samples.push({ path, status: 0, phase: phase() });
      }
    }
  });
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** A database of its own on the test server, with an editor and a write token: what a serve process starts on. */
export async function freshPostgresSite(pgUrl: string) {
  const database = `nashra_ops_${process.pid}_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'nashra-ops-'));
  const admin = async (query: string) => {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    try {
      await c.query(query);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${database}`);
  const url = new URL(pgUrl);
  url.pathname = `/${database}`;
  const env = { NASHRA_DATA_DIR: dataDir, DATABASE_URL: url.toString(), REDIS_URL: undefined };
  const run = async (args: string[], input?: string) => {
    const r = await runNashra(args, env, input);
    if (r.code !== 0) throw new Error(`nashra ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  await run(['migrate']);
  await run(['user', 'add', 'editor@nashra.test', '--role', 'editor', '--password-stdin'], 'Qamar-Zaytun-Bahr-7731\n');
  const token = (await run(['token', 'create', 'editor@nashra.test', '--scope', 'write', '--name', 'outage test'])).trim();
  return {
    database,
    dataDir,
    databaseUrl: url.toString(),
    token,
    async drop() {
      await admin(`drop database if exists ${database} with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
