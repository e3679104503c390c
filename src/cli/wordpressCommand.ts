import { isValidTimeZone } from '../domain/time.js';
import { importWordpress } from '../ingest/wordpress/importSite.js';
import { summaryTable, type ImportReport } from '../ingest/wordpress/report.js';
import { WxrError } from '../ingest/wordpress/wxr.js';
import { fileSize } from '../services/media.js';
import { loadConfig } from '../config.js';
import { openServices } from './context.js';

export interface WordpressOptions {
  uploads?: string;
  timezone?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** Progress on stderr: a redrawn bar on a terminal, else a line per tenth (logs stay short). */
function progress(stream: NodeJS.WriteStream) {
  let lastTenth = -1;
  let lastDraw = 0;
  return {
    update(done: number, total: number) {
      if (total === 0) return;
      if (stream.isTTY) {
        const now = Date.now();
        if (done < total && now - lastDraw < 100) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round((done / total) * width);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
        if (done === total) stream.write('\n');
        return;
      }
      const tenth = Math.floor((done / total) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`progress: ${done}/${total} (${tenth * 10}%)\n`);
      }
    },
  };
}

/**
 * `nashra import wordpress FILE.xml`. Exit 0 when nothing failed, 1 when an item failed or the
 * file is not a readable export (`FILE:LINE: …`), 2 for a bad option. The report goes to stderr
 * (and as JSON to stdout with `--json`).
 */
export async function importWordpressSite(file: string, opts: WordpressOptions): Promise<number> {
  const config = loadConfig();
  const zone = opts.timezone ?? config.timeZone;
  if (!isValidTimeZone(zone)) {
    process.stderr.write(`nashra: --timezone: unknown time zone "${zone}" (an IANA name such as Asia/Damascus)\n`);
    return 2;
  }
  if ((await fileSize(file)) === null) {
    process.stderr.write(`${file}: not found\n`);
    return 1;
  }
  if (opts.uploads && !(await isDirectory(opts.uploads))) {
    process.stderr.write(`nashra: --uploads: ${opts.uploads} is not a folder\n`);
    return 2;
  }
  const services = await openServices(config);
  const bar = progress(process.stderr);
  let report: ImportReport;
  try {
    report = await importWordpress(services, file, {
      timeZone: zone,
      ...(opts.uploads ? { uploads: opts.uploads } : {}),
      dryRun: !!opts.dryRun,
      onProgress: (p) => bar.update(p.done, p.total),
    });
  } catch (e) {
    if (!(e instanceof WxrError)) throw e;
    process.stderr.write(`${file}:${e.line}: ${e.message.replace(/^line \d+(:\d+)?: /, '')}\n`);
    return 1;
  } finally {
    await services.store.close();
  }
  for (const w of report.warnings) process.stderr.write(`${file}${w.line ? `:${w.line}` : ''}: warning: ${w.message}\n`);
  for (const item of report.items) {
    const where = `${file}${item.line ? `:${item.line}` : ''}`;
    for (const w of item.warnings) process.stderr.write(`${where}: warning: ${item.kind} ${item.wpId}: ${w}\n`);
    if (item.outcome === 'failed') process.stderr.write(`${where}: failed: ${item.kind} ${item.wpId} "${item.title}": ${item.reason}\n`);
    if (!opts.json && (item.kind === 'article' || item.kind === 'page') && item.outcome !== 'unchanged' && item.outcome !== 'failed') {
      process.stdout.write(`${item.outcome} ${item.kind} ${item.wpId} → ${item.status ?? item.reason ?? ''}${item.url ? ` ${item.url}` : ''}\n`);
    }
  }
  process.stderr.write(summaryTable(report));
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return Object.values(report.counts).some((c) => c.failed > 0) ? 1 : 0;
}

async function isDirectory(path: string): Promise<boolean> {
  const { stat } = await import('node:fs/promises');
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
