import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

/** Every reader page gets the same Site (siteOf), so the footer lists the published static pages everywhere. */
describe.each(storeTargets())('footer links to static pages on every reader page ($name)', (target) => {
  let site: TestSite;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let liveSlug: string;
  const link = `href="/page/${encodeURIComponent('من-نحن')}"`;
  const draftLink = `href="/page/${encodeURIComponent('مسودة-الصفحة')}"`;

  beforeAll(async () => {
    site = await openTestSite(target);
    const s = site.services;
    await s.pages.create({ title: 'من نحن', status: 'published', body: [{ type: 'paragraph', spans: [{ text: 'نحن فريق.' }] }] });
    await s.pages.create({ title: 'مسودة الصفحة', status: 'draft', body: [{ type: 'paragraph', spans: [{ text: 'لم تنشر.' }] }] });
    const editor = actorFor(await insertTestUser(s.store, 'editor', 'ليلى المحررة'));
    liveSlug = (await s.live.createCoverage(editor, { title: 'تغطية مباشرة للانتخابات' })).slug;
    // Two running: with one, /live redirects to it.
    await s.live.createCoverage(editor, { title: 'تغطية مباشرة ثانية' });
    app = await buildApp({ services: s });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  it.each([
    ['the live list', () => '/live'],
    ['a live coverage', () => `/live/${encodeURIComponent(liveSlug)}`],
    ['search results', () => `/search?q=${encodeURIComponent('انتخابات')}`],
    ['the home page', () => '/'],
  ])('%s lists the published page and not the draft', async (_what, url) => {
    const res = await app.inject(url());
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(link);
    expect(res.body).not.toContain(draftLink);
  });

  it('a refused search (400) keeps the footer too', async () => {
    const res = await app.inject(`/search?q=x&from=not-a-date`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(link);
  });
});
