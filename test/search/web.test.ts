import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPageFile } from '../../src/ingest/page/importPage.js';
import { buildApp } from '../../src/web/app.js';
import { SEED_PATH, hasSeed, openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

describe.each(storeTargets())('search page and API on $name', (target) => {
  let site: TestSite;
  let app: FastifyInstance;
  let id: number;
  const get = (url: string) => app.inject({ method: 'GET', url });

  beforeAll(async () => {
    site = await openTestSite(target);
    app = await buildApp({ services: site.services });
    const a = await site.services.articles.create({
      headline: 'وزير الخارجية يزور إيران',
      summary: 'زيارة رسمية تستمر يومين.',
      body: [{ type: 'paragraph', spans: [{ text: 'وصل وزير الخارجية إلى طهران في أول زيارة إلى إيران منذ سنوات.' }] }],
      section: 'سياسة',
      tags: ['إيران'],
      status: 'published',
      timeZone: 'Asia/Damascus',
      city: 'دمشق',
    });
    id = a.id;
  });
  afterAll(async () => {
    await app.close();
    await site.dispose();
  });

  it('renders an Arabic RTL page with the form, the hit and its highlighted snippet', async () => {
    const res = await get(`/search?q=${encodeURIComponent('ايران')}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('<html lang="ar" dir="rtl">');
    expect(res.body).toMatch(/<form class="search-form" action="\/search" method="get" role="search">/);
    expect(res.body).toContain(`href="/news/${id}/`);
    expect(res.body).toContain('<mark>إيران</mark>');
    expect(res.body).toContain('name="robots" content="noindex"');
    expect(res.headers['content-security-policy']).toBeTruthy();
  });

  it('escapes the query everywhere it is shown', async () => {
    const q = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const res = await get(`/search?q=${encodeURIComponent(q)}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain('&lt;script>');
  });

  it('answers bad input with an Arabic 400 page, and empty queries with a friendly 200', async () => {
    const long = await get(`/search?q=${encodeURIComponent('ا'.repeat(501))}`);
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('dir="rtl"');
    expect(long.body).toContain('عبارة البحث طويلة');
    expect((await get('/search?q=x&page=abc')).statusCode).toBe(400);
    expect((await get('/search?q=x&from=2024-13-01')).statusCode).toBe(400);
    expect((await get('/search?q=x&q=y')).statusCode).toBe(400);
    const empty = await get('/search');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('اكتب كلمة أو أكثر للبحث');
    const stop = await get(`/search?q=${encodeURIComponent('في على')}`);
    expect(stop.body).toContain('كلمات البحث شائعة');
  });

  it('has the search form in every page header', async () => {
    const home = await get('/');
    expect(home.body).toContain('<form class="site-search" action="/search" method="get" role="search">');
  });

  it('answers the API with results, public, without a token', async () => {
    const res = await get(`/api/v1/search?q=${encodeURIComponent('إيران')}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ query: 'إيران', page: 1, hasMore: false });
    expect(body.results).toHaveLength(1);
    const hit = body.results[0];
    expect(Object.keys(hit).sort()).toEqual(['headline', 'id', 'publishedAt', 'section', 'snippet', 'type', 'url']);
    expect(hit).toMatchObject({ id, type: 'article', headline: 'وزير الخارجية يزور إيران' });
    expect(hit.url).toBe(`${site.config.baseUrl}/news/${id}/${encodeURIComponent('وزير-الخارجية-يزور-إيران')}`);
    expect(hit.snippet).toContain('<mark>إيران</mark>');
  });

  it('answers bad API input with a problem document, blank queries with an empty 200', async () => {
    const bad = await get(`/api/v1/search?q=x&type=video`);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.json().detail).toContain('article');
    expect((await get(`/api/v1/search?q=${'a'.repeat(501)}`)).statusCode).toBe(400);
    expect((await get('/api/v1/search')).json()).toMatchObject({ results: [], notice: 'empty' });
  });

  it('documents the endpoint in the OpenAPI document', async () => {
    const doc = (await get('/api/docs')).json();
    expect(doc.paths['/api/v1/search']?.get).toBeTruthy();
  });

  // The acceptance: the imported seed is found by the hamza-less spelling.
  it.runIf(hasSeed())('finds the imported seed article for ايران and marks إيران', async () => {
    const r = await importPageFile(site.services, SEED_PATH, { publish: true });
    const body = (await get(`/api/v1/search?q=${encodeURIComponent('ايران')}`)).json();
    const hit = body.results.find((h: { id: number }) => h.id === r.id);
    expect(hit).toBeTruthy();
    expect(hit.snippet).toContain('<mark>إيران</mark>');
    const page = await get(`/search?q=${encodeURIComponent('ايران')}`);
    expect(page.body).toContain(`/news/${r.id}/`);
  });
});
