import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEntry } from '../../src/domain/live.js';
import { buildApp } from '../../src/web/app.js';
import { addUser, signIn, type Signed } from '../helpers/newsroom.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';

type Who = 'contributor' | 'other' | 'editor' | 'reader';

for (const target of storeTargets()) {
  describe(`live API /api/v1/live (${target.name})`, () => {
    let site: TestSite;
    let app: FastifyInstance;
    const tokens = {} as Record<Who, string>;
    let session: Signed;

    beforeAll(async () => {
      site = await openTestSite(target);
      app = await buildApp({ services: site.services });
      for (const [who, role] of [['contributor', 'contributor'], ['other', 'contributor'], ['editor', 'editor']] as const) {
        const u = await addUser(site.services, `${who}@live-api.test`, role);
        tokens[who] = (await site.services.accounts.createToken(u.user.id, { name: 'test', scope: 'write' })).token;
        if (who === 'editor') {
          tokens.reader = (await site.services.accounts.createToken(u.user.id, { name: 'ro', scope: 'read' })).token;
          session = await signIn(app, u.email, u.password);
        }
      }
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await site?.dispose();
    });

    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who?: Who, payload?: unknown) =>
      app.inject({ method, url, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });

    function expectProblem(res: LightMyRequestResponse, status: number, detail?: RegExp) {
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const body = res.json() as { status: number; title: string; detail?: string };
      expect(body).toMatchObject({ status, title: expect.any(String) });
      if (detail) expect(body.detail).toMatch(detail);
    }

    async function newCoverage(title = 'تغطية مباشرة لاختبار الواجهة') {
      const res = await call('POST', '/api/v1/live', 'editor', { title, summary: 'ملخص', city: 'حلب', timeZone: 'Asia/Damascus' });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { id: number; slug: string; url: string };
    }

    it('opens a coverage for an editor: 201, Location, id, slug and the reader URL', async () => {
      const res = await call('POST', '/api/v1/live', 'editor', { title: 'انفجار في المرفأ', streamUrl: 'https://cdn.example.org/live/main.m3u8' });
      expect(res.statusCode, res.body).toBe(201);
      const c = res.json() as { id: number; slug: string; url: string };
      expect(res.headers.location).toBe(`/api/v1/live/${c.id}`);
      expect(c.slug).toBe('انفجار-في-المرفأ');
      expect(c.url).toBe(`${site.config.baseUrl}/live/${encodeURIComponent(c.slug)}`);

      const got = (await call('GET', `/api/v1/live/${c.id}`, 'contributor')).json() as { coverage: Record<string, unknown>; entries: unknown[]; olderBefore: null };
      expect(got.coverage).toMatchObject({ id: c.id, status: 'live', lastEventId: 0, streamUrl: 'https://cdn.example.org/live/main.m3u8', url: c.url });
      expect(got.entries).toEqual([]);
      const list = (await call('GET', '/api/v1/live?status=live', 'contributor')).json() as { items: { id: number }[] };
      expect(list.items.map((i) => i.id)).toContain(c.id);
    });

    it('posts entries as text, blocks or console markup, with consecutive event ids', async () => {
      const c = await newCoverage();
      const a = await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { text: 'وصول فرق الإنقاذ.', keyEvent: true });
      expect(a.statusCode, a.body).toBe(201);
      const first = a.json() as { id: number; eventId: number; entry: LiveEntry };
      expect(first).toMatchObject({ eventId: 1, entry: { id: first.id, keyEvent: true, pinned: false, blocks: [{ type: 'paragraph', spans: [{ text: 'وصول فرق الإنقاذ.' }] }] } });

      const b = await call('POST', `/api/v1/live/${c.id}/entries`, 'editor', { blocks: [{ type: 'subheading', text: 'تحديث' }], pinned: true });
      expect(b.json()).toMatchObject({ eventId: 2, entry: { pinned: true } });

      const markup = '> لن نغادر\n— المتحدث\n\nhttps://www.youtube.com/watch?v=abcdefghijk\n\nفقرة **مهمة**';
      const m = await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { markup });
      expect(m.statusCode, m.body).toBe(201);
      expect((m.json() as { eventId: number; entry: LiveEntry }).entry.blocks).toEqual([
        { type: 'quote', spans: [{ text: 'لن نغادر' }], speaker: 'المتحدث' },
        { type: 'embed', url: 'https://www.youtube.com/watch?v=abcdefghijk', provider: 'youtube' },
        { type: 'paragraph', spans: [{ text: 'فقرة ' }, { text: 'مهمة', bold: true }] },
      ]);
      expect((m.json() as { eventId: number }).eventId).toBe(3);

      const got = (await call('GET', `/api/v1/live/${c.id}?limit=2`, 'contributor')).json() as { coverage: { lastEventId: number }; entries: { id: number }[]; olderBefore: number };
      expect(got.coverage.lastEventId).toBe(3);
      expect(got.entries).toHaveLength(2);
      expect(got.olderBefore).toBe(got.entries[1]!.id);
    });

    it('edits with blocks or text, changes only flags otherwise, and deletes with the event id', async () => {
      const c = await newCoverage();
      const { id } = (await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { text: 'خبر أول' })).json() as { id: number };
      const flagged = await call('PATCH', `/api/v1/live/${c.id}/entries/${id}`, 'contributor', { keyEvent: true });
      expect(flagged.statusCode, flagged.body).toBe(200);
      expect(flagged.json()).toMatchObject({ id, eventId: 2, entry: { keyEvent: true, editedAt: null } });

      const edited = await call('PATCH', `/api/v1/live/${c.id}/entries/${id}`, 'contributor', { text: 'خبر مصحح' });
      expect(edited.json()).toMatchObject({ id, eventId: 3, entry: { keyEvent: true, editedAt: expect.any(String), blocks: [{ spans: [{ text: 'خبر مصحح' }] }] } });
      const pinned = await call('PATCH', `/api/v1/live/${c.id}/entries/${id}`, 'editor', { pinned: true });
      expect(pinned.json()).toMatchObject({ eventId: 4, entry: { pinned: true } });

      const del = await call('DELETE', `/api/v1/live/${c.id}/entries/${id}`, 'contributor');
      expect(del.statusCode).toBe(200);
      expect(del.json()).toEqual({ eventId: 5 });
      expectProblem(await call('DELETE', `/api/v1/live/${c.id}/entries/${id}`, 'contributor'), 404);
      expect(((await call('GET', `/api/v1/live/${c.id}`, 'contributor')).json() as { entries: unknown[] }).entries).toEqual([]);
    });

    it('ends a coverage, then refuses every change with 409', async () => {
      const c = await newCoverage();
      const { id } = (await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { text: 'قبل النهاية' })).json() as { id: number };
      const end = await call('POST', `/api/v1/live/${c.id}/end`, 'editor');
      expect(end.statusCode).toBe(200);
      expect(end.json()).toEqual({ eventId: 2, endedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
      expectProblem(await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { text: 'بعد النهاية' }), 409);
      expectProblem(await call('PATCH', `/api/v1/live/${c.id}/entries/${id}`, 'contributor', { text: 'تعديل' }), 409);
      expectProblem(await call('DELETE', `/api/v1/live/${c.id}/entries/${id}`, 'contributor'), 409);
      expectProblem(await call('POST', `/api/v1/live/${c.id}/end`, 'editor'), 409);
      expect(((await call('GET', `/api/v1/live/${c.id}`, 'contributor')).json() as { coverage: { status: string } }).coverage.status).toBe('ended');
    });

    it('answers oversized entries with 413 and a reason, before anything is written', async () => {
      const c = await newCoverage();
      expectProblem(await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { text: 'ب'.repeat(20_001) }), 413, /20000/);
      const blocks = Array.from({ length: 31 }, () => ({ type: 'paragraph', spans: [{ text: 'فقرة' }] }));
      expectProblem(await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { blocks }), 413, /30/);
      expectProblem(await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { markup: 'ف\n\n'.repeat(31) }), 413, /30/);
      const { id } = (await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { text: 'قصير' })).json() as { id: number; eventId: number };
      expectProblem(await call('PATCH', `/api/v1/live/${c.id}/entries/${id}`, 'contributor', { text: 'ب'.repeat(20_001) }), 413);
      // Exactly at the limit is accepted.
      expect((await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { text: 'ب'.repeat(20_000) })).statusCode).toBe(201);
      expect(((await call('GET', `/api/v1/live/${c.id}`, 'contributor')).json() as { coverage: { lastEventId: number } }).coverage.lastEventId).toBe(2);
    });

    it('turns bad input into 400 and unknown records into 404 problems', async () => {
      const c = await newCoverage();
      const raw = (url: string, payload: string) =>
        app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${tokens.contributor}`, 'content-type': 'application/json' }, payload });
      expectProblem(await raw(`/api/v1/live/${c.id}/entries`, '{"text":'), 400);
      expectProblem(await raw(`/api/v1/live/${c.id}/entries`, '[1,2]'), 400);
      expectProblem(await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { text: '   ' }), 400);
      expectProblem(await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { text: 'نص', blocks: [] }), 400);
      expectProblem(await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { markup: 42 }), 400);
      expectProblem(await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { blocks: [{ type: 'image', mediaId: 999999 }] }), 400);
      expectProblem(await call('POST', '/api/v1/live', 'editor', { title: '' }), 400);
      expectProblem(await call('POST', '/api/v1/live', 'editor', { title: 'بث', streamUrl: 'https://example.org/page.html' }), 400);
      expectProblem(await call('POST', '/api/v1/live', 'editor', { title: 'بث', timeZone: 'Mars/Olympus' }), 400);
      expectProblem(await call('GET', '/api/v1/live?status=paused', 'editor'), 400);
      expectProblem(await call('GET', '/api/v1/live/abc', 'editor'), 400);
      expectProblem(await call('GET', '/api/v1/live/999999', 'editor'), 404);
      expectProblem(await call('POST', '/api/v1/live/999999/entries', 'contributor', { text: 'نص' }), 404);
      expectProblem(await call('PATCH', `/api/v1/live/${c.id}/entries/999999`, 'contributor', { text: 'نص' }), 404);
      expectProblem(await call('DELETE', `/api/v1/live/${c.id}/entries/999999`, 'contributor'), 404);
      expectProblem(await call('POST', '/api/v1/live/999999/end', 'editor'), 404);
      // An entry of another coverage is not found through this one.
      const other = await newCoverage('تغطية أخرى');
      const { id } = (await call('POST', `/api/v1/live/${other.id}/entries`, 'contributor', { text: 'هناك' })).json() as { id: number };
      expectProblem(await call('PATCH', `/api/v1/live/${c.id}/entries/${id}`, 'contributor', { text: 'هنا' }), 404);
    });

    it('checks roles on the server: contributors post, editors open, end and pin', async () => {
      const c = await newCoverage();
      expectProblem(await call('POST', '/api/v1/live', 'contributor', { title: 'تغطية كاتب' }), 403);
      expectProblem(await call('POST', `/api/v1/live/${c.id}/end`, 'contributor'), 403);
      expectProblem(await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { text: 'مثبت؟', pinned: true }), 403);
      const { id } = (await call('POST', `/api/v1/live/${c.id}/entries`, 'contributor', { text: 'لي' })).json() as { id: number };
      expectProblem(await call('PATCH', `/api/v1/live/${c.id}/entries/${id}`, 'contributor', { pinned: true }), 403);
      // Another contributor may neither correct, flag nor delete it; an editor may.
      expectProblem(await call('PATCH', `/api/v1/live/${c.id}/entries/${id}`, 'other', { text: 'ليس لي' }), 403);
      expectProblem(await call('PATCH', `/api/v1/live/${c.id}/entries/${id}`, 'other', { keyEvent: true }), 403);
      expectProblem(await call('DELETE', `/api/v1/live/${c.id}/entries/${id}`, 'other'), 403);
      expect((await call('PATCH', `/api/v1/live/${c.id}/entries/${id}`, 'editor', { text: 'صححه المحرر' })).statusCode).toBe(200);
      // Anonymous: 401 everywhere; a read-only token reads but does not write.
      for (const [method, url] of [['GET', '/api/v1/live'], ['POST', '/api/v1/live'], ['GET', `/api/v1/live/${c.id}`], ['POST', `/api/v1/live/${c.id}/entries`], ['DELETE', `/api/v1/live/${c.id}/entries/${id}`]] as const) {
        expectProblem(await call(method, url, undefined, method === 'GET' || method === 'DELETE' ? undefined : { text: 'x' }), 401);
      }
      expect((await call('GET', `/api/v1/live/${c.id}`, 'reader')).statusCode).toBe(200);
      expectProblem(await call('POST', `/api/v1/live/${c.id}/entries`, 'reader', { text: 'x' }), 403);
    });

    it('takes the newsroom session only with its CSRF header', async () => {
      const c = await newCoverage();
      const post = (headers: Record<string, string>) =>
        app.inject({ method: 'POST', url: `/api/v1/live/${c.id}/entries`, headers: { cookie: session.cookie, ...headers }, payload: { text: 'من الجلسة' } });
      expectProblem(await post({}), 403);
      expectProblem(await post({ 'x-csrf-token': 'not-the-token' }), 403);
      const ok = await post({ 'x-csrf-token': session.csrf });
      expect(ok.statusCode, ok.body).toBe(201);
      expect((await app.inject({ url: `/api/v1/live/${c.id}`, headers: { cookie: session.cookie } })).statusCode).toBe(200);
    });

    it('documents the routes in the OpenAPI document', async () => {
      const doc = (await app.inject('/api/docs')).json() as { paths: Record<string, Record<string, unknown>> };
      expect(Object.keys(doc.paths['/api/v1/live/{id}/entries/{entryId}'] ?? {}).sort()).toEqual(['delete', 'patch']);
      expect(Object.keys(doc.paths['/api/v1/live'] ?? {}).sort()).toEqual(['get', 'post']);
      expect(doc.paths['/api/v1/live/{id}/end']).toHaveProperty('post');
    });
  });
}
