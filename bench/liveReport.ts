/**
 * The report of bench/live.ts: the markdown table and verdict, and the JSON with the fields the
 * issue names (`max_connections_held`, `p50_ms`, `p99_ms`, `rss_per_connection_kb`, `missed`,
 * `duplicated`, `polling_rps_equivalent`, `date`) plus per-round detail.
 */
import os from 'node:os';

export const TARGET = { connections: 10_000, p99Ms: 250, rssPerConnectionKb: 16 };
export const POLL_INTERVAL_S = 10;

export interface Round {
  target: string;
  n: number;
  connected: number;
  failed: number;
  failReasons: Record<string, number>;
  openS: number;
  rssIdleMb: number;
  rssHeldMb: number;
  rssPeakMb: number;
  rssPerConnectionKb: number;
  /** Share of a core with no connections (after the warm-up), and with N held between entries. */
  serverCpuIdle: number;
  serverCpuIdleHeld: number;
  serverCpuPosting: number;
  serverCpuUsPerDelivery: number;
  loadCpuPosting: number;
  /** Cores' worth of CPU used by other processes on the machine while entries were posted. */
  othersCpuPosting: number;
  /** The same for every posting attempt of the round; the quietest one's timing is reported. */
  othersCpuAttempts: number[];
  posts: number;
  postMsMean: number;
  delivered: number;
  /** Median over entries of the latency of the entry's first reader, and of its last. */
  firstReaderMs: number;
  lastReaderMs: number;
  p50: number;
  p99: number;
  max: number;
  missed: number;
  duplicated: number;
  unexpected: number;
  outOfOrder: number;
  resyncs: number;
  retries: number;
  dropped: number;
  allArrived: boolean;
  contractErrors: string[];
  frameBytes: number;
  held: boolean;
  /** Why the round stopped early (the server died, a load process failed…), if it did. */
  error?: string;
}

export interface Polling {
  path: string;
  rps: number;
  latencyMeanMs: number;
  cpuMsPerRequest: number;
  non2xx: number;
  errors: number;
}

export interface PollingResult {
  /** A reader one entry behind: the usual poll while entries flow. */
  withNew: Polling;
  /** A reader who has everything: the usual poll between entries. */
  nothingNew: Polling;
  /** Median response time of one poll on an otherwise idle server. */
  unloadedMs: number;
}

export interface Run {
  rounds: Round[];
  baseline?: Round;
  polling?: PollingResult;
  largest: number;
  loadBefore: number;
  fdSoft: number;
  redis: boolean;
  clientProcs: number;
  batch: number;
  posts: number;
  postIntervalMs: number;
  pollSeconds: number;
  maxAttempts: number;
  /** Other processes' CPU above which a posting phase was repeated. */
  quiet: number;
}

const round1 = (x: number, d = 1) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

export function buildReport(run: Run): { md: string; json: unknown; invalid: boolean } {
  const { rounds, baseline, polling, largest, loadBefore, fdSoft, redis, clientProcs, batch, posts, postIntervalMs, pollSeconds, maxAttempts, quiet } = run;
  const heldRounds = rounds.filter((r) => r.held);
  const maxHeld = heldRounds.length ? Math.max(...heldRounds.map((r) => r.n)) : 0;
  // The headline numbers are those of the largest N that held, else of the largest N tried.
  const head = rounds.find((r) => r.n === maxHeld) ?? rounds[rounds.length - 1]!;
  const totalMissed = rounds.reduce((s, r) => s + r.missed, 0);
  const totalDuplicated = rounds.reduce((s, r) => s + r.duplicated, 0);
  const pollingRps = maxHeld / POLL_INTERVAL_S;
  const poll = polling;
  const pollingCores = poll ? (pollingRps * poll.withNew.cpuMsPerRequest) / 1000 : NaN;
  const stalenessMs = poll ? (POLL_INTERVAL_S * 1000) / 2 + poll.unloadedMs : NaN;
  const checks = {
    connections: maxHeld >= TARGET.connections,
    p99: head.p99 < TARGET.p99Ms,
    rss: head.rssPerConnectionKb < TARGET.rssPerConnectionKb,
    exactlyOnce: totalMissed === 0 && totalDuplicated === 0,
  };
  const met = Object.values(checks).every(Boolean);
  const date = new Date().toISOString();
  const cpus = os.cpus();
  const tableRows = [...rounds, ...(baseline ? [baseline] : [])];
  const busiest = Math.max(...tableRows.map((r) => r.othersCpuPosting));

  function pollingSection(poll: PollingResult): string[] {
    return [
      `## Polling alternative (N = ${maxHeld} readers polling every ${POLL_INTERVAL_S} s)`,
      '',
      `- It costs **${pollingRps.toFixed(0)} requests/s** (N / ${POLL_INTERVAL_S}) for as long as the coverage runs, whether or not anything changed.`,
      `- Server capacity for \`/updates\` (autocannon, 50 keep-alive connections, ${pollSeconds} s after 1 s warm-up, no CDN):`,
      '',
      '| request | req/s | mean latency ms | server CPU ms/request | non-2xx | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...[
        ['one new entry', poll.withNew],
        ['nothing new', poll.nothingNew],
      ].map(([what, p]) => {
        const q = p as Polling;
        return `| ${String(what)} (\`${q.path}\`) | ${q.rps.toFixed(0)} | ${q.latencyMeanMs.toFixed(1)} | ${q.cpuMsPerRequest.toFixed(3)} | ${q.non2xx} | ${q.errors} |`;
      }),
      '',
      `- At ${pollingRps.toFixed(0)} req/s that is ${pct(pollingCores)} of a core on the origin (without a CDN), against ${pct(head.serverCpuPosting)} for push while entries flow (near zero between them).`,
      `- Mean staleness of polling: ${POLL_INTERVAL_S * 1000} ms / 2 + ${poll.unloadedMs.toFixed(1)} ms response = **${stalenessMs.toFixed(0)} ms**, against push p50 ${head.p50.toFixed(1)} ms (${(stalenessMs / head.p50).toFixed(0)} ×). A CDN honouring \`max-age=2\` adds up to 2 s more.`,
      '',
    ];
  }

  const md = [
    '# Live coverage fan-out benchmark',
    '',
    `- Date: ${date}`,
    `- Node: ${process.version}; CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}; 1-min load average at start: ${loadBefore.toFixed(2)}; ulimit -n ${fdSoft}`,
    `- Server: \`nashra serve\` (dist/), SQLite in a temp dir, one instance, ${redis ? 'Redis bridge on' : 'no Redis'}; a fresh process per N. Load: ${clientProcs} separate process(es) of raw node:net sockets, opened ${batch} at a time, each waiting for the \`retry:\` preamble.`,
    `- Per N: ${posts} entries posted through \`POST /api/v1/live/:id/entries\`, one every ${postIntervalMs} ms; latency = receipt at the client − time taken just before the POST (same machine clock), at every client for every entry.`,
    `- RSS per connection = (server RSS after N connected and 3 s settled − RSS idle after a warm-up) / N. CPU = share of one core (utime + stime from /proc) while entries were posted and delivered; “other processes” is the rest of the machine’s busy time then (this machine is shared: more than a few % there makes latencies worse than the server alone would). While it was above ${pct(quiet)}, the posting phase was repeated on the same connections (up to ${maxAttempts} tries); timing and CPU are the quietest try’s, missed and duplicated count over all tries.`,
    ...(baseline
      ? [`- Baseline: a bare node:http SSE fan-out (bench/liveBaseline.ts), frames padded to Nashra’s size (${baseline.frameBytes} B), each encoded once and written to every stream in one loop; measured at N = ${largest} in the same run.`]
      : []),
    '',
    '| target | N | connected | p50 ms | p99 ms | max ms | first / last reader ms | missed | duplicated | RSS idle MB | RSS held MB | KB/connection | server CPU idle / held / posting | µs CPU/delivery | load-process CPU | other processes’ CPU | held |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...tableRows.map(
      (r) =>
        `| ${r.target} | ${r.n} | ${r.connected} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.firstReaderMs.toFixed(1)} / ${r.lastReaderMs.toFixed(1)} | ${r.missed} | ${r.duplicated} | ` +
        `${r.rssIdleMb.toFixed(1)} | ${r.rssHeldMb.toFixed(1)} | ${r.rssPerConnectionKb.toFixed(1)} | ${pct(r.serverCpuIdle)} / ${pct(r.serverCpuIdleHeld)} / ${pct(r.serverCpuPosting)} | ${r.serverCpuUsPerDelivery.toFixed(1)} | ${pct(r.loadCpuPosting)} | ${pct(r.othersCpuPosting)}${r.othersCpuAttempts.length > 1 ? ` (quietest of ${r.othersCpuAttempts.map(pct).join(', ')})` : ''} | ${r.held ? 'yes' : 'no'} |`,
    ),
    '',
    ...(baseline
      ? [
          `Against the baseline at N = ${largest}: p99 ${(head.n === largest ? head.p99 / baseline.p99 : NaN).toFixed(2)} ×, ` +
            `KB/connection ${(rounds.find((r) => r.n === largest)!.rssPerConnectionKb / baseline.rssPerConnectionKb).toFixed(2)} ×, ` +
            `CPU per delivery ${(rounds.find((r) => r.n === largest)!.serverCpuUsPerDelivery / baseline.serverCpuUsPerDelivery).toFixed(2)} ×.`,
          '',
        ]
      : []),
    ...(poll ? pollingSection(poll) : []),
    '## Verdict',
    '',
    `- Largest N held (all connected, 0 missed, 0 duplicated, none dropped): **${maxHeld}** (target ${TARGET.connections}): ${checks.connections ? 'met' : 'not met'}`,
    `- p99 at that N: **${head.p99.toFixed(1)} ms** (target < ${TARGET.p99Ms}): ${checks.p99 ? 'met' : 'not met'}`,
    `- Server memory: **${head.rssPerConnectionKb.toFixed(1)} KB/connection** (target < ${TARGET.rssPerConnectionKb}): ${checks.rss ? 'met' : 'not met'}`,
    `- Missed ${totalMissed}, duplicated ${totalDuplicated} over all rounds (target 0): ${checks.exactlyOnce ? 'met' : 'not met'}`,
    `- All targets: **${met ? 'met' : 'not met'}**`,
    `- Latency includes the POST itself (mean ${head.postMsMean.toFixed(1)} ms at that N: auth, the SQLite transaction, then the fan-out).`,
    ...(busiest > 0.25
      ? [`- **The machine was busy with other work** (other processes used up to ${pct(busiest)} of a core while entries were delivered): the server and the load process queued for CPU, so latencies here are upper bounds; compare with the baseline measured under the same conditions.`]
      : []),
    ...tableRows.flatMap((r) => [
      ...(Object.keys(r.failReasons).length ? [`- ${r.target} N=${r.n} connection failures: ${JSON.stringify(r.failReasons)}`] : []),
      ...(r.error ? [`- ${r.target} N=${r.n} **failed**: ${r.error}`] : []),
      ...(r.contractErrors.length ? [`- ${r.target} N=${r.n} payloads off the wire contract: ${r.contractErrors.join('; ')}`] : []),
      ...(r.dropped || r.unexpected || r.outOfOrder || r.resyncs || r.retries || !r.allArrived
        ? [`- ${r.target} N=${r.n}: dropped ${r.dropped}, unexpected ${r.unexpected}, out of order ${r.outOfOrder}, resync ${r.resyncs}, retry ${r.retries}, all arrived ${r.allArrived}`]
        : []),
    ]),
    '',
  ].join('\n');

  const roundJson = (r: Round) => ({
    target: r.target,
    n: r.n,
    connected: r.connected,
    failed: r.failed,
    fail_reasons: r.failReasons,
    open_s: round1(r.openS),
    p50_ms: round1(r.p50),
    p99_ms: round1(r.p99),
    max_ms: round1(r.max),
    first_reader_ms_median: round1(r.firstReaderMs),
    last_reader_ms_median: round1(r.lastReaderMs),
    missed: r.missed,
    duplicated: r.duplicated,
    dropped: r.dropped,
    unexpected: r.unexpected,
    out_of_order: r.outOfOrder,
    resyncs: r.resyncs,
    retries: r.retries,
    rss_idle_mb: round1(r.rssIdleMb),
    rss_held_mb: round1(r.rssHeldMb),
    rss_peak_mb: round1(r.rssPeakMb),
    rss_per_connection_kb: round1(r.rssPerConnectionKb, 2),
    server_cpu_idle: round1(r.serverCpuIdle, 3),
    server_cpu_held_between_entries: round1(r.serverCpuIdleHeld, 3),
    server_cpu_posting: round1(r.serverCpuPosting, 3),
    server_cpu_us_per_delivery: round1(r.serverCpuUsPerDelivery, 2),
    load_process_cpu_posting: round1(r.loadCpuPosting, 3),
    other_processes_cpu_posting: round1(r.othersCpuPosting, 3),
  other_processes_cpu_attempts: r.othersCpuAttempts.map((x) => round1(x, 3)),
    post_ms_mean: round1(r.postMsMean),
    frame_bytes: r.frameBytes,
    contract_errors: r.contractErrors,
    held: r.held,
    error: r.error ?? null,
  });
  const json = {
    date,
    node: process.version,
    cpu: { model: cpus[0]?.model ?? 'unknown', count: cpus.length },
    loadavg_1m_at_start: round1(loadBefore, 2),
    ulimit_n: fdSoft,
    load_processes: clientProcs,
    redis_bridge: redis,
    posts_per_round: posts,
  max_posting_attempts: maxAttempts,
    post_interval_ms: postIntervalMs,
    max_connections_held: maxHeld,
    p50_ms: round1(head.p50),
    p99_ms: round1(head.p99),
    max_ms: round1(head.max),
    rss_per_connection_kb: round1(head.rssPerConnectionKb, 2),
    server_cpu_posting: round1(head.serverCpuPosting, 3),
    missed: totalMissed,
    duplicated: totalDuplicated,
    polling_interval_s: POLL_INTERVAL_S,
    polling_rps_equivalent: pollingRps,
    polling_server_max_rps: poll ? round1(poll.withNew.rps) : null,
    polling_cpu_ms_per_request: poll ? round1(poll.withNew.cpuMsPerRequest, 4) : null,
    polling_cores_at_equivalent_rps: round1(pollingCores, 3),
    polling_mean_staleness_ms: round1(stalenessMs),
    push_p50_ms: round1(head.p50),
    targets: { connections: TARGET.connections, p99_ms: TARGET.p99Ms, rss_per_connection_kb: TARGET.rssPerConnectionKb, missed: 0, duplicated: 0 },
    target_checks: checks,
    target_met: met,
    other_processes_cpu_max: round1(busiest, 3),
    rounds: rounds.map(roundJson),
    baseline: baseline ? roundJson(baseline) : null,
    polling: poll,
  };
  // Targets not met is a result; a run with broken payloads or failed polls has no valid numbers.
  const invalid =
    tableRows.some((r) => r.contractErrors.length > 0) ||
    (!!poll && poll.withNew.non2xx + poll.withNew.errors + poll.nothingNew.non2xx + poll.nothingNew.errors > 0);
  return { md, json, invalid };
}
