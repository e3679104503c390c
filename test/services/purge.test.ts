import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleInput } from '../../src/domain/article.js';
import type { Actor } from '../../src/domain/user.js';
import { CdnPurger, startCdnPurger, type PurgeLogger, type PurgeOptions } from '../../src/services/purge.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { startPurgeReceiver, type Answer } from '../helpers/purgeReceiver.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

const input: ArticleInput = {
  headline: 'اتفاق على تبادل الأسرى',
  body: [{ type: 'paragraph', spans: [{ text: 'أعلن الوسطاء اتفاقاً جديداً.' }] }],
  section: 'سياسة',
  tags: ['الأسرى', 'مفاوضات'],
  authors: ['سلمى الأحمد'],
  publishedAt: '2021-06-28T14:39:00Z',
  timeZone: 'Asia/Beirut',
  city: 'بيروت',
};

/** Every log line, to check what was logged (and that the token never was). */
function recordingLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  const logger: PurgeLogger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

const FAST: Partial<PurgeOptions> = { baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 5 };

describe.each(storeTargets())('CDN purges ($name)', (target) => {
  let site: TestSite;
  let editor: Actor;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    site = await openTestSite(target);
    editor = actorFor(await insertTestUser(site.services.store, 'editor'));
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await site.dispose();
  });

  async function setUp(answer?: (n: number) => Answer, options: Partial<PurgeOptions> = {}) {
    const receiver = await startPurgeReceiver(answer);
    const log = recordingLogger();
    const purger = new CdnPurger(site.services.store, site.services.events, {
      url: receiver.url,
      token: 'secret-token',
      logger: log.logger,
      ...FAST,
      ...options,
    });
    cleanup.push(() => receiver.close(), () => purger.close());
    return { receiver, purger, ...log };
  }

  it('sends the keys of a published, updated and unpublished article, with the bearer token', async () => {
    const { receiver, purger, lines } = await setUp();
    const { workflow } = site.services;
    const a = await workflow.create(editor, input);
    await purger.idle();
    // A draft was never on a public page: nothing to purge.
    expect(receiver.calls).toHaveLength(0);

    const published = await workflow.publish(editor, a.id);
    await purger.idle();
    const keys = [
      `article-${a.id}`,
      `section-${published.section.id}`,
      ...published.tags.map((t) => `tag-${t.id}`),
      ...published.authors.map((x) => `author-${x.id}`),
      'home',
      'feeds',
      'sitemaps',
    ];
    expect(published.tags).toHaveLength(2);
    expect(receiver.calls).toEqual([{ body: { keys, reason: `article-${a.id}` }, authorization: 'Bearer secret-token', contentType: 'application/json' }]);

    await workflow.save(editor, a.id, { ...input, headline: 'تأجيل تبادل الأسرى' });
    await workflow.update(editor, a.id);
    await purger.idle();
    // The staged save purges too (harmless); the update certainly does.
    expect(receiver.calls.length).toBeGreaterThanOrEqual(2);
    expect(receiver.calls.at(-1)!.body.keys).toEqual(keys);

    const before = receiver.calls.length;
    await workflow.unpublish(editor, a.id);
    await purger.idle();
    expect(receiver.calls).toHaveLength(before + 1);
    expect(receiver.calls.at(-1)!.body).toEqual({ keys, reason: `article-${a.id}` });
    expect(lines.filter((l) => l.msg === 'purge: sent')).toHaveLength(receiver.calls.length);
    expect(JSON.stringify(lines)).not.toContain('secret-token');
  });

  it('names a deleted article by its id, and purges everything for a site-wide change', async () => {
    const { receiver, purger } = await setUp();
    const a = await site.services.workflow.create(editor, input);
    await site.services.workflow.publish(editor, a.id);
    await purger.idle();
    await site.services.workflow.delete(editor, a.id);
    await purger.idle();
    expect(receiver.calls.at(-1)!.body).toEqual({ keys: [`article-${a.id}`, 'home', 'feeds', 'sitemaps'], reason: `article-${a.id}` });
    site.services.events.emit({ type: 'site' });
    await purger.idle();
    expect(receiver.calls.at(-1)!.body).toEqual({ purgeAll: true, reason: 'site' });
  });

  it('retries 503s with growing delays, then succeeds', async () => {
    const { receiver, purger, lines } = await setUp((n) => (n <= 2 ? { status: 503 } : { status: 200 }));
    const a = await site.services.workflow.create(editor, input);
    await site.services.workflow.publish(editor, a.id);
    await purger.idle();
    expect(receiver.calls).toHaveLength(3);
    expect(new Set(receiver.calls.map((c) => JSON.stringify(c.body))).size).toBe(1);
    expect(lines.filter((l) => l.msg === 'purge: retrying').map((l) => l.obj.delayMs)).toEqual([5, 10]);
    expect(lines.filter((l) => l.msg === 'purge: refused').map((l) => l.obj.status)).toEqual([503, 503]);
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'purge: sent', obj: { attempt: 3, status: 200 } });
  });

  it('honours Retry-After (capped), retries a dropped connection, and gives up after the last attempt', async () => {
    const answers: Answer[] = [{ status: 429, headers: { 'retry-after': '3600' } }, 'drop', { status: 500 }, { status: 500 }, { status: 500 }];
    const { receiver, purger, lines } = await setUp((n) => answers[n - 1] ?? { status: 200 }, { maxRetryAfterMs: 30 });
    const a = await site.services.workflow.create(editor, input);
    await site.services.workflow.publish(editor, a.id);
    await purger.idle();
    expect(receiver.calls).toHaveLength(5);
    expect(lines.filter((l) => l.msg === 'purge: retrying').map((l) => l.obj.delayMs)).toEqual([30, 10, 20, 40]);
    expect(lines.filter((l) => l.msg === 'purge: failed')).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ level: 'error', msg: expect.stringContaining('gave up'), obj: { attempts: 5 } });
  });

  it('does not retry a refusal such as 401', async () => {
    const { receiver, purger, lines } = await setUp(() => ({ status: 401 }));
    const a = await site.services.workflow.create(editor, input);
    await site.services.workflow.publish(editor, a.id);
    await purger.idle();
    expect(receiver.calls).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ level: 'error', obj: { attempts: 1 } });
  });

  it('never holds up the publish, and coalesces what piles up during a call', async () => {
    const { receiver, purger } = await setUp((n) => (n === 1 ? 'hold' : { status: 200 }));
    const { workflow } = site.services;
    const [a, b, c] = [await workflow.create(editor, input), await workflow.create(editor, input), await workflow.create(editor, input)];
    await workflow.publish(editor, a.id);
    // The CDN has not answered the first call, yet the next publishes go through.
    while (receiver.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    await workflow.publish(editor, b.id);
    await workflow.publish(editor, c.id);
    await purger.queued();
    expect(receiver.calls).toHaveLength(1);
    receiver.release();
    await purger.idle();
    expect(receiver.calls).toHaveLength(2);
    const second = receiver.calls[1]!.body;
    expect(second.keys).toEqual(expect.arrayContaining([`article-${b.id}`, `article-${c.id}`, 'home']));
    expect(second.keys!.filter((k) => k === 'home')).toHaveLength(1);
    expect(second.reason.split(' ').sort()).toEqual([`article-${b.id}`, `article-${c.id}`].sort());
  });

  it('close() ends a wait for a retry at once and stops listening', async () => {
    const { receiver, purger, lines } = await setUp(() => ({ status: 503 }), { baseDelayMs: 3_600_000, maxDelayMs: 3_600_000 });
    const a = await site.services.workflow.create(editor, input);
    await site.services.workflow.publish(editor, a.id);
    while (!lines.some((l) => l.msg === 'purge: retrying')) await new Promise((r) => setTimeout(r, 5));
    await purger.close();
    expect(lines.at(-1)).toMatchObject({ level: 'warn', msg: expect.stringContaining('not sent') });
    await site.services.workflow.unpublish(editor, a.id);
    expect(receiver.calls).toHaveLength(1);
  });

  it('is not started without a purge URL', () => {
    expect(startCdnPurger(site.services)).toBeUndefined();
  });
});
