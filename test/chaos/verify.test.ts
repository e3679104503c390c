import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTestSite } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';
import { Ledger, type Content } from './model.js';
import { sqliteReader, verify } from './verify.js';

/**
 * The chaos run's checker must be able to fail: a write the ledger says was acknowledged but the
 * database lacks, or holds differently, is reported lost. (The run itself: `npm run test:chaos`.)
 */
describe('the chaos checker', () => {
  it('passes a site that holds what was acknowledged, and reports each kind of loss', async () => {
    const site = await openTestSite();
    try {
      const { services } = site;
      const editor = actorFor(await insertTestUser(services.store, 'editor'));
      const c: Content = { headline: 'خبر محفوظ', text: 'نص الخبر.', tags: ['اقتصاد'] };
      const a = await services.workflow.create(editor, {
        headline: c.headline,
        body: [{ type: 'paragraph', spans: [{ text: c.text }] }],
        section: 'أخبار',
        tags: c.tags,
        timeZone: 'Asia/Damascus',
        city: 'دمشق',
      });
      const coverage = await services.live.createCoverage(editor, { title: 'تغطية' } as never);
      const event = await services.live.postEntry(editor, coverage.id, { text: 'مستجد أول' } as never);

      const ledger = (): Ledger => {
        const l = new Ledger();
        l.articles.push({ id: a.id, state: { status: 'draft', row: c, newest: c, staged: false }, revisions: new Map([[1, c]]), ackedPublishes: 0, uncertain: 0 });
        l.entries.push({ coverageId: coverage.id, id: event.entryId!, eventId: event.eventId, text: 'مستجد أول' });
        return l;
      };
      const check = async (l: Ledger) => {
        const db = sqliteReader(join(site.config.dataDir, 'nashra.db'));
        try {
          return await verify(db, l);
        } finally {
          await db.close();
        }
      };

      const good = await check(ledger());
      expect(good).toEqual({ checked: 2, lost: [], integrity: [] });

      const published = ledger();
      published.articles[0]!.state = { ...published.articles[0]!.state, status: 'published' };
      published.articles[0]!.ackedPublishes = 1;
      expect((await check(published)).lost).toHaveLength(2); // no publication recorded, and the status differs

      const edited = ledger();
      edited.articles[0]!.revisions.set(2, { ...c, headline: 'تعديل لم يُحفظ' });
      expect((await check(edited)).lost).toEqual([`article ${a.id}: revision 2 missing or different`]);

      const entry = ledger();
      entry.entries.push({ coverageId: coverage.id, id: event.entryId! + 1, eventId: event.eventId + 1, text: 'مستجد ضائع' });
      expect((await check(entry)).lost).toHaveLength(2);
    } finally {
      await site.dispose();
    }
  });
});
