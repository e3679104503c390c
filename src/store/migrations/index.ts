import type { Migration } from 'kysely';
import * as m0001 from './0001_content.js';

/** Static list, so the compiled package needs no directory scan. Append only. */
export const migrations: Record<string, Migration> = {
  '0001_content': m0001,
};
