import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createServices } from '../../src/services/index.js';
import { openStore, type Store } from '../../src/store/db.js';
import { DatabaseUnavailableError, isDatabaseUnavailable } from '../../src/store/unavailable.js';
import { buildApp } from '../../src/web/app.js';

describe('isDatabaseUnavailable', () => {
  const err = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

  it('knows an outage by code, SQLSTATE, pg message, or a wrapped cause', () => {
    for (const e of [
      err('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      err('read ECONNRESET', 'ECONNRESET'),
      err('terminating connection due to administrator command', '57P01'),
      err('the database system is starting up', '57P03'),
      err('connection failure', '08006'),
      err('canceling statement due to statement timeout', '57014'),
      err('Connection terminated unexpectedly'),
      err('Connection terminated due to connection timeout'),
      err('timeout exceeded when trying to connect'),
      err('Query read timeout'),
      err('Client has encountered a connection error and is not queryable'),
      err('database is locked', 'SQLITE_BUSY'),
      err('database is locked', 'SQLITE_BUSY_SNAPSHOT'),
      new Error('publish failed', { cause: err('x', 'ECONNREFUSED') }),
      new AggregateError([err('a', 'ECONNREFUSED'), err('b', 'ECONNREFUSED')]),
      new DatabaseUnavailableError(),
    ]) {
      expect(isDatabaseUnavailable(e), String(e)).toBe(true);
    }
  });

  it('leaves bugs and bad input alone: they stay 500s and 4xx', () => {
    for (const e of [
      err('duplicate key value violates unique constraint', '23505'),
      err('syntax error at or near "selec"', '42601'),
      err('relation "x" does not exist', '42P01'),
      err('UNIQUE constraint failed: users.email', 'SQLITE_CONSTRAINT_UNIQUE'),
      err('ENOENT: no such file', 'ENOENT'),
      new TypeError('x is undefined'),
      null,
      'a string',
    ]) {
      expect(isDatabaseUnavailable(e), String(e)).toBe(false);
    }
  });
});

/**
 * PostgreSQL that never answers: a port that accepts connections and says nothing (a frozen
 * server, a firewall dropping packets). Requests must not wait on the OS's minutes-long TCP
 * timeouts: the pool gives up connecting after 2 s and the request gets its 503, so this test
 * finishes within the test timeout only if that holds.
 */
describe('PostgreSQL that never answers', () => {
  let silent: Server;
  const held = new Set<Socket>();
  let store: Store;
  let dataDir: string;

  beforeAll(async () => {
    silent = createServer((s) => {
      held.add(s);
      s.on('error', () => {}).on('close', () => held.delete(s));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    dataDir = mkdtempSync(join(tmpdir(), 'nashra-silent-'));
    const url = `postgres://nashra@127.0.0.1:${(silent.address() as AddressInfo).port}/nashra`;
    store = openStore({ databaseUrl: url, dataDir });
  });
  afterAll(async () => {
    await store?.close();
    for (const s of held) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After instead of hanging, on pages and on the API, while /healthz stays 200', async () => {
    const config = loadConfig({ NASHRA_DATA_DIR: dataDir });
    const app = await buildApp({ services: createServices(store, config) });
    try {
      const page = await app.inject({ url: '/', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(503);
      expect(page.headers['retry-after']).toBe('5');
      expect(page.body).toContain('الخدمة غير متاحة مؤقتاً');
      const api = await app.inject({ url: '/api/v1/articles', headers: { authorization: `Bearer nsh_${'A'.repeat(43)}` } });
      expect(api.statusCode).toBe(503);
      expect(api.headers['content-type']).toMatch(/problem\+json/);
      // A malformed URL's 404 page needs the database too: it must not become an unhandled rejection.
      const bad = await app.inject({ url: '/section/%', headers: { accept: 'text/html' } });
      expect(bad.statusCode).toBe(503);
      expect((await app.inject('/healthz')).statusCode).toBe(200);
      expect((await app.inject('/readyz')).statusCode).toBe(503);
    } finally {
      await app.close();
    }
  });
});
