import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { demoCoverage, demoEntries } from '../../src/demo/live.js';
import { loadDemoContentOnce } from '../../src/demo/load.js';
import { createServices, type Services } from '../../src/services/index.js';
import { storeTargets } from '../helpers/services.js';

const ARABIC_INDIC_DIGITS = /[٠-٩۰-۹]/;

describe('demo live coverage', () => {
  it('is written in the site digit style and uses only valid blocks', () => {
    for (const e of demoEntries) {
      for (const t of [...e.text, e.quote?.text ?? '']) expect(t).not.toMatch(ARABIC_INDIC_DIGITS);
    }
    expect(demoEntries.filter((e) => e.keyEvent).length).toBeGreaterThanOrEqual(2);
  });

  describe.each(storeTargets())('loaded on $name', (target) => {
    let services: Services;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      const opened = await target.open();
      dispose = opened.dispose;
      services = createServices(opened.store, loadConfig({ NASHRA_DATA_DIR: opened.dataDir }));
      await loadDemoContentOnce(services);
    }, 120_000);
    afterAll(() => dispose());

    it('runs, with its entries newest first and one event per entry', async () => {
      const c = (await services.live.getCoverage(demoCoverage.slug))!;
      expect(c.status).toBe('live');
      expect(c.timeZone).toBe('Asia/Damascus');
      const entries = await services.live.entries(c.id);
      expect(entries).toHaveLength(demoEntries.length);
      const times = entries.map((e) => e.createdAt);
      expect([...times].sort().reverse()).toEqual(times);
      expect(c.lastEventId).toBe(demoEntries.length);
      const replay = await services.live.eventsAfter(c.id, 0);
      expect(replay.resync).toBe(false);
      if (!replay.resync) expect(replay.events.map((e) => e.eventId)).toEqual(demoEntries.map((_, i) => i + 1));
    });

    it('accepts new entries after the demo ones', async () => {
      const c = (await services.live.getCoverage(demoCoverage.slug))!;
      const editor = await services.accounts.createUser(
        { email: 'demo-ed@example.org', role: 'editor', password: 'ورد الشام في الربيع', displayName: 'محرر' },
        { user: null, label: 'cli', ip: null },
      );
      const event = await services.live.postEntry({ user: editor, label: 'test', ip: null }, c.id, { text: 'مدخل جديد' });
      expect(event.eventId).toBe(demoEntries.length + 1);
    });
  });
});
