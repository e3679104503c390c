import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePath, type ArticleInput } from '../../src/domain/article.js';
import { formatNewsTime, machineTime } from '../../src/domain/time.js';
import { buildApp } from '../../src/web/app.js';
import { openTestSite, type TestSite } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

const input: ArticleInput = {
  headline: 'وقف إطلاق النار في الشمال',
  body: [{ type: 'paragraph', spans: [{ text: 'أُعلن وقف إطلاق النار صباح اليوم.' }] }],
  section: 'سياسة',
  publishedAt: '2021-06-28T14:39:00Z',
  timeZone: 'Asia/Beirut',
  city: 'بيروت',
};

describe('the "last updated" line of an article page', () => {
  let site: TestSite;
  let app: FastifyInstance;
  const originalTz = process.env.TZ;

  beforeAll(async () => {
    // The server's own zone must not leak into the page: the article's zone decides.
    process.env.TZ = 'America/New_York';
    site = await openTestSite();
    app = await buildApp({ services: site.services });
  });
  afterAll(async () => {
    process.env.TZ = originalTz;
    await app.close();
    await site.dispose();
  });

  it('appears only once a staged edit goes live, in the article city time', async () => {
    const { workflow } = site.services;
    const editor = actorFor(await insertTestUser(site.services.store, 'editor'));
    const a = await workflow.create(editor, input);
    await workflow.publish(editor, a.id);
    await workflow.save(editor, a.id, { ...input, headline: 'تمديد وقف إطلاق النار في الشمال' });

    const before = await app.inject({ url: articlePath(a) });
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain(input.headline);
    expect(before.body).not.toContain('آخر تحديث');

    const updated = await workflow.update(editor, a.id);
    const page = await app.inject({ url: articlePath(updated) });
    expect(page.statusCode).toBe(200);
    const revised = updated.revisedAt!;
    expect(page.body).toContain('تمديد وقف إطلاق النار في الشمال');
    expect(page.body).toContain('<time datetime="2021-06-28T14:39:00Z">2021.06.28 | 17:39 بيروت</time>');
    expect(page.body).toContain(
      `آخر تحديث: <time datetime="${machineTime(revised)}">${formatNewsTime(revised, 'Asia/Beirut')} بيروت</time>`,
    );
    // Right after the publication time, before the body.
    const story = page.body.slice(page.body.indexOf('<article'));
    expect(story.indexOf('آخر تحديث')).toBeGreaterThan(story.indexOf('17:39 بيروت'));
    expect(story.indexOf('آخر تحديث')).toBeLessThan(story.indexOf('أُعلن وقف'));
  });
});
