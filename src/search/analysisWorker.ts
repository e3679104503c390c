// Worker thread body for FieldAnalyzer (analysisPool.ts): analyses batches of source text so the
// thread that reads and writes the database never waits on the analyzer.
import { parentPort } from 'node:worker_threads';
import { analyzeFields, type SourceText } from './documents.js';

parentPort?.on('message', (m: { id: number; texts: SourceText[] }) => {
  try {
    parentPort!.postMessage({ id: m.id, fields: m.texts.map(analyzeFields) });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) });
  }
});
