import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { IndexedFields } from './backend.js';
import { analyzeFields, type SourceText } from './documents.js';
import { siteExclusionWords } from '../text/analyzer/index.js';

/**
 * Analysis of many documents off the calling thread. Bulk indexing (reindex, bench:search) is
 * analysis plus engine writes in about equal parts; with one worker analysing batch n+1 while the
 * caller writes batch n, the two halves run on both cores instead of one after the other.
 */
export interface FieldAnalyzer {
  /** Whether a worker thread does the work (false: in this thread, when no worker could start). */
  readonly threaded: boolean;
  analyze(texts: readonly SourceText[]): Promise<IndexedFields[]>;
  close(): Promise<void>;
}

const inThread: FieldAnalyzer = {
  threaded: false,
  analyze: async (texts) => texts.map(analyzeFields),
  close: async () => {},
};

/**
 * The worker runs the compiled analysisWorker.js next to this file; from TypeScript sources (tsx,
 * the benchmarks) it registers tsx in the worker first, since a worker does not inherit the
 * loader. Anywhere neither works (a bundler's test runner), analysis stays in this thread.
 */
function startWorker(): Worker | undefined {
  const js = new URL('./analysisWorker.js', import.meta.url);
  // A worker inherits the process's flags; --input-type (a `node -e` caller) makes it refuse a file.
  const workerData = { exclusions: [...siteExclusionWords()] };
  if (existsSync(fileURLToPath(js))) return new Worker(js, { execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')), workerData });
  const ts = new URL('./analysisWorker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(ts))) return undefined;
  let tsx: string;
  try {
    tsx = import.meta.resolve('tsx/esm/api');
  } catch {
    return undefined;
  }
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

export function openFieldAnalyzer(): FieldAnalyzer {
  if (!import.meta.url.startsWith('file:')) return inThread;
  let worker: Worker | undefined;
  try {
    worker = startWorker();
  } catch {
    worker = undefined;
  }
  if (!worker) return inThread;
  const w = worker;
  // A worker that dies (it failed to boot, say) must not fail the caller: its batches, and every
  // later one, are analysed in this thread instead.
  const pending = new Map<number, { texts: readonly SourceText[]; resolve: (f: IndexedFields[]) => void; reject: (e: Error) => void }>();
  let next = 0;
  let failed = false;
  const fallBack = () => {
    failed = true;
    for (const p of pending.values()) {
      try {
        p.resolve(p.texts.map(analyzeFields));
      } catch (err) {
        p.reject(err as Error);
      }
    }
    pending.clear();
  };
  w.on('message', (m: { id: number; fields?: IndexedFields[]; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(`search analysis worker: ${m.error}`));
    else p.resolve(m.fields!);
  });
  w.on('error', fallBack);
  w.on('exit', fallBack);
  return {
    get threaded() {
      return !failed;
    },
    analyze(texts) {
      if (failed) return inThread.analyze(texts);
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { texts, resolve, reject });
        w.postMessage({ id, texts });
      });
    },
    async close() {
      w.removeAllListeners('exit');
      await w.terminate();
    },
  };
}
