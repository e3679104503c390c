/**
 * The site that bench:site and bench:soak load: a fresh SQLite data dir with the demo content
 * (its running live coverage included) plus generated articles, so the home page, section
 * pages, feeds and search work over a realistic depth rather than a dozen demo stories.
 * Built through the services (the same writes an import makes, search index included), then
 * closed: the server under test is a separate `nashra serve` process that opens it afresh.
 */
import { articlePath } from '../src/domain/article.js';
import type { ArticleInput } from '../src/domain/article.js';
import { loadConfig } from '../src/config.js';
import { loadDemoContentOnce } from '../src/demo/load.js';
import { createArticleIn } from '../src/services/articles.js';
import { createServices } from '../src/services/index.js';
import { migrateToLatest, openStore } from '../src/store/db.js';
import { listCoverages } from '../src/store/live.js';
import { corpusArticle, queryWord } from './searchCorpus.js';
import { mulberry32 } from './siteMix.js';

export interface SiteData {
  /** Paths of every published article, newest first. */
  articles: string[];
  sections: string[];
  coverage: { id: number; slug: string; lastEventId: number };
  /** Words readers search for, drawn from the generated articles' vocabulary. */
  searchWords: string[];
  /** A write-scoped API token of an editor (the soak posts live entries with it). */
  token: string;
  generated: number;
}

const BATCH = 200;
// The demo's sections, so generated stories share their pages with the demo's.
const SECTIONS = ['سياسة', 'اقتصاد', 'رياضة', 'ثقافة'];
const TAGS = ['عاجل', 'تحليل', 'حوار', 'تقرير', 'صور', 'فيديو', 'رأي', 'مقابلة'];

export async function prepareSite(dataDir: string, generate: number, log: (s: string) => void = () => {}): Promise<SiteData> {
  // A fixed environment, not process.env: a developer's DATABASE_URL must not receive the bench's content.
  const config = loadConfig({ NASHRA_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const store = openStore({ dataDir: config.dataDir });
  const services = createServices(store, config);
  try {
    await migrateToLatest(store.db);
    await loadDemoContentOnce(services);
    const started = performance.now();
    // Newest last, one every 15 minutes up to now: the home page and feeds show generated stories.
    const now = Date.now();
    for (let from = 0; from < generate; from += BATCH) {
      await store.db.transaction().execute(async (trx) => {
        for (let n = from; n < Math.min(generate, from + BATCH); n++) {
          const c = corpusArticle(n);
          const input: ArticleInput = {
            headline: c.headline,
            summary: c.summary,
            body: c.body.split('\n').map((text) => ({ type: 'paragraph', spans: [{ text }] })),
            section: SECTIONS[n % SECTIONS.length]!,
            tags: [TAGS[n % TAGS.length]!, TAGS[(n * 7 + 3) % TAGS.length]!].filter((t, i, all) => all.indexOf(t) === i),
            status: 'published',
            publishedAt: new Date(now - (generate - n) * 900_000).toISOString(),
            timeZone: config.timeZone,
            city: config.city,
          };
          await createArticleIn(trx, input);
        }
      });
    }
    if (generate) log(`generated ${generate} articles in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const articles = (await store.db.selectFrom('articles').select(['id', 'slug']).where('status', '=', 'published').orderBy('published_at', 'desc').orderBy('id', 'desc').execute()).map(articlePath);
    const sections = (await services.reader.sections()).map((s) => s.slug);
    const [live] = await listCoverages(store.db, { status: 'live', limit: 1 });
    if (!live) throw new Error('the demo content has no running live coverage');
    const rand = mulberry32(0x517e);
    const searchWords = Array.from({ length: 200 }, () => queryWord(rand));

    const actor = { user: null, label: 'cli', ip: null };
    const editor = await services.accounts.createUser({ email: 'load-editor@nashra.invalid', role: 'editor', password: 'correct-horse-battery-4821-zebra' }, actor);
    const { token } = await services.accounts.createToken(editor.id, { name: 'bench:site', scope: 'write' }, actor);
    return { articles, sections, coverage: { id: live.id, slug: live.slug, lastEventId: live.lastEventId }, searchWords, token, generated: generate };
  } finally {
    await store.close();
  }
}
