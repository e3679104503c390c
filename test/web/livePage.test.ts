import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveCoverage } from '../../src/domain/live.js';
import type { Actor } from '../../src/domain/user.js';
import type { Services } from '../../src/services/index.js';
import { buildApp } from '../../src/web/app.js';
import { extendCsp } from '../../src/web/security.js';
import { entryHeadline, streamPlayer } from '../../src/web/reader/views/live.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

const PHYSICAL = /(margin|padding|border)-(left|right)|(^|[^-])\b(left|right)\s*:|float:\s*(left|right)|text-align:\s*(left|right)|inset-(left|right)/;
const HLS = 'https://video.example.com/live/main.m3u8';
const YOUTUBE = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';
const originalTz = process.env.TZ;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function jsonLd(html: string): Json {
  const m = /<script type="application\/ld\+json">([^<]*)<\/script>/.exec(html);
  expect(m, 'JSON-LD script').not.toBeNull();
  const head = html.slice(0, html.indexOf('</head>'));
  expect(head).toContain('application/ld+json');
  return JSON.parse(m![1]!) as Json;
}

/** Offsets or Z: what schema.org dates must carry to be unambiguous. */
const ZONED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

describe.each(storeTargets())('live reader pages on $name', (target) => {
  let site: TestSite;
  let s: Services;
  let app: FastifyInstance;
  let editor: Actor;
  let writer: Actor;
  let n = 0;

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
  const page = (c: Pick<LiveCoverage, 'slug'>, query = '') => get(`/live/${encodeURIComponent(c.slug)}${query}`);
  const open = (extra: Record<string, string> = {}) => s.live.createCoverage(editor, { title: `غارات على ريف حلب ${++n}`, ...extra });
  /** Fixed instants, so times can be checked against a known wall clock. */
  const setTimes = async (c: LiveCoverage, startedAt: string) => {
    await s.store.db.updateTable('live_coverages').set({ started_at: startedAt }).where('id', '=', c.id).execute();
  };
  const setEntryTime = (id: number, at: string) => s.store.db.updateTable('live_entries').set({ created_at: at }).where('id', '=', id).execute();
  const entryIdOf = (e: { entryId: number | null }) => e.entryId!;
  const endAll = async () => {
    for (const c of await s.live.listCoverages({ status: 'live', limit: 200 })) await s.live.endCoverage(editor, c.id);
  };

  beforeAll(async () => {
    // Far from the coverages' zones: times must not depend on the server's zone.
    process.env.TZ = 'America/New_York';
    site = await openTestSite(target, { NASHRA_BASE_URL: 'https://nashra.example', NASHRA_SITE_NAME: 'نشرة' });
    s = site.services;
    editor = actorFor(await insertTestUser(s.store, 'editor', 'ليلى المحررة'));
    writer = actorFor(await insertTestUser(s.store, 'contributor', 'سامر المراسل'));
    app = await buildApp({ services: s });
  });
  afterAll(async () => {
    process.env.TZ = originalTz;
    await app?.close();
    await site?.dispose();
  });

  it('/live: a list when none or several run, a short-lived redirect when exactly one does', async () => {
    await endAll();
    const none = await get('/live');
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('<title>التغطية الحية | نشرة</title>');
    expect(none.body).toContain('لا توجد تغطية حية الآن');

    const one = await open();
    const redirect = await get('/live');
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe(`/live/${encodeURIComponent(one.slug)}`);
    expect(redirect.headers['cache-control']).toMatch(/max-age=[0-9]\b/);

    const two = await open();
    const gone = await open();
    await s.live.endCoverage(editor, gone.id);
    const list = await get('/live');
    expect(list.statusCode).toBe(200);
    const html = list.body;
    const [a, b, endedHead, endedItem] = [one.title, two.title, 'تغطيات انتهت مؤخراً', gone.title].map((t) => html.indexOf(t));
    expect(Math.min(a!, b!, endedHead!, endedItem!)).toBeGreaterThan(0);
    expect(b).toBeLessThan(a!); // newest running first
    expect(a).toBeLessThan(endedHead!);
    expect(endedHead).toBeLessThan(endedItem!);
    expect(html.slice(0, endedHead).match(/class="live-badge">مباشر</g)).toHaveLength(2);
    expect(html.slice(endedHead)).not.toContain('مباشر<');
    expect(html.slice(endedHead)).toContain('انتهت:');
    expect(list.headers['cache-control']).toBe('public, max-age=2, stale-while-revalidate=30');
    await endAll();
  });

  it('renders a coverage newest first, pinned above, key events boxed, times in its zone, and pages back', async () => {
    const c = await open({ summary: 'متابعة لحظة بلحظة', timeZone: 'Asia/Beirut', city: 'بيروت' });
    await setTimes(c, '2024-01-15T12:05:00.000Z');
    const ids: number[] = [];
    for (let i = 1; i <= 25; i++) {
      const e = await s.live.postEntry(i === 3 ? writer : editor, c.id, { text: `المدخل رقم ${i}. تفاصيل إضافية`, keyEvent: i === 3 || i === 24, pinned: i === 2 });
      ids.push(entryIdOf(e));
    }
    await setEntryTime(ids[0]!, '2024-01-15T12:10:00.000Z');
    await setEntryTime(ids[24]!, '2024-01-15T22:30:00.000Z');
    const fresh = (await s.live.getCoverage(c.id))!;

    const res = await page(c);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.body;
    expect(html).toContain(`<h1>${c.title}</h1>`);
    expect(html).toContain('<p class="live-summary">متابعة لحظة بلحظة</p>');
    expect(html).toContain('<span class="live-badge">مباشر</span>');
    expect(html).not.toContain('انتهت التغطية');
    // 12:05 UTC is 14:05 in Beirut in January, whatever TZ the server runs in.
    expect(html).toContain('بدأت التغطية: <time datetime="2024-01-15T12:05:00Z">2024.01.15 | 14:05 بيروت</time>');
    expect(html).toMatch(/id="entry-\d+"[^]*?<time datetime="2024-01-15T22:30:00Z">2024.01.16 \| 00:30<\/time>/);

    const stream = /<section class="live-stream"[^>]*>/.exec(html)![0];
    expect(stream).toContain('data-status="live"');
    expect(stream).toContain(`data-last-event-id="${fresh.lastEventId}"`);
    expect(stream).toContain(`data-events-url="/live/${c.id}/events"`);
    expect(stream).toContain(`data-updates-url="/live/${c.id}/updates"`);
    expect(html).toMatch(/<script src="\/assets\/live\.js\?v=[\w-]+" defer><\/script>/);

    // The pinned entry (2) tops the stream once; then 25, 24 … newest first, 20 to a page.
    const order = [...html.matchAll(/<article class="live-entry[^"]*" id="entry-(\d+)"/g)].map((m) => Number(m[1]));
    expect(order[0]).toBe(ids[1]);
    expect(order.filter((id) => id === ids[1])).toHaveLength(1);
    expect(order.slice(1)).toEqual([...ids].reverse().filter((id) => id !== ids[1]).slice(0, order.length - 1));
    expect(html.indexOf('class="live-pinned"')).toBeLessThan(html.indexOf('class="live-entries"'));
    expect(html).toContain('<span class="live-pin">مثبّت</span>');
    expect(html).toContain('<span class="live-authors">ليلى المحررة</span>');

    // Key events: 24 (on this page) links to its anchor, 3 (on an older page) to the page that starts with it.
    const box = /<nav class="live-key-events"[^]*?<\/nav>/.exec(html)![0];
    expect(box).toContain('أبرز الأحداث');
    expect(box).toContain(`href="#entry-${ids[23]}"`);
    expect(box).toContain(`href="/live/${encodeURIComponent(c.slug)}?before=${ids[2]! + 1}#entry-${ids[2]}"`);
    expect(box).toContain('المدخل رقم 24.');
    expect(box.indexOf(`entry-${ids[23]}`)).toBeLessThan(box.indexOf(`entry-${ids[2]}`));

    const older = /<a class="older" href="([^"]+)" rel="next">أقدم<\/a>/.exec(html);
    expect(older).not.toBeNull();
    const second = await get(older![1]!.replace(/&amp;/g, '&'));
    expect(second.statusCode).toBe(200);
    const olderIds = [...second.body.matchAll(/<article class="live-entry[^"]*" id="entry-(\d+)"/g)].map((m) => Number(m[1]));
    expect(new Set([...order, ...olderIds])).toEqual(new Set(ids));
    expect(olderIds).toEqual([...olderIds].sort((x, y) => y - x));
    expect(Math.max(...olderIds)).toBeLessThan(Math.min(...order.slice(1)));
    expect(second.body).toContain(`<a href="/live/${encodeURIComponent(c.slug)}">الأحدث</a>`);
    expect(second.body).toContain('<span class="live-authors">سامر المراسل</span>');
    expect(second.body).not.toContain('data-events-url');
    expect(second.body).not.toContain('live.js');
    expect(second.body).not.toContain('application/ld+json');
    expect(second.body).toContain(`<link rel="canonical" href="https://nashra.example/live/${encodeURIComponent(c.slug)}?before=`);
    expect(second.headers['cache-control']).toBe('public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400');
    // Jumping to the key event's page works without JavaScript: the entry is there.
    expect((await page(c, `?before=${ids[2]! + 1}`)).body).toContain(`id="entry-${ids[2]}"`);
  });

  it('answers unknown coverages and malformed paging with the Arabic 404, and redirects the id form', async () => {
    const c = await open();
    await s.live.postEntry(editor, c.id, { text: 'مدخل وحيد' });
    for (const url of [
      `/live/${encodeURIComponent('لا-توجد-تغطية')}`,
      '/live/999999',
      `/live/${encodeURIComponent(c.slug)}?before=abc`,
      `/live/${encodeURIComponent(c.slug)}?before=0`,
      `/live/${encodeURIComponent(c.slug)}?before=-5`,
      `/live/${encodeURIComponent(c.slug)}?before=99999999999`,
      `/live/${encodeURIComponent(c.slug)}?before=1&before=2`,
      `/live/${encodeURIComponent(c.slug)}?before=1`, // nothing older than the first entry
      `/live/${'ب'.repeat(400)}`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.body, url).toContain('الصفحة غير موجودة');
    }
    const byId = await get(`/live/${c.id}`);
    expect(byId.statusCode).toBe(301);
    expect(byId.headers.location).toBe(`/live/${encodeURIComponent(c.slug)}`);
    expect(byId.headers['cache-control']).toBe('public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400');
  });

  it('caches briefly with an ETag that changes with every event', async () => {
    const c = await open();
    const first = await page(c);
    expect(first.headers['cache-control']).toBe('public, max-age=2, stale-while-revalidate=30');
    expect(first.body).toContain('لم تُنشر مدخلات بعد');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"/);
    expect((await page(c)).headers.etag).toBe(etag);
    expect((await get(`/live/${encodeURIComponent(c.slug)}`, { 'if-none-match': etag })).statusCode).toBe(304);
    const e = await s.live.postEntry(editor, c.id, { text: 'خبر عاجل' });
    const after = await get(`/live/${encodeURIComponent(c.slug)}`, { 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    expect(after.body).toContain(`id="entry-${e.entryId}"`);
    expect(after.body).not.toContain('لم تُنشر مدخلات بعد');
    expect(after.body).toContain(`data-last-event-id="1"`);
    // Edits and deletions show at once too.
    await s.live.editEntry(editor, c.id, e.entryId!, { text: 'خبر عاجل مصحح' });
    expect((await page(c)).body).toContain('خبر عاجل مصحح');
    await s.live.deleteEntry(editor, c.id, e.entryId!);
    expect((await page(c)).body).not.toContain(`id="entry-${e.entryId}"`);
  });

  it('shows an ended coverage with its end time, no live badge and no stream script', async () => {
    const c = await open({ timeZone: 'Asia/Damascus', city: 'دمشق' });
    await s.live.postEntry(editor, c.id, { text: 'آخر ما جرى' });
    await s.live.endCoverage(editor, c.id);
    await s.store.db.updateTable('live_coverages').set({ ended_at: '2024-07-01T18:45:00.000Z' }).where('id', '=', c.id).execute();
    const res = await page(c);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<span class="live-ended">انتهت التغطية <time datetime="2024-07-01T18:45:00Z">2024.07.01 | 21:45 دمشق</time></span>');
    expect(res.body).not.toContain('class="live-badge"');
    expect(res.body).toContain('data-status="ended"');
    expect(res.body).not.toContain('data-events-url');
    expect(res.body).not.toContain('live.js');
    expect(res.headers['cache-control']).toBe('public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400');
  });

  it('escapes entry text in the page and in the JSON-LD', async () => {
    const c = await s.live.createCoverage(editor, { title: 'عنوان </script><script>alert(1)</script>', summary: '<img src=x onerror=alert(1)>' });
    await s.live.postEntry(editor, c.id, { text: '</script><script>alert(2)</script> نص' });
    const html = (await page(c)).body;
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    const data = jsonLd(html);
    expect(data.headline).toBe('عنوان </script><script>alert(1)</script>');
    expect(data.liveBlogUpdate[0].articleBody).toBe('</script><script>alert(2)</script> نص');
  });

  describe('JSON-LD', () => {
    it('describes a running coverage without a stream', async () => {
      const c = await open({ summary: 'ملخص التغطية', timeZone: 'Asia/Beirut' });
      for (let i = 1; i <= 12; i++) await s.live.postEntry(i % 2 ? editor : writer, c.id, { text: `تحديث ${i}. ${'كلام '.repeat(i)}` });
      const data = jsonLd((await page(c)).body);
      const url = `https://nashra.example/live/${encodeURIComponent(c.slug)}`;
      expect(data['@context']).toBe('https://schema.org');
      expect(data['@type']).toBe('LiveBlogPosting');
      expect(data.url).toBe(url);
      expect(data.headline).toBe(c.title);
      expect(data.description).toBe('ملخص التغطية');
      expect(data.image).toBe('https://nashra.example/og-default.png');
      expect(data.publisher).toEqual({ '@type': 'Organization', name: 'نشرة', url: 'https://nashra.example', logo: { '@type': 'ImageObject', url: 'https://nashra.example/logo.png', width: 600, height: 60 } });
      expect(data.datePublished).toMatch(ZONED);
      expect(data.coverageStartTime).toBe(data.datePublished);
      expect(data.coverageEndTime).toBeUndefined();
      expect(data.video).toBeUndefined();
      expect(data.liveBlogUpdate).toHaveLength(10);
      const [latest] = data.liveBlogUpdate;
      expect(latest['@type']).toBe('BlogPosting');
      expect(latest.headline).toBe('تحديث 12.');
      expect(latest.articleBody).toBe(`تحديث 12. ${'كلام '.repeat(12).trim()}`);
      expect(latest.datePublished).toMatch(ZONED);
      expect(latest.author).toEqual([{ '@type': 'Person', name: 'سامر المراسل' }]);
      expect(latest.url).toMatch(new RegExp(`^${url.replace(/[.?]/g, '\\$&')}#entry-\\d+$`));
      const published = data.liveBlogUpdate.map((u: Json) => u.datePublished);
      expect(published).toEqual([...published].sort().reverse());
    });

    it('adds a live VideoObject for an HLS stream, and end times once ended', async () => {
      const c = await open({ streamUrl: HLS, summary: 'بث مباشر' });
      await s.live.postEntry(editor, c.id, { text: 'بدأ البث' });
      let data = jsonLd((await page(c)).body);
      expect(data.video).toMatchObject({
        '@type': 'VideoObject',
        name: c.title,
        description: 'بث مباشر',
        contentUrl: HLS,
        thumbnailUrl: expect.stringMatching(/^https:\/\//),
        uploadDate: expect.stringMatching(ZONED),
        publication: { '@type': 'BroadcastEvent', isLiveBroadcast: true, startDate: expect.stringMatching(ZONED) },
      });
      expect(data.video.publication.endDate).toBeUndefined();
      await s.live.endCoverage(editor, c.id);
      data = jsonLd((await page(c)).body);
      expect(data.coverageEndTime).toMatch(ZONED);
      expect(data.video.publication.endDate).toBe(data.coverageEndTime);
      expect(data.video.publication.isLiveBroadcast).toBe(true);
    });

    it('embeds a YouTube stream by its privacy-enhanced player URL', async () => {
      const c = await open({ streamUrl: YOUTUBE });
      const data = jsonLd((await page(c)).body);
      expect(data.video.embedUrl).toBe('https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ');
      expect(data.video.thumbnailUrl).toBe('https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg');
      expect(data.video.publication.isLiveBroadcast).toBe(true);
    });
  });

  describe('video and CSP', () => {
    it('keeps the site policy and renders no player when there is no stream', async () => {
      const base = String((await get('/')).headers['content-security-policy']);
      const res = await page(await open());
      expect(res.headers['content-security-policy']).toBe(base);
      expect(res.body).not.toMatch(/<video|<iframe|hls\.js/);
    });

    it('plays HLS in a <video> and lets the page fetch that origin, blob: media included', async () => {
      const c = await open({ streamUrl: HLS });
      const res = await page(c);
      expect(res.body).toMatch(/<video controls playsinline preload="none" data-hls="https:\/\/video\.example\.com\/live\/main\.m3u8" data-hls-script="\/assets\/hls\.js\?v=[\w-]+"/);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toMatch(/media-src 'self' https:\/\/video\.example\.com blob:(;|$)/);
      expect(csp).toMatch(/connect-src 'self' https:\/\/video\.example\.com(;|$)/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toContain('frame-src');
      const hls = await get(/data-hls-script="([^"]+)"/.exec(res.body)![1]!);
      expect(hls.statusCode).toBe(200);
      expect(hls.headers['content-type']).toMatch(/^text\/javascript/);
      expect(hls.body).not.toContain('sourceMappingURL');
    });

    it('embeds YouTube from youtube-nocookie.com and lets the page frame only that', async () => {
      const c = await open({ streamUrl: 'https://youtu.be/dQw4w9WgXcQ' });
      const res = await page(c);
      const iframe = /<iframe[^>]*>/.exec(res.body)![0];
      expect(iframe).toContain('src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"');
      expect(iframe).toContain('title="البث المباشر: ');
      expect(iframe).toContain('loading="lazy"');
      expect(iframe).toMatch(/allow="[^"]*"/);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toMatch(/frame-src 'self' https:\/\/www\.youtube-nocookie\.com(;|$)/);
      expect(csp).toMatch(/media-src 'self'(;|$)/);
    });
  });
});

describe('live page helpers', () => {
  it('extends a policy per directive without repeating sources', () => {
    const p = "default-src 'self';media-src 'self';frame-ancestors 'self'";
    expect(extendCsp(p, { 'media-src': ['https://a.example', 'blob:'], 'frame-src': ['https://b.example'] })).toBe(
      "default-src 'self';media-src 'self' https://a.example blob:;frame-ancestors 'self';frame-src 'self' https://b.example",
    );
    expect(extendCsp(p, { 'media-src': ["'self'"] })).toBe(p);
  });

  it('reads every accepted stream form', () => {
    for (const url of [YOUTUBE, 'https://youtu.be/dQw4w9WgXcQ', 'https://www.youtube.com/live/dQw4w9WgXcQ', 'https://m.youtube.com/shorts/dQw4w9WgXcQ']) {
      expect(streamPlayer(url), url).toMatchObject({ kind: 'youtube', id: 'dQw4w9WgXcQ' });
    }
    expect(streamPlayer(HLS)).toEqual({ kind: 'hls', url: HLS, origin: 'https://video.example.com' });
    expect(streamPlayer(null)).toBeNull();
    expect(streamPlayer('https://example.com/x.mp4')).toBeNull();
  });

  it('titles an entry by its first sentence or 80 characters', () => {
    const para = (text: string) => ({ blocks: [{ type: 'paragraph' as const, spans: [{ text }] }] });
    expect(entryHeadline(para('انفجار في المرفأ. التفاصيل لاحقاً'))).toBe('انفجار في المرفأ.');
    expect(entryHeadline(para('هل انتهى القصف؟ لا أحد يعرف'))).toBe('هل انتهى القصف؟');
    const long = entryHeadline(para('كلمة '.repeat(40)));
    expect(long.length).toBeLessThanOrEqual(81);
    expect(long.endsWith('…')).toBe(true);
  });

  it('keeps the live styles to logical properties', () => {
    const css = readFileSync(new URL('../../src/web/assets/site.css', import.meta.url), 'utf8');
    expect(css).not.toMatch(PHYSICAL);
    for (const cls of ['.live-badge', '.live-key-events', '.live-entry', '.live-new', '.live-new-bar']) expect(css).toContain(cls);
  });
});
