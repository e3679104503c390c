/**
 * The processes bench:site and bench:soak measure: a real `nashra serve` (built dist/, the
 * production entry point, scheduler and all) on a prepared data dir, and a bare node:http
 * baseline returning one fixed page. Both are separate processes from the load generator:
 * autocannon is CPU-hungry, and sharing an event loop with it would bill its work to the server.
 * Also: what /proc says about a process (RSS, CPU time).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export interface Running {
  pid: number;
  base: string;
  /** SIGTERM, then waits for the exit (the server's own shutdown is bounded). */
  stop(): Promise<void>;
  /** The last few KB of its stderr, for error messages. */
  log(): string;
  /** Bearer token for its `/metrics` (Nashra only). */
  metricsToken?: string;
}

async function started(child: ChildProcess, pattern: RegExp, what: string): Promise<Running> {
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (log = (log + s).slice(-4000)));
  const exited = once(child, 'exit');
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = pattern.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then(([code]) => reject(new Error(`${what} exited (${String(code)}) before it was ready:\n${log}`)));
  });
  return {
    pid: child.pid!,
    base,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `nashra serve` on `dataDir`, SQLite, one instance, no Redis, on an ephemeral port. */
export async function startNashra(dataDir: string): Promise<Running> {
  // A fixed environment, not process.env: a developer's DATABASE_URL or REDIS_URL must not
  // point the benchmark at a real database.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NASHRA_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    // So the soak can read the V8 heap from /metrics (token mode, the default).
    NASHRA_METRICS_TOKEN: randomBytes(24).toString('base64url'),
  };
  const child = spawn(process.execPath, [join(root, 'bin/nashra.js'), 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const running = await started(child, /Nashra serves (http:\/\/[^\s/]+)/, 'nashra serve');
  return { ...running, metricsToken: env.NASHRA_METRICS_TOKEN };
}

/** The baseline: node:http answering every request with `body` from memory. */
export function startBaseline(body: Buffer, contentType: string): Promise<Running> {
  // Plain JavaScript through `node -e`: no tsx loader in the baseline's process either.
  const source = `
    const http = require('node:http');
    const body = Buffer.from(process.env.BODY_B64, 'base64');
    const headers = { 'content-type': process.env.CONTENT_TYPE, 'content-length': body.length };
    const server = http.createServer((req, res) => res.writeHead(200, headers).end(body));
    server.listen(0, '127.0.0.1', () => process.stdout.write('baseline serves http://127.0.0.1:' + server.address().port + '/\\n'));
    process.on('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
  `;
  const child = spawn(process.execPath, ['-e', source], {
    env: { PATH: process.env.PATH, BODY_B64: body.toString('base64'), CONTENT_TYPE: contentType },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return started(child, /baseline serves (http:\/\/[^\s/]+)/, 'the baseline server');
}

export interface ProcSample {
  rssKb: number;
  /** utime + stime, ms. */
  cpuMs: number;
}

export function procSample(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  // /proc/PID/stat: the command name in parentheses may hold spaces, so count from its end.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0), cpuMs: (ticks * 1000) / CLK_TCK };
}

/** V8 heap in use, bytes, if the server exposes Prometheus metrics with Node's default collectors. */
export async function heapUsedBytes(server: Running): Promise<number | null> {
  try {
    const headers = server.metricsToken ? { authorization: `Bearer ${server.metricsToken}` } : undefined;
    const res = await fetch(`${server.base}/metrics`, { headers, signal: AbortSignal.timeout(2000) });
    if (!res.ok) return null;
    const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.e+]+)/m.exec(await res.text());
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}
