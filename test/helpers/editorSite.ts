import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, expect } from 'vitest';
import type { User } from '../../src/domain/user.js';
import { buildApp } from '../../src/web/app.js';
import { addUser, FORM, form, signIn, type Signed } from './newsroom.js';
import { openTestSite, type TestSite } from './services.js';
import { actorFor } from './users.js';

/** A site with an editor and two writers signed in, for the article editor's inject tests. */
export interface EditorSite {
  site: TestSite;
  app: FastifyInstance;
  editor: Signed;
  writer: Signed;
  otherWriter: Signed;
  editorUser: User;
  png: Buffer;
  get(url: string, who?: Signed): Promise<LightMyRequestResponse>;
  post(url: string, fields: Record<string, string> | [string, string][], who?: Signed): Promise<LightMyRequestResponse>;
  /** Creates an article through the form; its id. */
  create(fields?: Record<string, string>, who?: Signed): Promise<number>;
  editorActor(): ReturnType<typeof actorFor>;
}

export const minimal = { headline: 'خبر قصير', 'blocks[0][type]': 'paragraph', 'blocks[0][text]': 'فقرة أولى.' };
export const idFrom = (location: unknown) => Number(/\/newsroom\/articles\/(\d+)\//.exec(String(location))![1]);

/** Registers the hooks; the returned object is filled in `beforeAll`. */
export function useEditorSite(): EditorSite {
  const t = {} as EditorSite;
  const originalTz = process.env.TZ;
  beforeAll(async () => {
    // Far from every zone in these tests: conversions must not lean on the server's zone.
    process.env.TZ = 'America/Los_Angeles';
    t.site = await openTestSite();
    t.app = await buildApp({ services: t.site.services });
    const users = await Promise.all([
      addUser(t.site.services, 'editor@nashra.test', 'editor'),
      addUser(t.site.services, 'writer@nashra.test', 'contributor'),
      addUser(t.site.services, 'other@nashra.test', 'contributor'),
    ]);
    t.editorUser = users[0].user;
    t.editor = await signIn(t.app, users[0].email, users[0].password);
    t.writer = await signIn(t.app, users[1].email, users[1].password);
    t.otherWriter = await signIn(t.app, users[2].email, users[2].password);
    t.png = await sharp({ create: { width: 800, height: 450, channels: 3, background: '#246' } }).png().toBuffer();
  });
  afterAll(async () => {
    process.env.TZ = originalTz;
    await t.app?.close();
    await t.site?.dispose();
  });
  t.get = (url, who = t.editor) => t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
  t.post = (url, fields, who = t.editor) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie, ...FORM },
      payload: form({ _csrf: who.csrf, ...Object.fromEntries(Array.isArray(fields) ? fields : Object.entries(fields)) }),
    });
  t.create = async (fields = minimal, who = t.editor) => {
    const res = await t.post('/newsroom/articles', fields, who);
    expect(res.statusCode, res.body.slice(0, 400)).toBe(303);
    return idFrom(res.headers.location);
  };
  t.editorActor = () => actorFor(t.editorUser);
  return t;
}
