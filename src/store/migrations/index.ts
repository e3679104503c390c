import type { Migration } from 'kysely';
import * as m0001 from './0001_content.js';
import * as m0002 from './0002_newsroom.js';
import * as m0003 from './0003_live.js';
import * as m0004 from './0004_search.js';
import * as m0005 from './0005_wordpress.js';
import * as m0006 from './0006_ingest.js';

/** Static list, so the compiled package needs no directory scan. Append only. */
export const migrations: Record<string, Migration> = {
  '0001_content': m0001,
  '0002_newsroom': m0002,
  '0003_live': m0003,
  '0004_search': m0004,
  '0005_wordpress': m0005,
  '0006_ingest': m0006,
};
