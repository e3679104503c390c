import { importHtmlFile, type ImportHtmlResult } from '../ingest/html/importHtml.js';
import { ImportError } from '../ingest/page/read.js';
import { openServices } from './context.js';

interface ImportHtmlOptions {
  json?: boolean;
  keepGoing?: boolean;
}

type Outcome = ImportHtmlResult | { file: string; status: 'failed'; error: string; line?: number };

/**
 * `nashra import html`: each file its own draft and its own transaction. Returns the exit code
 * (0 only when every file imported). Results on stdout; progress, warnings and errors on stderr.
 */
export async function importHtmlPages(files: string[], opts: ImportHtmlOptions): Promise<number> {
  const services = await openServices();
  const outcomes: Outcome[] = [];
  let failed = 0;
  try {
    for (const [i, file] of files.entries()) {
      if (files.length > 1) process.stderr.write(`[${i + 1}/${files.length}] ${file}\n`);
      try {
        const r = await importHtmlFile(services, file);
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
