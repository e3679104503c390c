import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { addUser, signIn, type Signed } from '../helpers/newsroom.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

/** The newsroom menu shows editor screens (static pages, ingest) to editors only. */
describe.each(storeTargets())('newsroom menu ($name)', (target) => {
  let site: TestSite;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let editor: Signed;
  let writer: Signed;

  beforeAll(async () => {
    site = await openTestSite(target);
    app = await buildApp({ services: site.services });
    const e = await addUser(site.services, 'editor@nashra.test', 'editor');
    const w = await addUser(site.services, 'writer@nashra.test', 'contributor');
    editor = await signIn(app, e.email, e.password);
    writer = await signIn(app, w.email, w.password);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  it('links the static pages screen for an editor and not for a contributor', async () => {
    const forEditor = await app.inject({ url: '/newsroom/articles', headers: { cookie: editor.cookie } });
    expect(forEditor.statusCode).toBe(200);
    expect(forEditor.body).toContain('href="/newsroom/pages"');
    const forWriter = await app.inject({ url: '/newsroom/articles', headers: { cookie: writer.cookie } });
    expect(forWriter.statusCode).toBe(200);
    expect(forWriter.body).not.toContain('href="/newsroom/pages"');
  });
});
