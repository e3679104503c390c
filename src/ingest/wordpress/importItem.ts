import { articlePath, type ArticleInput } from '../../domain/article.js';
import { createArticleIn, replaceArticleIn } from '../../services/articles.js';
import type { Services } from '../../services/index.js';
import { createPageIn, replacePageIn, type PageInput } from '../../services/pages.js';
import { pagePath, storedRedirectPath } from '../../services/redirects.js';
import { findImportKey, localRowExists, saveImportKey, setImportedArticleState } from '../../store/importKeys.js';
import { redirectTargetState, saveRedirects } from '../../store/redirects.js';
import type { NamedCache } from '../../store/taxonomy.js';
import { convertBody, resolveImages, type PendingImage } from './body.js';
import { hashOf, itemTransaction } from './transaction.js';
import {
  isFeatured,
  itemCategories,
  itemDate,
  itemModified,
  itemSummary,
  itemTags,
  mapStatus,
  oldUrls,
  thumbnailId,
  uploadsPath,
  type AttachmentImage,
} from './map.js';
import type { ItemReport } from './report.js';
import type { WxrItem, WxrSite } from './wxr.js';

/** What every post and page import needs from the first pass. */
export interface SiteContext {
  services: Services;
  source: string;
  site: WxrSite;
  zone: string;
  dryRun: boolean;
  /** login → byline */
  authorNames: Map<string, string>;
  attachments: Map<number, AttachmentImage>;
  /** WordPress attachment id → media id (attachments imported, or imported by an earlier run). */
  mediaIds: Map<number, number>;
  /** File under uploads → attachment id, for body images that name no attachment. */
  byFile: Map<string, number>;
  /** Sections, tags and authors by slug for the run; emptied whenever an item's transaction rolls back. */
  names: NamedCache;
}

const iso = (utc: string) => new Date(utc).toISOString();

function mediaFor(ctx: SiteContext, img: PendingImage): number | null {
  if (img.attachmentId !== undefined) {
    const id = ctx.mediaIds.get(img.attachmentId);
    if (id !== undefined) return id;
  }
  if (img.src) {
    for (const file of [uploadsPath(img.src, { original: true }), uploadsPath(img.src)]) {
      const att = file ? ctx.byFile.get(file) : undefined;
      const id = att !== undefined ? ctx.mediaIds.get(att) : undefined;
      if (id !== undefined) return id;
    }
  }
  return null;
}

/**
 * A post (→ article) or page (→ static page) in one transaction, keyed by its post id and GUID:
 * new → imported, different from what the last run wrote → updated (a new revision), same →
 * unchanged (nothing written). Its old permalinks are pointed at it in the same transaction.
 */
export async function importEntry(ctx: SiteContext, item: WxrItem, kind: 'article' | 'page'): Promise<ItemReport> {
  const { services, source } = ctx;
  const { config } = services;
  const warnings: string[] = [];
  const base = { kind, wpId: String(item.postId ?? item.guid), line: item.line, title: item.title, wpStatus: item.status };
  const mapped = mapStatus(item.status);
  if ('skip' in mapped) return { ...base, outcome: 'skipped', reason: mapped.skip, warnings };
  const status = mapped.status;

  const date = itemDate(item, ctx.zone);
  if (!date && (status === 'published' || status === 'scheduled')) {
    throw new Error(`no usable date: post_date_gmt "${item.postDateGmt}", post_date "${item.postDate}" in ${ctx.zone}`);
  }
  if (!date) warnings.push(`no usable date (post_date "${item.postDate}" in ${ctx.zone}); dated at import time`);
  const modified = itemModified(item, ctx.zone);

  const body = convertBody(item.content);
  warnings.push(...body.warnings);
  const resolved = resolveImages(body.blocks, (img) => mediaFor(ctx, img));
  warnings.push(...resolved.warnings);

  let title = item.title.trim();
  if (!title) {
    title = 'بلا عنوان';
    warnings.push('untitled in WordPress: titled "بلا عنوان"');
  }
  const old = oldUrls(item, ctx.site);
  warnings.push(...old.warnings);
  const paths = old.urls.map((u) => storedRedirectPath(u.path));
  const keys = [...(item.postId !== null ? [`id:${item.postId}`] : []), ...(item.guid ? [`guid:${item.guid}`] : [])];
  if (keys.length === 0) throw new Error('the item has neither a post id nor a GUID: it could not be found again on a second run');

  const created = date ? iso(date.utc) : new Date().toISOString();
  const changed = modified && (!date || modified.utc > date.utc) ? iso(modified.utc) : created;

  let write: (trx: Parameters<typeof createArticleIn>[0], existing: number | null) => Promise<number>;
  let reportStatus: string;
  let hashInput: unknown;
  if (kind === 'page') {
    const pageStatus = status === 'published' ? 'published' : 'draft';
    reportStatus = pageStatus;
    const input: PageInput = { title, slug: item.slug || title, body: resolved.blocks, status: pageStatus, position: item.menuOrder > 0 ? Math.min(item.menuOrder, 1000) : undefined };
    hashInput = input;
    write = async (trx, existing) => {
      if (existing === null) return createPageIn(trx, input, created);
      await replacePageIn(trx, existing, input, changed);
      return existing;
    };
  } else {
    reportStatus = status;
    const thumb = thumbnailId(item);
    let lead: ArticleInput['lead'];
    if (thumb !== null) {
      const att = ctx.attachments.get(thumb);
      const mediaId = ctx.mediaIds.get(thumb);
      if (!att) warnings.push(`featured image: attachment ${thumb} is not in the file`);
      else if (mediaId === undefined) warnings.push(`featured image ${att.file ?? att.src ?? thumb} was not imported: the article has no lead image`);
      else lead = { mediaId, ...(att.caption ? { caption: att.caption } : {}), ...(att.credit ? { credit: att.credit } : {}) };
    }
    // One section per article: the first category. The others become tags, so no label is lost.
    const cats = itemCategories(item);
    const author = ctx.authorNames.get(item.creator);
    if (item.creator && !author) warnings.push(`author "${item.creator}" is not in the file: no byline`);
    const summary = itemSummary(item).slice(0, 1000);
    const input: ArticleInput = {
      headline: title.slice(0, 300),
      ...(summary ? { summary } : {}),
      body: resolved.blocks,
      ...(lead ? { lead } : {}),
      section: cats[0]?.name ?? config.defaultSection,
      tags: [...new Set([...itemTags(item).map((t) => t.name), ...cats.slice(1).map((c) => c.name)])],
      authors: author ? [author] : [],
      status,
      ...(date && (status === 'published' || status === 'unpublished') ? { publishedAt: iso(date.utc) } : {}),
      timeZone: ctx.zone,
      city: config.city,
    };
    const scheduledAt = status === 'scheduled' && date ? iso(date.utc) : null;
    const featured = isFeatured(item);
    hashInput = { input, scheduledAt, featured };
    write = async (trx, existing) => {
      let id: number;
      // A dry run rolls every item back: nothing it looked up or created may be remembered.
      const names = ctx.dryRun ? undefined : ctx.names;
      if (existing === null) id = await createArticleIn(trx, input, created, {}, names);
      else {
        id = existing;
        await replaceArticleIn(trx, id, input, changed, {}, names);
      }
      await setImportedArticleState(trx, id, { featured, scheduledAt, updatedAt: changed });
      return id;
    };
  }
  const hash = hashOf({ v: 1, hashInput, paths, created, changed });
  const table = kind === 'page' ? 'pages' : 'articles';

  try {
    return await itemTransaction(services.store.db, ctx.dryRun, async (trx) => {
      const found = await findImportKey(trx, source, kind, keys);
      const existing = found && (await localRowExists(trx, table, found.localId)) ? found.localId : null;
      let id: number;
      let outcome: ItemReport['outcome'];
      if (existing !== null && found!.hash === hash) {
        id = existing;
        outcome = 'unchanged';
      } else {
        id = await write(trx, existing);
        outcome = existing === null ? 'imported' : 'updated';
        await saveRedirects(trx, paths, { target_type: kind, target_id: id, source }, changed);
        await saveImportKey(trx, { source, kind, externalIds: keys, localId: id, hash, at: new Date().toISOString() });
      }
      // Only what readers can open has a URL (and only then is the current slug read).
      const now = reportStatus === 'published' ? await redirectTargetState(trx, { target_type: kind, target_id: id }) : undefined;
      const url = now?.status === 'published' ? config.baseUrl + (kind === 'page' ? pagePath(now.slug) : articlePath(now)) : undefined;
      return { ...base, title, outcome, localId: id, ...(url ? { url } : {}), status: reportStatus, warnings };
    });
  } catch (e) {
    ctx.names.clear(); // rolled back: a section, tag or author created in it is gone
    throw e;
  }
}
