import type { Kysely } from 'kysely';
import { isPostgres } from '../store/migrations/columns.js';
import type { Database } from '../store/schema.js';
import type { SearchBackend } from './backend.js';
import { postgresBackend } from './postgresBackend.js';
import { sqliteBackend } from './sqliteBackend.js';

/**
 * The only place the engine is chosen: from the dialect the store was opened with (DATABASE_URL),
 * read off the connection itself so writers holding just a transaction get the right one too.
 */
export function searchBackend(db: Kysely<Database>): SearchBackend {
  return isPostgres(db as Kysely<unknown>) ? postgresBackend : sqliteBackend;
}
