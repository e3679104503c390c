import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { isValidTimeZone } from '../../domain/time.js';
import type { Services } from '../../services/index.js';
import { fileSize, prepareImage, saveImageIn, type PreparedImage } from '../../services/media.js';
import { findImportKey, relaxCommitsForImport, saveImportKey, setSectionParent } from '../../store/importKeys.js';
import { ensureNamed } from '../../store/taxonomy.js';
import type { Database } from '../../store/schema.js';
import { slugify } from '../../text/slug.js';
import { importEntry, type SiteContext } from './importItem.js';
import { hashOf, itemTransaction } from './transaction.js';
import { addCounts, attachmentImage, authorName, countComments, itemTarget, orderCategories, zoneMatches, type AttachmentImage, type CommentCounts } from './map.js';
import { emptyCounts, keptItem, type ImportKind, type ImportReport, type ItemReport, type Outcome } from './report.js';
import { readWxr, WxrError, type WxrAuthor, type WxrCategory, type WxrItem, type WxrSite, type WxrTag } from './wxr.js';

type Db = Kysely<Database>;

export interface WordpressImportOptions {
  /** The folder mirroring `wp-content/uploads`; without it no picture is imported. */
  uploads?: string;
  /** Newsroom zone for drafts' wall-clock dates; default the configured zone. */
  timeZone?: string;
  dryRun?: boolean;
  /** Called after each record; `total` is known after the first pass. */
  onProgress?: (p: { done: number; total: number; kind: ImportKind; title: string }) => void;
}

interface FirstPass {
  site: WxrSite | null;
  authors: WxrAuthor[];
  categories: WxrCategory[];
  tags: WxrTag[];
  attachments: Map<number, AttachmentImage & { line: number; title: string }>;
  entries: number;
  comments: CommentCounts;
  warnings: { line?: number; message: string }[];
  zoneMismatch: WxrItem | null;
}

/**
 * First pass: everything posts refer to (authors, terms, attachments: these may come after
 * their post in the file), and how many entries the second pass will import. Only small
 * records are kept; bodies are read again in the second pass, so memory stays bounded.
 */
async function firstPass(file: string, zone: string): Promise<FirstPass> {
  const p: FirstPass = {
    site: null,
    authors: [],
    categories: [],
    tags: [],
    attachments: new Map(),
    entries: 0,
    comments: { total: 0, approved: 0, pending: 0, other: 0, replies: 0 },
    warnings: [],
    zoneMismatch: null,
  };
  for await (const r of readWxr(file)) {
    if (r.kind === 'site') p.site = r;
    else if (r.kind === 'author') p.authors.push(r);
    else if (r.kind === 'category' && !p.categories.some((c) => c.slug === r.slug)) p.categories.push(r);
    else if (r.kind === 'tag' && !p.tags.some((c) => c.slug === r.slug)) p.tags.push(r);
    else if (r.kind === 'term') {
      if (r.taxonomy === 'category' && !p.categories.some((c) => c.slug === r.slug)) p.categories.push({ ...r, kind: 'category' });
      if (r.taxonomy === 'post_tag' && !p.tags.some((c) => c.slug === r.slug)) p.tags.push({ ...r, kind: 'tag' });
    } else if (r.kind === 'warning') p.warnings.push({ line: r.line, message: r.message });
    else if (r.kind === 'item') {
      p.comments = addCounts(p.comments, countComments(r.comments));
      if (r.type === 'attachment') {
        const img = attachmentImage(r);
        if (img) p.attachments.set(img.attachmentId, { ...img, line: r.line, title: r.title });
      } else p.entries++;
      if (!p.zoneMismatch && (r.type === 'post' || r.type === 'page') && !zoneMatches(r, zone)) p.zoneMismatch = r;
    }
  }
  return p;
}

/**
 * `nashra import wordpress`: a WXR file into the store. Two streaming passes; every author,
 * term, attachment, post and page is written in its own transaction through the same service
 * functions the newsroom and the page importer use (search index and content version included).
 * Throws WxrError when the file is not a readable export (before anything is written: the
 * first pass reads it whole).
 */
export async function importWordpress(services: Services, file: string, opts: WordpressImportOptions = {}): Promise<ImportReport> {
  const zone = opts.timeZone ?? services.config.timeZone;
  if (!isValidTimeZone(zone)) throw new Error(`unknown time zone "${zone}"`);
  const db = services.store.db;
  const pass = await firstPass(file, zone);
  const restore = await relaxCommitsForImport(db);
  try {
    return await importPasses(services, file, opts, zone, pass);
  } finally {
    await restore();
  }
}

async function importPasses(services: Services, file: string, opts: WordpressImportOptions, zone: string, pass: FirstPass): Promise<ImportReport> {
  const dryRun = !!opts.dryRun;
  const db = services.store.db;
  const site = pass.site ?? { kind: 'site', title: '', link: '', description: '', language: '', wxrVersion: '', baseSiteUrl: '', baseBlogUrl: '' };
  const source = `wordpress:${(site.baseBlogUrl || site.link || site.baseSiteUrl || file).replace(/\/+$/, '')}`;
  const report: ImportReport = {
    file,
    source,
    dryRun,
    timeZone: zone,
    counts: emptyCounts(),
    statuses: {},
    comments: { ...pass.comments, imported: 0 },
    items: [],
    warnings: [...pass.warnings],
  };
  if (pass.zoneMismatch) {
    report.warnings.push({
      line: pass.zoneMismatch.line,
      message: `the site's UTC offset at "${pass.zoneMismatch.title}" differs from ${zone}: dates of drafts (which have no GMT date) may be off; pass --timezone with the site's zone`,
    });
  }
  const total = pass.authors.length + pass.categories.length + pass.tags.length + pass.attachments.size + pass.entries;
  let done = 0;
  const record = (outcome: ItemReport) => {
    const item = keptItem(outcome);
    report.items.push(item);
    report.counts[item.kind][item.outcome]++;
    if (item.wpStatus && item.status) report.statuses[item.wpStatus] = item.status;
    opts.onProgress?.({ done: ++done, total, kind: item.kind, title: item.title });
  };
  const fail = (base: Omit<ItemReport, 'outcome' | 'warnings'>, e: unknown): ItemReport => {
    if (e instanceof Error && !isItemError(e)) throw e;
    return { ...base, outcome: 'failed', reason: e instanceof Error ? e.message : String(e), warnings: [] };
  };

  // ---------------------------------------------------------------- authors
  const authorNames = new Map<string, string>();
  for (const a of pass.authors) {
    const name = authorName(a);
    authorNames.set(a.login, name);
    const base = { kind: 'author' as const, wpId: a.login, title: name };
    try {
      record(await namedEntry(db, dryRun, source, 'author', [a.login], 'authors', name));
    } catch (e) {
      record(fail(base, e));
    }
  }

  // ---------------------------------------------------------------- categories → sections, tags
  const ordered = orderCategories(pass.categories);
  report.warnings.push(...ordered.warnings.map((message) => ({ message })));
  const sectionIds = new Map<string, number>();
  for (const c of ordered.categories) {
    try {
      const r = await namedEntry(db, dryRun, source, 'section', [c.slug], 'sections', c.name, async (trx, id) => {
        const parent = c.parent === null ? null : (sectionIds.get(c.parent) ?? null);
        await setSectionParent(trx, id, parent);
        return parent;
      });
      if (r.localId) sectionIds.set(c.slug, r.localId);
      record({ ...r, wpId: c.slug });
    } catch (e) {
      record(fail({ kind: 'section', wpId: c.slug, title: c.name }, e));
    }
  }
  for (const t of pass.tags) {
    try {
      record({ ...(await namedEntry(db, dryRun, source, 'tag', [t.slug], 'tags', t.name)), wpId: t.slug });
    } catch (e) {
      record(fail({ kind: 'tag', wpId: t.slug, title: t.name }, e));
    }
  }

  // ---------------------------------------------------------------- attachments → media
  const mediaIds = new Map<number, number>();
  const byFile = new Map<string, number>();
  for (const att of pass.attachments.values()) {
    if (att.file) byFile.set(att.file, att.attachmentId);
    const r = await importAttachment(services, source, att, opts.uploads, dryRun);
    if (r.localId) mediaIds.set(att.attachmentId, r.localId);
    record(r);
  }

  // ---------------------------------------------------------------- posts and pages
  const ctx: SiteContext = { services, source, site, zone, dryRun, authorNames, attachments: pass.attachments, mediaIds, byFile, names: new Map() };
  for await (const r of readWxr(file)) {
    if (r.kind !== 'item' || r.type === 'attachment') continue;
    const target = itemTarget(r);
    const kind: ImportKind = target.target === 'article' ? 'article' : target.target === 'page' ? 'page' : 'other';
    const base = { kind, wpId: String(r.postId ?? r.guid), line: r.line, title: r.title };
    if (target.target === 'skip') {
      record({ ...base, outcome: 'skipped', reason: target.reason!, warnings: [] });
      continue;
    }
    try {
      record(await importEntry(ctx, r, kind as 'article' | 'page'));
    } catch (e) {
      record(fail(base, e));
    }
  }
  if (!dryRun && report.items.some((i) => i.outcome === 'imported' || i.outcome === 'updated')) services.events.emit({ type: 'site' });
  return report;
}

/**
 * Errors that belong to one item (bad data, a refused image, a constraint): reported, and the
 * import goes on. A lost database connection is not one of them and stops the run.
 */
function isItemError(e: Error): boolean {
  return !/ECONNREFUSED|ECONNRESET|Connection terminated|database is locked|SQLITE_BUSY|disk I\/O/i.test(e.message);
}

/** An author, section or tag: found again by its WordPress key, else by slug, else created. */
async function namedEntry(
  db: Db,
  dryRun: boolean,
  source: string,
  kind: 'author' | 'section' | 'tag',
  keys: string[],
  table: 'authors' | 'sections' | 'tags',
  name: string,
  extra?: (trx: Db, id: number) => Promise<unknown>,
): Promise<ItemReport> {
  return itemTransaction(db, dryRun, async (trx) => {
    const slug = slugify(name) || slugify(keys[0]!) || keys[0]!;
    const found = await findImportKey(trx, source, kind, keys);
    const row = await ensureNamed(trx, table, slug, name);
    const extraValue = extra ? await extra(trx, row.id) : undefined;
    const hash = hashOf({ name, slug, extraValue });
    const outcome: Outcome = !found ? 'imported' : found.hash === hash && found.localId === row.id ? 'unchanged' : 'updated';
    if (outcome !== 'unchanged') await saveImportKey(trx, { source, kind, externalIds: keys, localId: row.id, hash, at: new Date().toISOString() });
    return { kind, wpId: keys[0]!, title: name, outcome, localId: row.id, warnings: [] };
  });
}

/**
 * An attachment through the media pipeline, from the `--uploads` folder. A missing file is a
 * warning: the posts using it are still imported, without that picture.
 */
async function importAttachment(
  services: Services,
  source: string,
  att: AttachmentImage & { line: number; title: string },
  uploads: string | undefined,
  dryRun: boolean,
): Promise<ItemReport> {
  const base = { kind: 'attachment' as const, wpId: String(att.attachmentId), line: att.line, title: att.file ?? att.title };
  const keys = [String(att.attachmentId)];
  const db = services.store.db;
  const found = await findImportKey(db, source, 'attachment', keys);
  const path = uploads && att.file ? join(uploads, att.file) : null;
  if (!path || (await fileSize(path)) === null) {
    const reason = !uploads ? 'no --uploads folder given' : !att.file ? 'the attachment names no file' : `file ${att.file} not found under --uploads`;
    // Imported before (with its file): keep using that media row.
    if (found) return { ...base, outcome: 'unchanged', localId: found.localId, warnings: [] };
    return { ...base, outcome: 'skipped', reason, warnings: [`${reason}: posts using it are imported without the picture`] };
  }
  let prepared: PreparedImage | undefined;
  try {
    const bytes = await readFile(path);
    const meta = { alt: att.alt ?? null, caption: att.caption ?? null, credit: att.credit ?? null };
    const hash = hashOf({ file: createHash('sha256').update(bytes).digest('hex'), meta });
    if (found?.hash === hash) return { ...base, outcome: 'unchanged', localId: found.localId, warnings: [] };
    if (dryRun) return { ...base, outcome: found ? 'updated' : 'imported', ...(found ? { localId: found.localId } : {}), warnings: [] };
    prepared = await prepareImage(services.config.mediaDir, bytes, att.file!.split('/').pop()!);
    const p = prepared;
    const id = await itemTransaction(db, false, async (trx) => {
      const media = await saveImageIn(trx, p, meta);
      await saveImportKey(trx, { source, kind: 'attachment', externalIds: keys, localId: media.id, hash, at: new Date().toISOString() });
      return media.id;
    });
    return { ...base, outcome: found ? 'updated' : 'imported', localId: id, warnings: [] };
  } catch (e) {
    await prepared?.discard();
    if (e instanceof Error && !isItemError(e)) throw e;
    return { ...base, outcome: 'failed', reason: e instanceof Error ? e.message : String(e), warnings: [] };
  }
}

export { WxrError };
