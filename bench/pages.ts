/**
 * `npm run bench:pages`: reader-page throughput against a baseline measured in the same run.
 *
 * bench/servers.ts (a child process) serves Nashra on a throwaway SQLite store with the demo
 * content and the seed page, plus a bare node:http server returning the seed article's bytes
 * from memory. The baseline is the ceiling of this machine and Node for that response, so
 * "article req/s ÷ baseline req/s" carries across machines where raw req/s would not.
 * The conditional row asks for the article with `If-None-Match` of its current ETag, as a CDN
 * or browser revalidating does: every answer must be a 304 without a body.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Targets } from './servers.js';

/** Reader-page target: the article page serves at least half the baseline's requests/s. */
const TARGET_RATIO = 0.5;
const WARMUP_S = 2;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}
const duration = envInt('BENCH_DURATION', 10);
const connections = envInt('BENCH_CONNECTIONS', 50);

async function startServers(): Promise<{ child: ChildProcess; targets: Targets; exited: Promise<unknown> }> {
  // fork() reuses process.execArgv, so the child gets tsx's loader too.
  const child = fork(fileURLToPath(new URL('./servers.ts', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((done) => child.once('exit', done));
  const targets = await Promise.race([
    new Promise<Targets>((resolve) => child.once('message', (m) => resolve(m as Targets))),
    exited.then((code) => Promise.reject(new Error(`bench/servers.ts exited (${String(code)}) before it was ready`))),
  ]);
  return { child, targets, exited };
}

interface Row {
  target: string;
  rps: number;
  p50: number;
  p99: number;
  bytes: number;
  /** Answers other than the status this target must give (200, or 304 for the conditional row). */
  unexpected: number;
  errors: number;
}

async function measure(target: string, url: string, opts: { headers?: Record<string, string>; status?: 200 | 304 } = {}): Promise<Row> {
  const { headers, status = 200 } = opts;
  // Warm-up, discarded: JIT, the page cache and the connection pool settle before we count.
  await autocannon({ url, connections, duration: WARMUP_S, headers });
  const r = await autocannon({ url, connections, duration, headers });
  console.error(`${target}: ${r.requests.mean.toFixed(0)} req/s`);
  return {
    target,
    rps: r.requests.mean,
    p50: r.latency.p50,
    p99: r.latency.p99,
    // autocannon counts whole responses, headers included.
    bytes: r.requests.total ? Math.round(r.throughput.total / r.requests.total) : 0,
    unexpected: status === 200 ? r.non2xx : r['2xx'] + r.non2xx - r['3xx'],
    errors: r.errors,
  };
}

function meanOf(target: string, a: Row, b: Row): Row {
  return {
    target,
    rps: (a.rps + b.rps) / 2,
    p50: Math.max(a.p50, b.p50),
    p99: Math.max(a.p99, b.p99),
    bytes: a.bytes,
    unexpected: a.unexpected + b.unexpected,
    errors: a.errors + b.errors,
  };
}

// On a shared machine, other work skews the numbers; record how busy it was as we began.
const loadBefore = os.loadavg()[0] ?? 0;
const { child, targets, exited } = await startServers();
let rows: Row[];
try {
  // One after another, never concurrently: the machine has few cores and others share them.
  // The baseline runs first and last and counts as the mean of both, so a drift in the
  // machine's speed during the run does not favour whichever target ran in the quiet part.
  const before = await measure('baseline (first)', targets.baseline);
  const articleRow = await measure('Nashra article page', targets.article);
  const homeRow = await measure('Nashra home page', targets.home);
  const conditionalRow = await measure('Nashra article page, If-None-Match (304)', targets.article, {
    headers: { 'if-none-match': targets.articleEtag },
    status: 304,
  });
  const after = await measure('baseline (last)', targets.baseline);
  rows = [articleRow, homeRow, conditionalRow, meanOf('baseline (node:http, same bytes; mean of first and last)', before, after)];
} finally {
  // Disconnecting tells the child to close its servers and store and remove its temp dir.
  if (child.connected) child.disconnect();
  await exited;
}
const [article, home, conditional, baseline] = rows as [Row, Row, Row, Row];

const round = (n: number, digits: number) => Number(n.toFixed(digits));
const ratio = article.rps / baseline.rps;
const homeRatio = home.rps / baseline.rps;
const conditionalRatio = conditional.rps / baseline.rps;
const problems = rows
  .filter((r) => r.unexpected || r.errors)
  .map((r) => `${r.target}: ${r.unexpected} responses with another status than expected, ${r.errors} errors`);
const verdict =
  `Target (article ≥ ${TARGET_RATIO} × baseline): **${ratio >= TARGET_RATIO ? 'met' : 'not met'}** (${ratio.toFixed(2)})` +
  (problems.length ? ' — but the run had failed requests, so its numbers are not valid' : '');
const date = new Date().toISOString();
const cpus = os.cpus();

const md = [
  '# Reader pages benchmark',
  '',
  `- Date: ${date}`,
  `- Node: ${process.version}; CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}; 1-min load average at start: ${loadBefore.toFixed(2)}`,
  `- autocannon: ${connections} connections, ${duration} s per target after a ${WARMUP_S} s warm-up (discarded); targets run one after another`,
  `- Article: ${targets.articleSource}`,
  '- Ratios are against the baseline measured in the same run: a bare node:http server returning the same article bytes from memory.',
  '- bytes/response includes response headers (Nashra sends security and caching headers the baseline does not).',
  '- The 304 row sends `If-None-Match` with the article\'s current ETag; each answer must be a 304 (headers only). Its ratio is against the same full-page baseline.',
  '',
  '| target | req/s (mean) | p50 ms | p99 ms | bytes/response | ratio to baseline |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.target} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.bytes} | ${(r.rps / baseline.rps).toFixed(2)} |`),
  '',
  verdict,
  ...(problems.length ? ['', '**Failed requests:**', ...problems.map((p) => `- ${p}`)] : []),
  '',
].join('\n');

const results = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(results, { recursive: true });
await writeFile(`${results}pages.md`, md);
const json = {
  date,
  node: process.version,
  cpu: { model: cpus[0]?.model ?? 'unknown', count: cpus.length },
  loadavg_1m_at_start: round(loadBefore, 2),
  connections,
  duration_s: duration,
  article_source: targets.articleSource,
  article_rps: round(article.rps, 1),
  home_rps: round(home.rps, 1),
  conditional_304_rps: round(conditional.rps, 1),
  baseline_rps: round(baseline.rps, 1),
  ratio: round(ratio, 3),
  home_ratio: round(homeRatio, 3),
  conditional_304_ratio: round(conditionalRatio, 3),
  conditional_304_p50_ms: conditional.p50,
  conditional_304_p99_ms: conditional.p99,
  conditional_304_bytes: conditional.bytes,
  article_p50_ms: article.p50,
  article_p99_ms: article.p99,
  target_ratio: TARGET_RATIO,
  target_met: ratio >= TARGET_RATIO && problems.length === 0,
  failed_requests: problems,
};
await writeFile(`${results}pages.json`, `${JSON.stringify(json, null, 2)}\n`);
console.log(md);
// Failed requests make the numbers meaningless; say so to scripts too.
if (problems.length) process.exitCode = 1;
