import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;
const CONTENT_VERSION = 'content_version';

export async function getSiteState(db: Db, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('site_state').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function setSiteState(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto('site_state')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/**
 * A token that changes with every content write, in the same transaction. Caches compare it,
 * so a write from another process (the CLI importer) is seen too. A random token rather than a
 * counter: two concurrent writers can never both produce the same value.
 */
export async function bumpContentVersion(db: Db): Promise<string> {
  const value = randomUUID();
  await setSiteState(db, CONTENT_VERSION, value);
  return value;
}

export async function getContentVersion(db: Db): Promise<string> {
  return (await getSiteState(db, CONTENT_VERSION)) ?? '';
}
