import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { Actor } from '../../src/domain/user.js';
import { createServices, type Services } from '../../src/services/index.js';
import { analyze } from '../../src/text/analyzer/index.js';
import { openTestSite, storeTargets, type TestSite } from '../helpers/services.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

const mains = (text: string) => analyze(text).map((t) => t.main);

describe('NASHRA_STEM_EXCLUSIONS', () => {
  it('reads comma-separated words, Latin or Arabic commas, and names itself when a value is not a word list', () => {
    expect(loadConfig({ NASHRA_STEM_EXCLUSIONS: 'ياسين، حمدان ,Kanaan' }).stemExclusions).toEqual(['ياسين', 'حمدان', 'Kanaan']);
    expect(loadConfig({}).stemExclusions).toEqual([]);
    expect(() => loadConfig({ NASHRA_STEM_EXCLUSIONS: 'ياسين حمدان' })).toThrow(ConfigError);
    expect(() => loadConfig({ NASHRA_STEM_EXCLUSIONS: 'ياسين حمدان' })).toThrow(/NASHRA_STEM_EXCLUSIONS/);
  });
});

/** A site's own proper nouns stay whole once configured, and an index built without them is reported stale. */
describe.each(storeTargets())('site stem exclusions on $name', (target) => {
  let site: TestSite;
  let editor: Actor;
  beforeAll(async () => {
    site = await openTestSite(target);
    editor = actorFor(await insertTestUser(site.services.store, 'editor'));
  });
  afterAll(() => site.dispose());

  it('keeps the configured names whole and asks for a reindex when the list changes', async () => {
    const s = site.services;
    expect(mains('ياسين')).toEqual(['ياس']); // light stemming takes -ين off a name
    // As `nashra serve` does first: a new, empty site is recorded as indexed by this analyzer and list.
    expect((await s.search.status()).stale).toBe(false);
    const a = await s.workflow.create(editor, {
      headline: 'لقاء مع المخرج ياسين',
      body: [{ type: 'paragraph', spans: [{ text: 'تحدث ياسين عن فيلمه الجديد.' }] }],
      section: 'ثقافة',
      timeZone: 'Asia/Damascus',
      city: 'دمشق',
    });
    await s.workflow.publish(editor, a.id);
    expect((await s.search.status()).stale).toBe(false);

    // The same store, restarted with the name configured.
    const named: Services = createServices(s.store, loadConfig({ NASHRA_DATA_DIR: site.config.dataDir, NASHRA_STEM_EXCLUSIONS: 'ياسين' }));
    expect(mains('ياسين والياسين')).toEqual(['ياسين', 'ياسين']);
    expect((await named.search.status()).stale).toBe(true);
    await named.search.reindex();
    expect((await named.search.status()).stale).toBe(false);
    expect((await named.search.search({ q: 'ياسين' })).results.map((r) => r.id)).toEqual([a.id]);
    expect((await named.search.search({ q: 'ياسين' })).results[0]!.snippet).toContain('<mark>ياسين</mark>');

    // Back to the default list: stale again until reindexed.
    const plain = createServices(s.store, loadConfig({ NASHRA_DATA_DIR: site.config.dataDir }));
    expect(mains('ياسين')).toEqual(['ياس']);
    expect((await plain.search.status()).stale).toBe(true);
  });
});
