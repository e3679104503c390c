import type { Config } from '../config.js';
import type { Store } from '../store/db.js';
import { AccountService } from './accounts.js';
import { ArticleService } from './articles.js';
import { ContentEvents } from './events.js';
import { CropService } from './crops.js';
import { IngestService } from './ingest.js';
import { LiveBus } from '../live/bus.js';
import { LiveService } from './live.js';
import { LiveReader } from './liveReader.js';
import { MediaLibrary } from './mediaLibrary.js';
import { ServiceMetrics } from './metrics.js';
import { PageService } from './pages.js';
import { RedirectService } from './redirects.js';
import { ReaderService } from './reader.js';
import { SearchService } from '../search/service.js';
import { SitemapService } from './sitemaps.js';
import { setSiteExclusions } from '../text/analyzer/index.js';
import { WorkflowService } from './workflow.js';

/** Everything handlers and commands may call; built once per process. */
export interface Services {
  config: Config;
  store: Store;
  events: ContentEvents;
  articles: ArticleService;
  reader: ReaderService;
  media: MediaLibrary;
  workflow: WorkflowService;
  accounts: AccountService;
  liveBus: LiveBus;
  live: LiveService;
  /** What readers see of live coverages: visible entries with their media and authors. */
  liveReader: LiveReader;
  /** Arabic-aware search over published articles and live entries (src/search). */
  search: SearchService;
  /** What the sitemaps list (published content only). */
  sitemaps: SitemapService;
  /** Fixed-ratio crops of pictures for structured data and social cards. */
  crops: CropService;
  /** Publishes and search timings, for the `/metrics` of the apps serving these services. */
  metrics: ServiceMetrics;
  /** Static pages (من نحن …) outside the news workflow. */
  pages: PageService;
  /** Old URLs (imported WordPress permalinks) answering 301. */
  redirects: RedirectService;
  /** Feed sources, the incoming queue, take and dismiss (docs/ingest.md). */
  ingest: IngestService;
}

export function createServices(store: Store, config: Config): Services {
  // Process-wide, like the analyzer it configures: every index write and query must agree on it.
  setSiteExclusions(config.stemExclusions);
  const events = new ContentEvents();
  const liveBus = new LiveBus();
  const metrics = new ServiceMetrics();
  const live = new LiveService(store, liveBus, { timeZone: config.timeZone, city: config.city });
  return {
    config,
    store,
    events,
    articles: new ArticleService(store, events),
    reader: new ReaderService(store),
    media: new MediaLibrary(store, config, events),
    workflow: new WorkflowService(store, events, metrics),
    accounts: new AccountService(store),
    liveBus,
    live,
    liveReader: new LiveReader(store, live),
    search: new SearchService(store, { timeZone: config.timeZone, metrics }),
    sitemaps: new SitemapService(store),
    crops: new CropService(store, config.mediaDir),
    metrics,
    pages: new PageService(store, events),
    redirects: new RedirectService(store),
    ingest: new IngestService(store, events, config),
  };
}
