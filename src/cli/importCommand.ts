import { ImportError } from '../ingest/page/read.js';
import { importPageFile, type ImportPageResult } from '../ingest/page/importPage.js';
import { openServices } from './context.js';

interface ImportOptions {
  publish?: boolean;
  json?: boolean;
  mediaDir?: string;
  section?: string;
  keepGoing?: boolean;
}

type Outcome = ImportPageResult | { file: string; status: 'failed'; error: string; line?: number };

/** Returns the exit code: 0 when every file imported, 1 otherwise. Results on stdout, the rest on stderr. */
export async function importPages(files: string[], opts: ImportOptions): Promise<number> {
  const services = await openServices();
  const outcomes: Outcome[] = [];
  let failed = 0;
  try {
    for (const file of files) {
      try {
        const r = await importPageFile(services, file, opts);
        outcomes.push(r);
        for (const w of r.warnings) process.stderr.write(`${file}: warning: ${w}\n`);
        if (!opts.json) process.stdout.write(`${file}: ${r.status} ${r.url}\n`);
      } catch (e) {
        if (!(e instanceof ImportError)) throw e;
        failed++;
        process.stderr.write(`${e.toString()}\n`);
        outcomes.push({ file, status: 'failed', error: e.message, ...(e.line ? { line: e.line } : {}) });
        if (!opts.keepGoing) break;
      }
    }
  } finally {
    await services.store.close();
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
  return failed ? 1 : 0;
}
