import type { Kysely } from 'kysely';
import { getArticle } from '../store/articles.js';
import { getEntry, listEntries } from '../store/live.js';
import type { Database } from '../store/schema.js';
import { searchBackend } from './backends.js';
import { articleDocument, liveEntryDocument } from './documents.js';

type Db = Kysely<Database>;

/**
 * Brings one article's index entry in line with its row, inside the writer's transaction: indexed
 * when published, gone otherwise (draft, scheduled, unpublished, deleted). Writers call it after
 * any change instead of each working out what the change means for search.
 */
export async function syncArticle(trx: Db, id: number): Promise<void> {
  const backend = searchBackend(trx);
  const a = await getArticle(trx, id);
  if (!a || a.status !== 'published' || !a.publishedAt) return backend.removeDocument(trx, 'article', id);
  await backend.indexDocument(trx, articleDocument({ ...a, publishedAt: a.publishedAt }));
}

/** The same for a live entry: indexed while visible, removed once deleted. */
export async function syncLiveEntry(trx: Db, coverageId: number, entryId: number): Promise<void> {
  const backend = searchBackend(trx);
  const e = await getEntry(trx, coverageId, entryId);
  if (!e || e.deletedAt) return backend.removeDocument(trx, 'live', entryId);
  await backend.indexDocument(trx, liveEntryDocument(e));
}

/** Every visible entry of a coverage (the demo inserts its coverage outside LiveService). */
export async function syncCoverageEntries(trx: Db, coverageId: number): Promise<void> {
  const backend = searchBackend(trx);
  for (const e of await listEntries(trx, coverageId, { limit: 100_000 })) await backend.indexDocument(trx, liveEntryDocument(e));
}
