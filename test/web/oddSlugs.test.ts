import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createServices } from '../../src/services/index.js';
import { buildApp } from '../../src/web/app.js';
import { isSlugParam } from '../../src/web/reader/slugParam.js';
import { storeTargets } from '../helpers/services.js';

const ODD = ['%00', 'x%00y', '%01', '%7F', '%ED%A0%80', 'a'.repeat(301)];

describe('isSlugParam', () => {
  it('takes slugs and refuses control characters, lone surrogates and overlong segments', () => {
    expect(isSlugParam('منخفض-جوي')).toBe(true);
    expect(isSlugParam('😀-emoji')).toBe(true);
    for (const bad of ['', '\u0000', 'a\u0007b', '\ud800', 'x\udc00', 'a'.repeat(301)]) expect(isSlugParam(bad), JSON.stringify(bad)).toBe(false);
  });
});

/** PostgreSQL refuses NUL in text: an odd slug must stop at the route as a 404, on both engines. */
describe.each(storeTargets())('odd slugs on $name', (target) => {
  let app: FastifyInstance;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const opened = await target.open();
    dispose = opened.dispose;
    app = await buildApp({ services: createServices(opened.store, loadConfig({ NASHRA_DATA_DIR: opened.dataDir })) });
  });
  afterAll(async () => {
    await app?.close();
    await dispose?.();
  });

  it.each(ODD)('answers 404 for %s as a section, tag or live coverage', async (slug) => {
    for (const url of [`/section/${slug}`, `/tag/${slug}`, `/live/${slug}`, `/live/${slug}/events`, `/live/${slug}/updates?after=0`]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
    }
  });
});
