/**
 * The servers under test for bench/pages.ts, run in a child process of it: autocannon is
 * CPU-hungry, and sharing one event loop with it would bill its work to the servers and pull
 * every ratio towards 1. Reports its URLs over IPC; cleans up when the parent disconnects.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { loadDemoContentOnce } from '../src/demo/load.js';
import { articlePath } from '../src/domain/article.js';
import { importPageFile } from '../src/ingest/page/importPage.js';
import { createServices } from '../src/services/index.js';
import { migrateToLatest, openStore } from '../src/store/db.js';
import { buildApp } from '../src/web/app.js';

export interface Targets {
  article: string;
  /** The article page's current ETag (identity encoding, as autocannon asks), for the conditional row. */
  articleEtag: string;
  home: string;
  baseline: string;
  /** What the article page is: the seed page, or the newest demo article when the seed is absent. */
  articleSource: string;
}

const SEED = fileURLToPath(new URL('../../shared/seeds/000_dae4cb50e85c2d6a.txt', import.meta.url));

const dataDir = await mkdtemp(join(tmpdir(), 'nashra-bench-pages-'));
// A fixed environment rather than process.env: a developer's DATABASE_URL must not point the
// benchmark (and its throwaway demo content) at a real database.
const config = loadConfig({ NASHRA_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
const store = openStore({ dataDir: config.dataDir });
const services = createServices(store, config);
const app = await buildApp({ services });
const baseline = createServer();

let closing: Promise<void> | undefined;
function shutdown(): Promise<void> {
  closing ??= (async () => {
    await app.close();
    baseline.closeAllConnections();
    await new Promise((done) => baseline.close(done));
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  })();
  return closing;
}
// The parent disconnects when done, or by dying: either way the temp dir goes.
process.on('disconnect', () => void shutdown());

try {
  await migrateToLatest(store.db);
  await loadDemoContentOnce(services);
  let path: string;
  let articleSource: string;
  if (existsSync(SEED)) {
    path = articlePath(await importPageFile(services, SEED, { publish: true }));
    articleSource = `seed page ${SEED.split('/').pop()}`;
  } else {
    const newest = (await services.reader.home()).latest[0];
    if (!newest) throw new Error('no seed page and no demo article to benchmark');
    path = articlePath(newest);
    articleSource = `newest demo article (seed page ${SEED} not found)`;
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const nashra = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // The baseline serves the very bytes autocannon gets from Nashra: it sends no Accept-Encoding,
  // so ask for identity too (fetch would otherwise negotiate br and decompress it).
  const res = await fetch(nashra + path, { headers: { 'accept-encoding': 'identity' } });
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  const articleEtag = res.headers.get('etag');
  if (!articleEtag) throw new Error(`GET ${path} sent no ETag`);
  const headers = { 'content-type': res.headers.get('content-type') ?? 'text/html', 'content-length': body.length };
  baseline.on('request', (_req, reply) => reply.writeHead(200, headers).end(body));
  await new Promise<void>((done) => baseline.listen(0, '127.0.0.1', done));

  const targets: Targets = {
    article: nashra + path,
    articleEtag,
    home: `${nashra}/`,
    baseline: `http://127.0.0.1:${(baseline.address() as AddressInfo).port}/`,
    articleSource,
  };
  process.send!(targets);
} catch (err) {
  console.error(err);
  await shutdown();
  process.exitCode = 1;
  process.disconnect();
}
