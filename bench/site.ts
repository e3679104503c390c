/**
 * `npm run bench:site`: the whole reader site under a realistic mix of requests (bench/siteMix.ts)
 * at rising concurrency, against a real `nashra serve` in its own process on a fresh SQLite
 * store (demo content, its running live coverage, and generated articles for depth). At each
 * step the same number of connections also loads a bare node:http server returning the hottest
 * article's bytes (the baseline), right after Nashra, so each step's ratio carries across machines.
 * Reports req/s, p50/p99, errors and non-2xx per step, and the first step whose p99 passes 100 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { prepareSite } from './siteData.js';
import { emptyStats, HOT_ARTICLES, HOT_SHARE, type Kind, KINDS, type KindStats, MIX, mixRequests, percentile, statusList } from './siteMix.js';
import { envInt, procSample, type Running, startBaseline, startNashra } from './siteServer.js';

const P99_LIMIT_MS = 100;
const articles = envInt('BENCH_SITE_ARTICLES', 2000);
const duration = Math.max(1, envInt('BENCH_SITE_DURATION', 5));
const warmup = envInt('BENCH_SITE_WARMUP', 3);
const withBaseline = process.env.BENCH_SITE_BASELINE !== '0';
const kindSeconds = envInt('BENCH_SITE_KIND_S', 3);
const steps = (process.env.BENCH_SITE_STEPS ?? '1,5,10,25,50,100,200').split(',').map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_SITE_STEPS must list positive integers, got "${s}"`);
  return n;
});

interface Step {
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Server CPU per request, ms (utime + stime over the step ÷ requests). */
  cpuMsPerRequest: number;
  /** Share of one core the server used during the step: low with high latency = starved by other work. */
  cpuShare: number;
  rssMb: number;
  baseline: { rps: number; p50: number; p99: number } | null;
  kinds: Record<Kind, KindStats>;
}

const round = (n: number, d = 1) => Number(n.toFixed(d));
const loadBefore = os.loadavg()[0] ?? 0;
const dataDir = mkdtempSync(join(os.tmpdir(), 'nashra-bench-site-'));
let nashra: Running | undefined;
let baseline: Running | undefined;
const rows: Step[] = [];
const kindCost: Partial<Record<Kind, { rps: number; cpuMsPerRequest: number; non2xx: number }>> = {};
let site: Awaited<ReturnType<typeof prepareSite>>;
let baselineBytes = 0;
try {
  site = await prepareSite(dataDir, articles, (s) => console.error(s));
  nashra = await startNashra(dataDir);
  if (withBaseline) {
    // Identity, as autocannon asks (fetch would otherwise negotiate br and decompress it).
    const res = await fetch(nashra.base + site.articles[0], { headers: { 'accept-encoding': 'identity' } });
    if (res.status !== 200) throw new Error(`GET ${site.articles[0]} answered ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    baselineBytes = body.length;
    baseline = await startBaseline(body, res.headers.get('content-type') ?? 'text/html');
  }
  // Warm-up, discarded: JIT, SQLite's page cache and Nashra's page cache settle before we count.
  if (warmup) await autocannon({ url: nashra.base, connections: 10, duration: warmup, requests: mixRequests(site, 1, emptyStats()) });

  for (const connections of steps) {
    const kinds = emptyStats();
    const before = procSample(nashra.pid);
    const t0 = performance.now();
    const r = await autocannon({ url: nashra.base, connections, duration, requests: mixRequests(site, 1000 + connections, kinds) });
    const after = procSample(nashra.pid);
    const wallMs = performance.now() - t0;
    let base: Step['baseline'] = null;
    if (baseline) {
      const b = await autocannon({ url: baseline.base, connections, duration });
      base = { rps: b.requests.mean, p50: b.latency.p50, p99: b.latency.p99 };
    }
    const step: Step = {
      connections,
      rps: r.requests.mean,
      p50: r.latency.p50,
      p99: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      cpuMsPerRequest: r.requests.total ? (after.cpuMs - before.cpuMs) / r.requests.total : 0,
      cpuShare: (after.cpuMs - before.cpuMs) / wallMs,
      rssMb: after.rssKb / 1024,
      baseline: base,
      kinds,
    };
    rows.push(step);
    console.error(
      `${connections} connections: ${step.rps.toFixed(0)} req/s, p50 ${step.p50} ms, p99 ${step.p99} ms` +
        (base ? `; baseline ${base.rps.toFixed(0)} req/s` : '') +
        (step.non2xx || step.errors ? `; ${step.non2xx} non-2xx, ${step.errors} errors` : ''),
    );
  }
  // Each kind alone: what one request of it costs the server (CPU), whatever else the machine does.
  if (kindSeconds) {
    for (const kind of KINDS) {
      const only = emptyStats();
      const before = procSample(nashra.pid);
      const r = await autocannon({ url: nashra.base, connections: 10, duration: kindSeconds, requests: mixRequests(site, 7, only, kind) });
      const after = procSample(nashra.pid);
      kindCost[kind] = { rps: r.requests.mean, cpuMsPerRequest: r.requests.total ? (after.cpuMs - before.cpuMs) / r.requests.total : 0, non2xx: r.non2xx };
    }
  }
} finally {
  await nashra?.stop();
  await baseline?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

// ——— the report ———

const knee = rows.find((r) => r.p99 > P99_LIMIT_MS);
const kneeText = knee
  ? `p99 passes ${P99_LIMIT_MS} ms at **${knee.connections} connections** (p99 ${knee.p99} ms, ${knee.rps.toFixed(0)} req/s)` +
    (rows[rows.indexOf(knee) - 1] ? `; the last step under it: ${rows[rows.indexOf(knee) - 1]!.connections} connections` : '')
  : `p99 stays under ${P99_LIMIT_MS} ms at every step, up to ${rows.at(-1)?.connections ?? 0} connections`;
const peak = rows.reduce((best, r) => (r.rps > best.rps ? r : best), rows[0]!);
const failed = rows.filter((r) => r.non2xx || r.errors || r.timeouts);
// The per-kind table at the step nearest 50 connections, bench:pages' setting.
const kindStep = rows.reduce((best, r) => (Math.abs(r.connections - 50) < Math.abs(best.connections - 50) ? r : best), rows[0]!);
const kindTotal = KINDS.reduce((s, k) => s + kindStep.kinds[k].count, 0);
const date = new Date().toISOString();
const cpus = os.cpus();

const md = [
  '# Whole-site load benchmark',
  '',
  `- Date: ${date}`,
  `- Node: ${process.version}; CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}; 1-min load average at start: ${loadBefore.toFixed(2)}`,
  `- Server: \`nashra serve\` (dist/, NODE_ENV=production, LOG_LEVEL=warn), SQLite in a temp dir, one instance, no Redis, no CDN; load from a separate process (autocannon, keep-alive, no Accept-Encoding: identity bodies)`,
  `- Content: the demo articles plus ${site!.generated} generated ones (${site!.articles.length} published), ${site!.sections.length} sections, the demo's running live coverage`,
  `- Mix (share of requests): ${KINDS.map((k) => `${k} ${MIX[k]} %`).join(', ')}. Articles: ${HOT_SHARE * 100} % to the ${HOT_ARTICLES} newest, the rest uniform over all; section pages 80 % page 1, else pages 2–5; feeds 60 % the site feed, 40 % a section feed; search one word from the generated articles' vocabulary; updates = a poller already up to date`,
  `- Each step: ${duration} s at that many connections after one ${warmup} s warm-up (10 connections, discarded)` +
    (withBaseline ? `; then the baseline (bare node:http returning the newest article's ${baselineBytes} bytes from memory) for ${duration} s at the same connections` : ''),
  '- server CPU ms/request = the server process\'s utime + stime over the step ÷ requests answered; server CPU % = that time ÷ the step\'s wall time (100 % = one core; the machine has ' + os.cpus().length + ' cores, shared with the load process and whatever else runs). Low CPU % with high latency means the server was waiting for a core, not working.',
  '',
  `| connections | req/s | p50 ms | p99 ms | non-2xx | errors (timeouts) | server CPU ms/request | server CPU % | server RSS MB |${withBaseline ? ' baseline req/s | baseline p99 ms | ratio |' : ''}`,
  `| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${withBaseline ? ' ---: | ---: | ---: |' : ''}`,
  ...rows.map(
    (r) =>
      `| ${r.connections} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} (${r.timeouts}) | ${r.cpuMsPerRequest.toFixed(3)} | ${(100 * r.cpuShare).toFixed(0)} | ${r.rssMb.toFixed(0)} |` +
      (r.baseline ? ` ${r.baseline.rps.toFixed(0)} | ${r.baseline.p99} | ${(r.rps / r.baseline.rps).toFixed(2)} |` : ''),
  ),
  '',
  `- ${kneeText}.`,
  `- Peak: ${peak.rps.toFixed(0)} req/s at ${peak.connections} connections.`,
  failed.length ? `- **Failed requests** at ${failed.map((r) => `${r.connections} connections (${r.non2xx} non-2xx, ${r.errors} errors)`).join('; ')}: those steps' numbers are not valid.` : '- No non-2xx answers and no errors at any step.',
  '',
  `## By kind, at ${kindStep.connections} connections`,
  '',
  'Latency here is measured in the load process from building a request to its last byte (close to autocannon\'s own on keep-alive connections without pipelining).',
  '',
  `The last two columns load each kind alone (10 connections, ${kindSeconds} s, same draw of paths): the server CPU one request of that kind costs, and the req/s it reached.`,
  '',
  '| kind | share of requests | non-2xx | p50 ms | p99 ms | alone: server CPU ms/request | alone: req/s |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...KINDS.map((k) => {
    const s = kindStep.kinds[k];
    const c = kindCost[k];
    return (
      `| ${k} | ${kindTotal ? ((100 * s.count) / kindTotal).toFixed(1) : '0'} % | ${s.non2xx}${s.non2xx ? ` (${statusList(s)})` : ''} | ${percentile(s.latencies, 50).toFixed(1)} | ${percentile(s.latencies, 99).toFixed(1)} |` +
      ` ${c ? c.cpuMsPerRequest.toFixed(2) : '—'} | ${c ? c.rps.toFixed(0) : '—'} |`
    );
  }),
  '',
].join('\n');

const results = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(results, { recursive: true });
await writeFile(`${results}site.md`, md);
const json = {
  date,
  node: process.version,
  cpu: { model: cpus[0]?.model ?? 'unknown', count: cpus.length },
  loadavg_1m_at_start: round(loadBefore, 2),
  articles_published: site!.articles.length,
  mix_percent: MIX,
  duration_s: duration,
  p99_limit_ms: P99_LIMIT_MS,
  p99_passes_limit_at_connections: knee?.connections ?? null,
  peak_rps: round(peak.rps),
  peak_connections: peak.connections,
  baseline_body_bytes: baselineBytes || null,
  steps: rows.map((r) => ({
    connections: r.connections,
    rps: round(r.rps),
    p50_ms: r.p50,
    p99_ms: r.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    server_cpu_ms_per_request: round(r.cpuMsPerRequest, 3),
    server_cpu_percent_of_core: round(100 * r.cpuShare),
    server_rss_mb: round(r.rssMb),
    baseline_rps: r.baseline ? round(r.baseline.rps) : null,
    baseline_p99_ms: r.baseline?.p99 ?? null,
    ratio: r.baseline ? round(r.rps / r.baseline.rps, 3) : null,
    kinds: Object.fromEntries(
      KINDS.map((k) => [k, { requests: r.kinds[k].count, non2xx: r.kinds[k].non2xx, non2xx_statuses: r.kinds[k].statuses, p50_ms: round(percentile(r.kinds[k].latencies, 50), 2), p99_ms: round(percentile(r.kinds[k].latencies, 99), 2) }]),
    ),
  })),
  kind_alone: Object.fromEntries(
    Object.entries(kindCost).map(([k, c]) => [k, { rps: round(c.rps), server_cpu_ms_per_request: round(c.cpuMsPerRequest, 3), non2xx: c.non2xx }]),
  ),
  failed_steps: failed.map((r) => r.connections),
};
await writeFile(`${results}site.json`, `${JSON.stringify(json, null, 2)}\n`);
console.log(md);
if (failed.length) process.exitCode = 1;
