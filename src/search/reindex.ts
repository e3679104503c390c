import type { Kysely } from 'kysely';
import { ANALYZER_VERSION, siteExclusionsFingerprint } from '../text/analyzer/index.js';
import type { Database } from '../store/schema.js';
import { getSiteState, setSiteState } from '../store/siteState.js';
import { searchBackend } from './backends.js';
import { syncArticle, syncLiveEntry } from './sync.js';
import { getArticle } from '../store/articles.js';
import type { Article } from '../domain/article.js';
import { openFieldAnalyzer } from './analysisPool.js';
import type { IndexedDocument, IndexedFields } from './backend.js';
import { articleDocumentFrom, articleText } from './documents.js';

type Db = Kysely<Database>;

/** site_state key: the analyzer version that built the index; another version means reindex. */
export const INDEX_VERSION_KEY = 'search_analyzer_version';
/** site_state key: the site's extra stem exclusions the index was built with (NASHRA_STEM_EXCLUSIONS). */
export const INDEX_EXCLUSIONS_KEY = 'search_stem_exclusions';
const BATCH = 200;

export interface ReindexProgress {
  done: number;
  total: number;
}

export interface ReindexResult {
  articles: number;
  liveEntries: number;
  removed: number;
  analyzerVersion: number;
}

async function countSearchable(db: Db): Promise<number> {
  const [a, e] = await Promise.all([
    db.selectFrom('articles').select((eb) => eb.fn.countAll<string | number>().as('n')).where('status', '=', 'published').executeTakeFirstOrThrow(),
    db.selectFrom('live_entries').select((eb) => eb.fn.countAll<string | number>().as('n')).where('deleted_at', 'is', null).executeTakeFirstOrThrow(),
  ]);
  return Number(a.n) + Number(e.n);
}

/**
 * Rebuilds every document in place, a batch per transaction, then drops documents whose source
 * is gone: search keeps answering throughout, and running it twice changes nothing.
 */
export async function reindexAll(db: Db, onProgress?: (p: ReindexProgress) => void): Promise<ReindexResult> {
  const total = await countSearchable(db);
  let done = 0;
  let articles = 0;
  let liveEntries = 0;
  // Articles in a pipeline: batch n+1 is read and handed to the analysis worker while batch n is
  // written (see FieldAnalyzer), each write in its own transaction.
  const analyzer = openFieldAnalyzer();
  try {
    let inFlight: Promise<void> | undefined;
    for (let after = 0; ; ) {
      // The stamp is read before the article, so a change in between is seen as one at write time.
      const ids = await db
        .selectFrom('articles')
        .select(['id', 'status', 'updated_at', 'published_at'])
        .where('status', '=', 'published')
        .where('id', '>', after)
        .orderBy('id')
        .limit(BATCH)
        .execute();
      if (!ids.length) break;
      const read: ReadArticle[] = [];
      for (const stamp of ids) {
        const a = await getArticle(db, stamp.id);
        if (a) read.push({ id: stamp.id, stamp, article: a });
        else read.push({ id: stamp.id, stamp: undefined, article: undefined });
      }
      const analysed = analyzer.analyze(read.flatMap((r) => (r.article ? [articleText(r.article)] : [])));
      const previous = inFlight;
      inFlight = (async () => {
        const fields = await analysed;
        await previous;
        await writeArticles(db, read, fields);
        articles += ids.length;
        onProgress?.({ done: (done += ids.length), total });
      })();
      // Awaited below or on the next turn; this only keeps a failure from being reported as unhandled first.
      inFlight.catch(() => {});
      // Keep one batch in flight: wait for the older one before reading a third.
      await previous;
      after = ids.at(-1)!.id;
    }
    await inFlight;
  } finally {
    await analyzer.close();
  }
  for (let after = 0; ; ) {
    const rows = await db
      .selectFrom('live_entries')
      .select(['id', 'coverage_id'])
      .where('deleted_at', 'is', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (!rows.length) break;
    await db.transaction().execute(async (trx) => {
      for (const r of rows) await syncLiveEntry(trx, r.coverage_id, r.id);
    });
    after = rows.at(-1)!.id;
    liveEntries += rows.length;
    onProgress?.({ done: (done += rows.length), total });
  }
  const removed = await db.transaction().execute(async (trx) => {
    const backend = searchBackend(trx);
    const orphans = await trx
      .selectFrom('search_documents as d')
      .select(['d.type', 'd.ref_id'])
      .where((eb) =>
        eb.or([
          eb.and([
            eb('d.type', '=', 'article'),
            eb.not(eb.exists(eb.selectFrom('articles as a').select('a.id').whereRef('a.id', '=', 'd.ref_id').where('a.status', '=', 'published'))),
          ]),
          eb.and([
            eb('d.type', '=', 'live'),
            eb.not(eb.exists(eb.selectFrom('live_entries as e').select('e.id').whereRef('e.id', '=', 'd.ref_id').where('e.deleted_at', 'is', null))),
          ]),
        ]),
      )
      .execute();
    for (const o of orphans) await backend.removeDocument(trx, o.type, o.ref_id);
    await setSiteState(trx, INDEX_VERSION_KEY, String(ANALYZER_VERSION));
    await setSiteState(trx, INDEX_EXCLUSIONS_KEY, siteExclusionsFingerprint());
    return orphans.length;
  });
  return { articles, liveEntries, removed, analyzerVersion: ANALYZER_VERSION };
}

type Stamp = { status: string; updated_at: string; published_at: string | null };
interface ReadArticle {
  id: number;
  /** The row's state when read; undefined when the article was gone by then. */
  stamp: Stamp | undefined;
  article: Article | undefined;
}

/**
 * Writes a batch analysed outside the transaction. An article that changed since it was read (a
 * writer's own transaction has indexed it meanwhile, or will) is synced again inside this one
 * instead, so a reindex never puts back an older version.
 */
async function writeArticles(db: Db, read: readonly ReadArticle[], fields: readonly IndexedFields[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = read.length
      ? await trx.selectFrom('articles').select(['id', 'status', 'updated_at', 'published_at']).where('id', 'in', read.map((r) => r.id)).execute()
      : [];
    const byId = new Map(current.map((r) => [r.id, r]));
    const docs: IndexedDocument[] = [];
    const changed: number[] = [];
    let i = 0;
    for (const { id, stamp, article: a } of read) {
      const f = a ? fields[i++]! : undefined;
      const now = byId.get(id);
      const same = now && stamp && now.status === stamp.status && now.updated_at === stamp.updated_at && now.published_at === stamp.published_at;
      if (!same || !a || !f || a.status !== 'published' || !a.publishedAt) changed.push(id);
      else docs.push(articleDocumentFrom({ ...a, publishedAt: a.publishedAt }, f));
    }
    await searchBackend(trx).indexDocuments(trx, docs);
    for (const id of changed) await syncArticle(trx, id);
  });
}

export interface IndexStatus {
  /** The version that built the index; undefined when none was recorded. */
  recorded: number | undefined;
  current: number;
  documents: number;
  /** True when `nashra search reindex` is needed. */
  stale: boolean;
}

/**
 * Whether the index matches this analyzer. A store that has never been indexed and has nothing
 * to search (a new site) is recorded as current here, since every write from now on is indexed.
 */
export async function indexStatus(db: Db): Promise<IndexStatus> {
  const raw = await getSiteState(db, INDEX_VERSION_KEY);
  const documents = await searchBackend(db).count(db);
  let recorded = raw == null ? undefined : Number(raw);
  if (recorded == null && (await countSearchable(db)) === 0) {
    await setSiteState(db, INDEX_VERSION_KEY, String(ANALYZER_VERSION));
    await setSiteState(db, INDEX_EXCLUSIONS_KEY, siteExclusionsFingerprint());
    recorded = ANALYZER_VERSION;
  }
  // No row: an index from before the setting existed, built with the default list ('').
  const exclusionsChanged = ((await getSiteState(db, INDEX_EXCLUSIONS_KEY)) ?? '') !== siteExclusionsFingerprint();
  return { recorded, current: ANALYZER_VERSION, documents, stale: recorded !== ANALYZER_VERSION || exclusionsChanged };
}
