import type { ArticleInput } from '../domain/article.js';
import type { BlockInput } from '../domain/blocks.js';
import { createArticleIn } from '../services/articles.js';
import { createPageIn } from '../services/pages.js';
import type { Services } from '../services/index.js';
import { prepareImage, saveImageIn, type PreparedImage } from '../services/media.js';
import { syncCoverageEntries } from '../search/sync.js';
import { countArticles } from '../store/articles.js';
import { listCoverages } from '../store/live.js';
import { getSiteState, setSiteState } from '../store/siteState.js';
import { demoAboutPage, demoArticles, type DemoImage } from './content.js';
import { renderDemoImage } from './images.js';
import { insertDemoCoverage } from './live.js';

const DEMO_FLAG = 'demo_loaded';

/**
 * Fills an empty site with the demo articles and a running live coverage, once: a site whose editors deleted the demo
 * does not get it back on the next start. Returns how many articles were added.
 */
export async function loadDemoContentOnce(services: Services): Promise<number> {
  const { store, config } = services;
  if ((await getSiteState(store.db, DEMO_FLAG)) || (await countArticles(store.db)) > 0) return 0;

  const prepared = new Map<string, PreparedImage>();
  const prepare = async (img: DemoImage) => {
    // Placeholders, loaded on a first `npm start`: the fast encoder settings take a third of the time.
    if (!prepared.has(img.file)) prepared.set(img.file, await prepareImage(config.mediaDir, await renderDemoImage(img), img.file, { fast: true }));
  };
  for (const a of demoArticles) {
    await prepare(a.lead);
    for (const b of a.body) if (b.type === 'image' && 'image' in b) await prepare(b.image);
  }

  const ids = await store.db.transaction().execute(async (trx) => {
    // The caption doubles as alt text: the demo pictures have no separate description.
    const mediaId = async (img: DemoImage) =>
      (await saveImageIn(trx, prepared.get(img.file)!, { alt: img.caption, caption: img.caption, credit: img.credit })).id;
    const ids: number[] = [];
    // Oldest first, so ids grow with publication time as they would in a real newsroom.
    for (const a of [...demoArticles].sort((x, y) => x.publishedAt.localeCompare(y.publishedAt))) {
      const body: BlockInput[] = [];
      for (const b of a.body) {
        body.push(
          b.type === 'image' && 'image' in b
            ? { type: 'image', mediaId: await mediaId(b.image), caption: b.image.caption, credit: b.image.credit }
            : (b as BlockInput),
        );
      }
      const input: ArticleInput = {
        headline: a.headline,
        summary: a.summary,
        body,
        lead: { mediaId: await mediaId(a.lead), caption: a.lead.caption, credit: a.lead.credit },
        datelinePlace: a.datelinePlace,
        sourceLabel: a.sourceLabel,
        section: a.section,
        tags: a.tags,
        authors: a.authors,
        status: 'published',
        publishedAt: a.publishedAt,
        timeZone: a.timeZone,
        city: a.city,
      };
      ids.push(await createArticleIn(trx, input));
    }
    await insertDemoCoverage(trx, { timeZone: config.timeZone, city: config.city });
    await createPageIn(trx, demoAboutPage);
    // The demo writes its coverage below LiveService, so its entries are indexed here.
    for (const c of await listCoverages(trx, { limit: 10 })) await syncCoverageEntries(trx, c.id);
    await setSiteState(trx, DEMO_FLAG, new Date().toISOString());
    return ids;
  });
  services.events.emit({ type: 'site' });
  return ids.length;
}
