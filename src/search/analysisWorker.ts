// Worker thread body for FieldAnalyzer (analysisPool.ts): analyses batches of source text so the
// thread that reads and writes the database never waits on the analyzer.
import { parentPort, workerData } from 'node:worker_threads';
import { setSiteExclusions } from '../text/analyzer/index.js';
import { analyzeFields, type SourceText } from './documents.js';

// The site's proper nouns, as the parent thread has them: both threads must analyse alike.
setSiteExclusions((workerData as { exclusions?: string[] } | undefined)?.exclusions ?? []);

parentPort?.on('message', (m: { id: number; texts: SourceText[] }) => {
  try {
    parentPort!.postMessage({ id: m.id, fields: m.texts.map(analyzeFields) });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) });
  }
});
