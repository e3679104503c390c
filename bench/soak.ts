/**
 * `npm run bench:soak` (not in CI): the reader mix of bench:site at a steady, moderate
 * concurrency for SOAK_MINUTES (30 by default) against one `nashra serve`, with a live entry
 * posted through the API every SOAK_POST_S seconds (each one changes the live page and the
 * updates answers, so caches keep turning over as in a real coverage). The server's RSS is read
 * from /proc every SOAK_SAMPLE_S seconds (10), with its V8 heap when a /metrics endpoint gives it.
 *
 * Verdict, flat = no leak: the mean RSS of the last third of the samples is within SOAK_TOLERANCE
 * % (10) of the middle third's. The first third is left out: V8 grows its heap, SQLite its page
 * cache and Nashra its page cache (bounded) while the process warms up, and that is not a leak.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { prepareSite } from './siteData.js';
import { emptyStats, KINDS, MIX, mixRequests, statusList } from './siteMix.js';
import { envInt, heapUsedBytes, procSample, type Running, startNashra } from './siteServer.js';

const minutes = Math.max(1, envInt('SOAK_MINUTES', 30));
const connections = Math.max(1, envInt('SOAK_CONNECTIONS', 10));
const sampleS = Math.max(1, envInt('SOAK_SAMPLE_S', 10));
const postS = envInt('SOAK_POST_S', 30);
const tolerance = envInt('SOAK_TOLERANCE', 10);
const articles = envInt('SOAK_ARTICLES', 2000);
const FULL_MINUTES = 30;

interface Sample {
  t_s: number;
  rss_mb: number;
  heap_used_mb: number | null;
  /** Requests answered since the previous sample, per second. */
  rps: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
const round = (n: number, d = 1) => Number(n.toFixed(d));
const loadBefore = os.loadavg()[0] ?? 0;
const dataDir = mkdtempSync(join(os.tmpdir(), 'nashra-bench-soak-'));
let nashra: Running | undefined;
const samples: Sample[] = [];
const kinds = emptyStats();
let posted = 0;
let postFailures = 0;
let result: autocannon.Result;
let site: Awaited<ReturnType<typeof prepareSite>>;
try {
  site = await prepareSite(dataDir, articles, (s) => console.error(s));
  nashra = await startNashra(dataDir);
  const server = nashra;
  const start = performance.now();
  let answered = 0;
  let answeredAtLastSample = 0;
  let lastSampleAt = start;

  let instance!: autocannon.Instance;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({ url: server.base, connections, duration: minutes * 60, requests: mixRequests(site, 42, kinds) }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
  instance.on('response', () => answered++);
  const sampler = setInterval(() => {
    const now = performance.now();
    const rps = ((answered - answeredAtLastSample) * 1000) / (now - lastSampleAt);
    answeredAtLastSample = answered;
    lastSampleAt = now;
    const rss = procSample(server.pid).rssKb / 1024;
    void heapUsedBytes(server).then((heap) => {
      const s: Sample = { t_s: round((now - start) / 1000, 0), rss_mb: round(rss), heap_used_mb: heap === null ? null : round(heap / 2 ** 20), rps: round(rps, 0) };
      samples.push(s);
      console.error(`${s.t_s} s: RSS ${s.rss_mb} MB${s.heap_used_mb === null ? '' : `, heap ${s.heap_used_mb} MB`}, ${s.rps} req/s`);
    });
  }, sampleS * 1000);
  const coverage = site.coverage;
  const poster = postS
    ? setInterval(() => {
        const text = `تحديث رقم ${posted + postFailures + 1} من اختبار التحمّل: تواصل فرق الطوارئ عملها في المناطق المتضررة، ولا أنباء عن إصابات.`;
        fetch(`${server.base}/api/v1/live/${coverage.id}/entries`, {
          method: 'POST',
          headers: { authorization: `Bearer ${site.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
        }).then(
          async (res) => {
            await res.arrayBuffer();
            if (res.ok) posted++;
            else postFailures++;
          },
          () => postFailures++,
        );
      }, postS * 1000)
    : undefined;
  result = await finished;
  clearInterval(sampler);
  clearInterval(poster);
  // The last heap read may still be on its way.
  await new Promise((done) => setTimeout(done, 500));
} finally {
  await nashra?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

// ——— verdict and report ———

samples.sort((a, b) => a.t_s - b.t_s);
const third = Math.floor(samples.length / 3);
const middle = samples.slice(third, 2 * third);
const last = samples.slice(2 * third);
const middleRss = mean(middle.map((s) => s.rss_mb));
const lastRss = mean(last.map((s) => s.rss_mb));
const growth = middleRss ? (100 * (lastRss - middleRss)) / middleRss : 0;
const enough = third >= 2;
const flat = enough && growth <= tolerance;
const heaps = samples.map((s) => s.heap_used_mb).filter((h): h is number => h !== null);
const heapGrowth = heaps.length === samples.length && enough
  ? (100 * (mean(last.map((s) => s.heap_used_mb!)) - mean(middle.map((s) => s.heap_used_mb!)))) / mean(middle.map((s) => s.heap_used_mb!))
  : null;
// The heap saws between major collections; its floor per third (the lowest sample) is the
// steadier sign of a leak than a mean, and is reported beside the verdict.
const first = samples.slice(0, third);
const floors = enough && heaps.length === samples.length ? [first, middle, last].map((part) => Math.min(...part.map((s) => s.heap_used_mb!))) : null;
const failures = result!.non2xx + result!.errors + result!.timeouts + postFailures;
const short = minutes < FULL_MINUTES;
const date = new Date().toISOString();
const cpus = os.cpus();
const verdict = !enough
  ? `**no verdict**: ${samples.length} samples are too few for thirds (run longer)`
  : `**${flat ? 'flat' : 'growing'}**: the last third's mean RSS is ${lastRss.toFixed(1)} MB against ${middleRss.toFixed(1)} MB for the middle third (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %, limit +${tolerance} %)`;

const md = [
  `# Soak test${short ? ` — SHORT RUN (${minutes} min, not the ${FULL_MINUTES}-minute soak)` : ''}`,
  '',
  ...(short ? [`> This run lasted ${minutes} minutes (SOAK_MINUTES=${minutes}): it checks that the harness works and shows the early shape of the memory curve. It is not evidence of the absence of a slow leak; that needs the default ${FULL_MINUTES}-minute run (\`npm run bench:soak\`).`, ''] : []),
  `- Date: ${date}`,
  `- Node: ${process.version}; CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}; 1-min load average at start: ${loadBefore.toFixed(2)}`,
  `- Server: \`nashra serve\` (dist/, NODE_ENV=production), SQLite in a temp dir, the demo content plus ${site!.generated} generated articles; load from a separate process`,
  `- Load: the bench:site mix (${KINDS.map((k) => `${k} ${MIX[k]} %`).join(', ')}) at ${connections} connections for ${minutes} min; ${postS ? `a live entry posted through the API every ${postS} s (${posted} posted, ${postFailures} failed)` : 'no writes'}`,
  `- Sampled every ${sampleS} s: the server's RSS (VmRSS of /proc/PID/status)${heaps.length ? ' and V8 heap in use (nodejs_heap_size_used_bytes of /metrics)' : '; no V8 heap figure (no /metrics endpoint answered with it)'}`,
  `- Requests: ${result!.requests.total} answered, mean ${result!.requests.mean.toFixed(0)} req/s, p50 ${result!.latency.p50} ms, p99 ${result!.latency.p99} ms; ${result!.non2xx} non-2xx, ${result!.errors} errors, ${result!.timeouts} timeouts`,
  ...KINDS.filter((k) => kinds[k].non2xx).map((k) => `  - ${k}: ${statusList(kinds[k])}`),
  '',
  `Verdict (flat = last third's mean RSS within +${tolerance} % of the middle third's; the first third is warm-up): ${verdict}.` +
    (heapGrowth === null ? '' : ` V8 heap in use: ${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(1)} % between the same thirds.`) +
    (floors ? ` Heap floor (lowest sample) per third: ${floors.map((f) => f.toFixed(1)).join(' → ')} MB.` : '') +
    (failures ? ` **${failures} failed requests or posts**: see above.` : ''),
  '',
  '| t (s) | RSS MB | heap used MB | req/s |',
  '| ---: | ---: | ---: | ---: |',
  ...samples.map((s) => `| ${s.t_s} | ${s.rss_mb} | ${s.heap_used_mb ?? '—'} | ${s.rps} |`),
  '',
].join('\n');

const results = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(results, { recursive: true });
await writeFile(`${results}soak.md`, md);
const json = {
  date,
  short_run: short,
  minutes,
  node: process.version,
  cpu: { model: cpus[0]?.model ?? 'unknown', count: cpus.length },
  loadavg_1m_at_start: round(loadBefore, 2),
  connections,
  sample_s: sampleS,
  live_entries_posted: posted,
  live_post_failures: postFailures,
  requests: result!.requests.total,
  mean_rps: round(result!.requests.mean),
  p50_ms: result!.latency.p50,
  p99_ms: result!.latency.p99,
  non2xx: result!.non2xx,
  errors: result!.errors,
  timeouts: result!.timeouts,
  tolerance_percent: tolerance,
  middle_third_rss_mb: round(middleRss),
  last_third_rss_mb: round(lastRss),
  rss_growth_percent: round(growth),
  heap_growth_percent: heapGrowth === null ? null : round(heapGrowth),
  heap_floor_mb_by_third: floors,
  verdict: enough ? (flat ? 'flat' : 'growing') : 'no verdict',
  samples,
};
await writeFile(`${results}soak.json`, `${JSON.stringify(json, null, 2)}\n`);
console.log(md);
if (!flat || failures) process.exitCode = 1;
