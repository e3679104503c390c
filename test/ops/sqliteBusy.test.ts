import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { addUser } from '../helpers/newsroom.js';
import { openTestSite, type TestSite } from '../helpers/services.js';
import { article } from './outageHelpers.js';

/**
 * SQLite's outage: another process (a CLI import, a backup tool) holds the write lock past
 * busy_timeout (5 s, src/store/db.ts). The write that waited gets a 503 with Retry-After, not a
 * 500; readers go on meanwhile (WAL), and the same write succeeds once the lock is let go.
 */
describe('SQLite locked by another process', () => {
  let site: TestSite;
  let app: FastifyInstance;
  let token: string;
  let other: SQLite.Database;

  beforeAll(async () => {
    site = await openTestSite();
    app = await buildApp({ services: site.services });
    const { user } = await addUser(site.services, 'editor@example.org', 'editor');
    token = (await site.services.accounts.createToken(user.id, { name: 'busy test', scope: 'write' })).token;
    other = new SQLite(join(site.config.dataDir, 'nashra.db'));
  });
  afterAll(async () => {
    other?.close();
    await app?.close();
    await site?.dispose();
  });

  const create = (headline: string) =>
    app.inject({ method: 'POST', url: '/api/v1/articles', headers: { authorization: `Bearer ${token}` }, payload: article(headline) });

  it('answers a write 503 with Retry-After while the lock is held, and serves it after', async () => {
    expect((await create('قبل القفل')).statusCode).toBe(201);
    other.exec('begin immediate');
    try {
      const refused = await create('أثناء القفل');
      expect(refused.statusCode, refused.body).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
      // Readers are not held up by a writer.
      expect((await app.inject('/')).statusCode).toBe(200);
    } finally {
      other.exec('rollback');
    }
    expect((await create('بعد القفل')).statusCode).toBe(201);
    const list = (await app.inject({ url: '/api/v1/articles', headers: { authorization: `Bearer ${token}` } })).json() as { items: { headline: string }[] };
    expect(list.items.map((a) => a.headline).sort()).toEqual(['بعد القفل', 'قبل القفل'].sort());
  }, 60_000);
});
