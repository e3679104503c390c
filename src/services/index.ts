import type { Config } from '../config.js';
import type { Store } from '../store/db.js';
import { ArticleService } from './articles.js';
import { ContentEvents } from './events.js';
import { ReaderService } from './reader.js';

/** Everything handlers and commands may call; built once per process. */
export interface Services {
  config: Config;
  store: Store;
  events: ContentEvents;
  articles: ArticleService;
  reader: ReaderService;
}

export function createServices(store: Store, config: Config): Services {
  const events = new ContentEvents();
  return {
    config,
    store,
    events,
    articles: new ArticleService(store, events),
    reader: new ReaderService(store),
  };
}
