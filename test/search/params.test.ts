import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

// Every parameter, not only q, reaches the store: none may turn odd bytes into a 500.
describe.each(storeTargets())('search parameters on $name', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  beforeAll(async () => {
    site = await openTestSite(target);
    app = await buildApp({ services: site.services });
  });
  afterAll(async () => {
    await app.close();
    await site.dispose();
  });

  it('answers odd section, type, date and page values with 200 or 400, never 500', async () => {
    const odd = ['%00', '%ED%A0%80', '%FF', 'x%00y', '%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9', encodeURIComponent('a'.repeat(5000)), '%22%27%3C', '1e3', '-1', '0x10', '%E2%80%AE'];
    const bad: string[] = [];
    for (const name of ['section', 'type', 'from', 'to', 'page']) {
      for (const v of odd) {
        for (const path of ['/search', '/api/v1/search']) {
          const res = await app.inject({ method: 'GET', url: `${path}?q=x&${name}=${v}` });
          if (res.statusCode !== 200 && res.statusCode !== 400) bad.push(`${path} ${name}=${v} → ${res.statusCode}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
