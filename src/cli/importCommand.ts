import { importHtmlFile } from '../ingest/html/importHtml.js';
import { ImportError } from '../ingest/page/read.js';
import { importPageFile } from '../ingest/page/importPage.js';
import type { Services } from '../services/index.js';
import { openServices } from './context.js';

interface ImportOptions {
  publish?: boolean;
  json?: boolean;
  mediaDir?: string;
  section?: string;
  keepGoing?: boolean;
}

interface Imported {
  status: string;
  url: string;
  warnings: string[];
}
type Outcome<R> = R | { file: string; status: 'failed'; error: string; line?: number };

/**
 * The loop every file importer shares: each file its own article and transaction. Returns the
 * exit code (0 only when every file imported). Results on stdout; progress, warnings and errors
 * on stderr; a bad file stops the run unless `--keep-going`.
 */
async function importFiles<R extends Imported>(files: string[], opts: ImportOptions, importOne: (services: Services, file: string) => Promise<R>): Promise<number> {
  const services = await openServices();
  const outcomes: Outcome<R>[] = [];
  let failed = 0;
  try {
    for (const [i, file] of files.entries()) {
      if (files.length > 1) process.stderr.write(`[${i + 1}/${files.length}] ${file}\n`);
      try {
        const r = await importOne(services, file);
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

/** `nashra import page`: the text of a saved article page. */
export function importPages(files: string[], opts: ImportOptions): Promise<number> {
  return importFiles(files, opts, (services, file) => importPageFile(services, file, opts));
}

/** `nashra import html`: a saved HTML article page, as a draft. */
export function importHtmlPages(files: string[], opts: Pick<ImportOptions, 'json' | 'keepGoing'>): Promise<number> {
  return importFiles(files, opts, (services, file) => importHtmlFile(services, file));
}
