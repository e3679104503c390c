import type { ReindexProgress } from '../search/reindex.js';
import { openServices } from './context.js';

const BAR = 30;

/**
 * A progress bar redrawn in place on a terminal; elsewhere (CI logs, a pipe) a plain line every
 * tenth of the way, so logs stay readable.
 */
function progressReporter(stream: NodeJS.WriteStream): (p: ReindexProgress) => void {
  let lastTenth = -1;
  return ({ done, total }) => {
    const share = total ? Math.min(1, done / total) : 1;
    if (stream.isTTY) {
      const filled = Math.round(share * BAR);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${done}/${total} (${Math.round(share * 100)}%)`);
      return;
    }
    const tenth = Math.floor(share * 10);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      stream.write(`indexed ${done}/${total}\n`);
    }
  };
}

/** `nashra search reindex`: exit code 0 once the whole index is rebuilt. Results on stdout. */
export async function reindexSearch(opts: { json?: boolean }): Promise<number> {
  const services = await openServices();
  try {
    const started = process.hrtime.bigint();
    const before = await services.search.status();
    const result = await services.search.reindex(progressReporter(process.stderr));
    if (process.stderr.isTTY) process.stderr.write('\n');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const out = { ...result, previousAnalyzerVersion: before.recorded ?? null, engine: services.store.engine, seconds: Math.round(seconds * 100) / 100 };
    process.stdout.write(
      opts.json
        ? `${JSON.stringify(out, null, 2)}\n`
        : `indexed ${out.articles} articles and ${out.liveEntries} live entries (removed ${out.removed} stale) on ${out.engine} in ${out.seconds}s; analyzer version ${out.analyzerVersion}\n`,
    );
    return 0;
  } finally {
    await services.store.close();
  }
}
