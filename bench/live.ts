/**
 * `npm run bench:live`: live-coverage fan-out. A real `nashra serve` (built dist/, SQLite in a
 * temp dir) holds N Server-Sent Events connections opened by a separate load process
 * (bench/liveClients.ts); entries posted through the API are timed from post to receipt at
 * every client, and every client's event ids are checked for gaps and repeats. The server's RSS
 * and CPU come from /proc. The same run measures a bare node:http SSE fan-out at the largest N
 * (bench/liveBaseline.ts) as the baseline, and what polling `/updates` every 10 s would cost.
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { ClientCommand, ClientReport, OpenResult } from './liveClients.js';
import { SEND_MARK } from './liveClients.js';
import { buildReport, type Polling, type PollingResult, type Round } from './liveReport.js';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}
const sizes = (process.env.BENCH_LIVE_N ?? '1000,5000,10000').split(',').map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_LIVE_N must list positive integers, got "${s}"`);
  return n;
});
const posts = envInt('BENCH_LIVE_POSTS', 20);
const postIntervalMs = envInt('BENCH_LIVE_INTERVAL_MS', 500);
const batch = envInt('BENCH_LIVE_BATCH', 500);
const clientProcs = envInt('BENCH_LIVE_CLIENT_PROCS', 1);
const pollSeconds = envInt('BENCH_LIVE_POLL_S', 5);
const skipBaseline = process.env.BENCH_LIVE_BASELINE === '0';
const maxAttempts = envInt('BENCH_LIVE_ATTEMPTS', 3);
/** Other processes' CPU (share of a core) above which a posting phase is repeated. */
const QUIET = 0.25;
// Harness check without Nashra: every round against the bare baseline, no polling part.
const baselineOnly = process.env.BENCH_LIVE_TARGET === 'baseline';
// Optional: the one instance with its Redis bridge on (events go out and come back), under a
// key prefix of its own.
const redisUrl = process.env.BENCH_LIVE_REDIS_URL || undefined;

const root = fileURLToPath(new URL('../', import.meta.url));
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const openFilesLimit = /Max open files\s+(\d+)\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
const fdSoft = Number(openFilesLimit?.[1] ?? 1024);

// ——— the server process, seen from /proc ———

interface ProcSample {
  rssKb: number;
  cpuMs: number;
  at: number;
}
function sample(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  // /proc/PID/stat: the command name in parentheses may hold spaces, so count from its end.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0), cpuMs: (ticks * 1000) / CLK_TCK, at: performance.now() };
}
const cpuShare = (a: ProcSample, b: ProcSample) => (b.cpuMs - a.cpuMs) / (b.at - a.at);

/** CPU time the whole machine spent busy (all cores), ms: to see what else ran during a round. */
function machineBusyMs(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: all but idle and iowait is work.
  const busy = ticks.slice(0, 8).reduce((a, b) => a + b, 0) - ticks[3]! - ticks[4]!;
  return (busy * 1000) / CLK_TCK;
}

// ——— targets: Nashra, and the bare baseline ———

interface Target {
  label: string;
  pid: number;
  host: string;
  port: number;
  eventsPath(after: number): string;
  /** Posts an entry and answers its event id. */
  post(text: string): Promise<number>;
  stop(): Promise<void>;
}

const dataDir = mkdtempSync(join(os.tmpdir(), 'nashra-bench-live-'));
// A fixed environment, not process.env: a developer's DATABASE_URL or REDIS_URL must not point
// the benchmark at a real database, and one instance means no cross-instance bridge.
const serverEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  NASHRA_DATA_DIR: dataDir,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  ...(redisUrl ? { REDIS_URL: redisUrl, NASHRA_REDIS_PREFIX: `bench-live-${process.pid}-${Date.now()}:` } : {}),
};

function nashra(args: string[], input?: string): string {
  return execFileSync(process.execPath, [join(root, 'bin/nashra.js'), ...args], {
    env: serverEnv,
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  }).toString();
}

interface Coverage {
  id: number;
  slug: string;
}
const EDITOR = 'bench-editor@nashra.invalid';
let token = '';
let coverage: Coverage | undefined;

async function startNashra(): Promise<Target> {
  const child = spawn(process.execPath, [join(root, 'bin/nashra.js'), 'serve'], { env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (log = (log + s).slice(-4000)));
  const exited = once(child, 'exit');
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /Nashra serves (http:\/\/[^\s/]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then(([code]) => reject(new Error(`nashra serve exited (${String(code)}) before it was ready:\n${log}`)));
  });
  const url = new URL(base);
  const api = async (path: string, body: unknown) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  if (!coverage) {
    const c = await api('/api/v1/live', { title: 'تغطية حية لقياس الأداء', summary: 'تغطية يفتحها اختبار الأداء ثم يحذفها مع مجلد بياناته' });
    coverage = { id: Number(c.id), slug: String(c.slug) };
  }
  const cov = coverage;
  return {
    label: 'Nashra',
    pid: child.pid!,
    host: url.hostname,
    port: Number(url.port),
    eventsPath: (after) => `/live/${encodeURIComponent(cov.slug)}/events?after=${after}`,
    post: async (text) => Number((await api(`/api/v1/live/${cov.id}/entries`, { text })).eventId),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startBaseline(frameBytes: number): Promise<Target> {
  const child = fork(fileURLToPath(new URL('./liveBaseline.ts', import.meta.url)), {
    env: { ...process.env, BENCH_FRAME_BYTES: String(frameBytes) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  const base = `http://127.0.0.1:${port}`;
  return {
    label: 'baseline',
    pid: child.pid!,
    host: '127.0.0.1',
    port,
    eventsPath: (after) => `/events?after=${after}`,
    post: async (text) => {
      const res = await fetch(`${base}/entries`, { method: 'POST', body: JSON.stringify({ text }) });
      return Number(((await res.json()) as { eventId: number }).eventId);
    },
    stop: async () => {
      child.disconnect();
      await exited;
    },
  };
}

// ——— the load processes ———

class LoadProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  constructor() {
    this.child = fork(fileURLToPath(new URL('./liveClients.ts', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = once(this.child, 'exit');
  }
  ask<T>(cmd: ClientCommand): Promise<T> {
    const answer = once(this.child, 'message') as Promise<[T]>;
    this.child.send(cmd);
    return Promise.race([
      answer.then(([m]) => m),
      this.exited.then(() => {
        throw new Error('a load process exited');
      }),
    ]);
  }
}

/** An entry of realistic length (about 300 characters) carrying its send time. */
function entryText(n: number): string {
  const sent = performance.timeOrigin + performance.now();
  return (
    `${SEND_MARK}${sent.toFixed(3)} عاجل (${n}): أفادت مصادر محلية بسقوط قذائف على الأحياء الشرقية للمدينة صباح اليوم، ` +
    'فيما قال الدفاع المدني إن فرقه تعمل على إجلاء الجرحى إلى المستشفيات القريبة، ولم ترد حتى الآن أنباء عن ' +
    'أعداد الضحايا. ونقلت وكالات أنباء عن شهود عيان أن أصوات الانفجارات سُمعت في أرجاء المدينة.'
  );
}

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}


let lastEventId = 0;

async function round(target: Target, loads: LoadProcess[], n: number): Promise<Round> {
  const ask = <T>(cmd: ClientCommand) => Promise.all(loads.map((l) => l.ask<T>(cmd)));
  const open = (count: number, expected: number) =>
    Promise.all(
      loads.map((l, i) =>
        l.ask<OpenResult>({
          type: 'open',
          host: target.host,
          port: target.port,
          path: target.eventsPath(lastEventId),
          count: Math.floor(count / loads.length) + (i < count % loads.length ? 1 : 0),
          batch: Math.max(1, Math.floor(batch / loads.length)),
          firstId: lastEventId + 1,
          expected,
        }),
      ),
    );
  const postAll = async (count: number, intervalMs: number) => {
    const durations: number[] = [];
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      // Fixed ticks, not "interval after the last answer": a slow post must not slow the rate.
      await sleep(Math.max(0, start + i * intervalMs - performance.now()));
      const t = performance.now();
      const id = await target.post(entryText(i + 1));
      durations.push(performance.now() - t);
      if (id !== lastEventId + 1) throw new Error(`${target.label}: posted entry got event id ${id}, expected ${lastEventId + 1}`);
      lastEventId = id;
    }
    return durations;
  };

  // Warm-up, discarded: JIT, the route and the first stream's lazily built parts settle before
  // the idle memory is read, so they are not billed to the N connections.
  await open(20, 3);
  await postAll(3, 50);
  await ask({ type: 'wait', timeoutMs: 5000 });
  await ask({ type: 'close' });
  await sleep(500);
  const idleFrom = sample(target.pid);
  await sleep(1000);
  const idle = sample(target.pid);

  console.error(`${target.label} N=${n}: opening…`);
  const opened = await open(n, posts);
  const connected = opened.reduce((s, o) => s + o.connected, 0);
  const failReasons: Record<string, number> = {};
  for (const o of opened) for (const [k, v] of Object.entries(o.reasons)) failReasons[k] = (failReasons[k] ?? 0) + v;
  const openS = Math.max(...opened.map((o) => o.openMs)) / 1000;
  console.error(`${target.label} N=${n}: ${connected} connected in ${openS.toFixed(1)} s${Object.keys(failReasons).length ? `, failures ${JSON.stringify(failReasons)}` : ''}`);
  // Settle: the connect burst's garbage and buffers are collected or reused before we read RSS.
  const settledFrom = sample(target.pid);
  await sleep(3000);
  const held = sample(target.pid);

  // One posting phase; repeated (connections kept) while other work on this shared machine
  // took more than QUIET of a core, and the quietest attempt's timing is the round's. Missed and
  // duplicated events count over every attempt: each one must arrive exactly once.
  let peak = held.rssKb;
  const watch = setInterval(() => (peak = Math.max(peak, sample(target.pid).rssKb)), 100);
  const attempt = async () => {
    await ask({ type: 'expect', firstId: lastEventId + 1, expected: posts });
    const before = sample(target.pid);
    const loadsBefore = loads.map((l) => sample(l.child.pid!));
    const machineBefore = machineBusyMs();
    const durations = await postAll(posts, postIntervalMs);
    const waited = await ask<{ complete: boolean }>({ type: 'wait', timeoutMs: 15_000 });
    const after = sample(target.pid);
    const machineAfter = machineBusyMs();
    const loadsAfter = loads.map((l) => sample(l.child.pid!));
    const loadCpuMs = loadsAfter.reduce((sum, x, i) => sum + x.cpuMs - loadsBefore[i]!.cpuMs, 0);
    // The orchestrator (this process) posts and samples; it is counted with the others, and small.
    const others = (machineAfter - machineBefore - (after.cpuMs - before.cpuMs) - loadCpuMs) / (after.at - before.at);
    const reports = await ask<ClientReport>({ type: 'report' });
    return { before, after, loadsBefore, loadsAfter, others: Math.max(0, others), durations, waited, reports };
  };
  const attempts: Array<Awaited<ReturnType<typeof attempt>>> = [];
  do {
    attempts.push(await attempt());
    if (attempts.at(-1)!.others > QUIET && attempts.length < maxAttempts) {
      console.error(`${target.label} N=${n}: other processes used ${(attempts.at(-1)!.others * 100).toFixed(0)} % of a core; posting again`);
    }
  } while (attempts.at(-1)!.others > QUIET && attempts.length < maxAttempts);
  clearInterval(watch);
  await ask({ type: 'close' });
  const best = attempts.reduce((x, y) => (y.others < x.others ? y : x));
  const { before, after, loadsBefore, loadsAfter, durations, reports } = best;

  let total = 0;
  for (const r of reports) total += r.latencies.length;
  const lat = new Float64Array(total);
  let k = 0;
  for (const r of reports) for (const v of r.latencies) lat[k++] = v;
  lat.sort();
  // Per entry: when its first and its last reader got it (over all load processes); the
  // median over entries splits latency into "reaching the hub" and "the fan-out loop".
  const perEntry = (pick: (r: ClientReport) => Array<number | null>, better: (a: number, b: number) => number) =>
    Array.from({ length: posts }, (_, i) =>
      reports.map((r) => pick(r)[i]).filter((x): x is number => typeof x === 'number').reduce(better, NaN),
    ).filter(Number.isFinite);
  const median = (xs: number[]) => percentile(Float64Array.from(xs).sort(), 50);
  const firstReader = median(perEntry((r) => r.firstReaderMs, (a, b) => (Number.isNaN(a) ? b : Math.min(a, b))));
  const lastReader = median(perEntry((r) => r.lastReaderMs, (a, b) => (Number.isNaN(a) ? b : Math.max(a, b))));
  const all = attempts.flatMap((x) => x.reports);
  const sum = (f: (r: ClientReport) => number, of = all) => of.reduce((t, r) => t + f(r), 0);
  const missed = sum((r) => r.missed);
  const duplicated = sum((r) => r.duplicated);
  const dropped = sum((r) => r.dropped);
  const deliveries = connected * posts - sum((r) => r.missed, reports);
  const row: Round = {
    target: target.label,
    n,
    connected,
    failed: n - connected,
    failReasons,
    openS,
    rssIdleMb: idle.rssKb / 1024,
    rssHeldMb: held.rssKb / 1024,
    rssPeakMb: peak / 1024,
    rssPerConnectionKb: connected ? (held.rssKb - idle.rssKb) / connected : NaN,
    serverCpuIdle: cpuShare(idleFrom, idle),
    serverCpuIdleHeld: cpuShare(settledFrom, held),
    serverCpuPosting: cpuShare(before, after),
    serverCpuUsPerDelivery: deliveries ? ((after.cpuMs - before.cpuMs) * 1000) / deliveries : NaN,
    loadCpuPosting: Math.max(...loadsAfter.map((x, i) => cpuShare(loadsBefore[i]!, x))),
    othersCpuPosting: best.others,
    othersCpuAttempts: attempts.map((x) => x.others),
    posts,
    postMsMean: durations.reduce((x, y) => x + y, 0) / durations.length,
    delivered: total,
    firstReaderMs: firstReader,
    lastReaderMs: lastReader,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    max: lat.length ? lat[lat.length - 1]! : NaN,
    missed,
    duplicated,
    unexpected: sum((r) => r.unexpected),
    outOfOrder: sum((r) => r.outOfOrder),
    resyncs: sum((r) => r.resyncs),
    retries: sum((r) => r.retries),
    dropped,
    allArrived: attempts.every((x) => x.waited.every((w) => w.complete)),
    contractErrors: all.flatMap((r) => r.contractErrors),
    frameBytes: all.find((r) => r.frameBytes)?.frameBytes ?? 0,
    held: false,
  };
  row.held = connected === n && missed === 0 && duplicated === 0 && dropped === 0 && row.unexpected === 0 && row.outOfOrder === 0;
  console.error(
    `${target.label} N=${n}: p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms, max ${row.max.toFixed(1)} ms, ` +
      `missed ${missed}, duplicated ${duplicated}, ${row.rssPerConnectionKb.toFixed(1)} KB/connection, server CPU ${(row.serverCpuPosting * 100).toFixed(0)} %`,
  );
  return row;
}

/**
 * A round that breaks (the server dies at some N, a load process runs out of sockets) is a
 * result too: recorded as not held, with the reason, and the run goes on to report it.
 */
async function guardedRound(target: Target, n: number): Promise<Round> {
  try {
    return await round(target, loads, n);
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    console.error(`${target.label} N=${n} failed: ${error}`);
    // Whatever connections survived must not be billed to the next round.
    await Promise.all(loads.map((l) => l.ask({ type: 'close' }).catch(() => undefined)));
    const nan = Number.NaN;
    return {
      target: target.label, n, connected: 0, failed: n, failReasons: {}, openS: nan, rssIdleMb: nan, rssHeldMb: nan,
      rssPeakMb: nan, rssPerConnectionKb: nan, serverCpuIdle: nan, serverCpuIdleHeld: nan, serverCpuPosting: nan,
      serverCpuUsPerDelivery: nan, loadCpuPosting: nan, othersCpuPosting: 0, othersCpuAttempts: [], posts: 0, postMsMean: nan, delivered: 0, firstReaderMs: nan, lastReaderMs: nan,
      p50: nan, p99: nan, max: nan, missed: 0, duplicated: 0, unexpected: 0, outOfOrder: 0, resyncs: 0, retries: 0,
      dropped: 0, allArrived: false, contractErrors: [], frameBytes: 0, held: false, error,
    };
  }
}

// ——— polling ———


async function measurePolling(target: Target, after: number): Promise<Polling> {
  const path = `/live/${encodeURIComponent(coverage!.slug)}/updates?after=${after}`;
  const url = `http://${target.host}:${target.port}${path}`;
  await autocannon({ url, connections: 50, duration: 1 });
  const a = sample(target.pid);
  const r = await autocannon({ url, connections: 50, duration: pollSeconds });
  const b = sample(target.pid);
  console.error(`polling ${path}: ${r.requests.mean.toFixed(0)} req/s`);
  return {
    path: decodeURIComponent(path),
    rps: r.requests.mean,
    latencyMeanMs: r.latency.mean,
    cpuMsPerRequest: r.requests.total ? (b.cpuMs - a.cpuMs) / r.requests.total : NaN,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

/** One poll's response time on an otherwise idle server: what a polling reader waits after asking. */
async function unloadedResponseMs(target: Target, after: number): Promise<number> {
  const url = `http://${target.host}:${target.port}/live/${encodeURIComponent(coverage!.slug)}/updates?after=${after}`;
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
    times.push(performance.now() - t);
  }
  return times.sort((x, y) => x - y)[10]!;
}

// ——— the run ———

const loadBefore = os.loadavg()[0] ?? 0;
const largest = Math.max(...sizes);
const perLoad = Math.ceil(largest / clientProcs);
if (fdSoft < perLoad + 200 || fdSoft < largest + 200) {
  throw new Error(`ulimit -n is ${fdSoft}: too low for ${largest} connections (raise it, or lower BENCH_LIVE_N)`);
}
const loads = Array.from({ length: clientProcs }, () => new LoadProcess());
const rounds: Round[] = [];
let baseline: Round | undefined;
let polling: PollingResult | undefined;
try {
  if (baselineOnly) {
    for (const n of sizes) {
      lastEventId = 0;
      const server = await startBaseline(0);
      try {
        rounds.push(await guardedRound(server, n));
      } finally {
        await server.stop();
      }
    }
  } else {
    nashra(['migrate']);
    nashra(['user', 'add', EDITOR, '--role', 'editor', '--password-stdin'], 'bench-password-not-secret-1234\n');
    token = nashra(['token', 'create', EDITOR, '--scope', 'write', '--name', 'bench:live']).trim();

    // A fresh server per N: memory a larger round's connections leave behind (a grown heap that
    // V8 keeps) must not be read as the next round's idle memory.
    for (const n of sizes) {
      const server = await startNashra();
      try {
        rounds.push(await guardedRound(server, n));
      } finally {
        await server.stop();
      }
    }
    if (!skipBaseline) {
      const frameBytes = rounds.find((r) => r.frameBytes)?.frameBytes ?? 0;
      const saved = lastEventId;
      lastEventId = 0;
      const server = await startBaseline(frameBytes);
      try {
        baseline = await guardedRound(server, largest);
      } finally {
        await server.stop();
        lastEventId = saved;
      }
    }
    const server = await startNashra();
    try {
      polling = {
        // A reader one entry behind (the usual poll while entries flow), and one who has them all.
        withNew: await measurePolling(server, lastEventId - 1),
        nothingNew: await measurePolling(server, lastEventId),
        unloadedMs: await unloadedResponseMs(server, lastEventId - 1),
      };
    } finally {
      await server.stop();
    }
  }
} finally {
  for (const l of loads) if (l.child.connected) l.child.disconnect();
  await Promise.all(loads.map((l) => l.exited));
  rmSync(dataDir, { recursive: true, force: true });
}


const { md, json, invalid } = buildReport({
  rounds,
  ...(baseline ? { baseline } : {}),
  ...(polling ? { polling } : {}),
  largest,
  loadBefore,
  fdSoft,
  redis: !!redisUrl,
  clientProcs,
  batch,
  posts,
  postIntervalMs,
  pollSeconds,
  maxAttempts,
  quiet: QUIET,
});
console.log(md);
// A harness check (no Nashra) is not a result: the recorded run stays.
if (!baselineOnly) {
  const results = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(results, { recursive: true });
  await writeFile(`${results}live.md`, md);
  await writeFile(`${results}live.json`, `${JSON.stringify(json, null, 2)}\n`);
}
if (invalid) process.exitCode = 1;
