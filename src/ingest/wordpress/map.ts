import { DateTime } from 'luxon';
import type { ArticleStatus } from '../../domain/article.js';
import { isValidTimeZone } from '../../domain/time.js';
import { splitCaption, textOf, type PendingImage } from './html.js';
import { decodeSlug, metaValue, metaValues, type WxrAuthor, type WxrCategory, type WxrComment, type WxrItem, type WxrSite } from './wxr.js';

/**
 * WordPress → Nashra mapping rules that need no store: statuses, dates, images' caption and
 * credit, old permalinks, sections' parent order. Each rule is stated in docs/wordpress-import.md.
 */

// ---------------------------------------------------------------- what an item becomes

export type ItemTarget = 'article' | 'page' | 'attachment' | 'skip';

/** Posts become articles, pages static pages, attachments media; anything else is skipped with a reason. */
export function itemTarget(item: WxrItem): { target: ItemTarget; reason?: string } {
  if (item.type === 'post') return { target: 'article' };
  if (item.type === 'page') return { target: 'page' };
  if (item.type === 'attachment') return { target: 'attachment' };
  if (item.type === 'nav_menu_item') return { target: 'skip', reason: 'menu item (menus are not imported)' };
  return { target: 'skip', reason: `post type "${item.postType || '?'}" is not imported` };
}

// ---------------------------------------------------------------- status

/**
 * publish → published; future → scheduled; draft → draft; pending (WordPress' "pending review")
 * → in_review; private → unpublished (kept, never shown to readers). auto-draft, trash and
 * inherit (revisions) are not content: skipped.
 */
export const STATUS_MAP: Readonly<Record<string, ArticleStatus>> = {
  publish: 'published',
  future: 'scheduled',
  draft: 'draft',
  pending: 'in_review',
  private: 'unpublished',
};

export function mapStatus(wpStatus: string): { status: ArticleStatus } | { skip: string } {
  const status = STATUS_MAP[wpStatus];
  if (status) return { status };
  if (wpStatus === 'trash') return { skip: 'in the WordPress trash' };
  if (wpStatus === 'auto-draft') return { skip: 'an empty auto-draft' };
  return { skip: `status "${wpStatus || '?'}" is not imported` };
}

// ---------------------------------------------------------------- dates

const WP_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** `YYYY-MM-DD HH:MM:SS` in `zone` → UTC ISO (`…Z`); null for the zero date or an impossible one. */
export function wpTimeToUtc(text: string, zone: string): string | null {
  const m = WP_DATE_RE.exec(text.trim());
  if (!m || m[1] === '0000') return null;
  const dt = DateTime.fromObject(
    { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +(m[6] ?? 0) },
    { zone },
  );
  if (!dt.isValid) return null;
  // luxon moves a wall-clock time inside a spring-forward gap; WordPress never wrote one, so
  // a moved time means the zone given is not the site's.
  if (dt.hour !== +m[4]! || dt.minute !== +m[5]!) return null;
  return dt.toUTC().toISO({ suppressMilliseconds: true });
}

export interface ItemDate {
  /** UTC instant, ISO 8601 with `Z`. */
  utc: string;
  /** `gmt`: from post_date_gmt; `local`: post_date read in the newsroom zone (drafts). */
  from: 'gmt' | 'local';
}

/**
 * The item's date: post_date_gmt when WordPress stored one; otherwise (drafts and pending posts
 * have `0000-00-00 00:00:00`) post_date read as wall-clock time in `zone` — the `--timezone`
 * option, by default the site's configured zone. Null when neither is a date.
 */
// Checking a zone builds an Intl formatter: once per zone, not once per item of a large export.
const knownZones = new Set<string>();

export function itemDate(item: Pick<WxrItem, 'postDate' | 'postDateGmt'>, zone: string): ItemDate | null {
  if (!knownZones.has(zone)) {
    if (!isValidTimeZone(zone)) throw new Error(`unknown time zone "${zone}"`);
    knownZones.add(zone);
  }
  const gmt = wpTimeToUtc(item.postDateGmt, 'UTC');
  if (gmt) return { utc: gmt, from: 'gmt' };
  const local = wpTimeToUtc(item.postDate, zone);
  return local ? { utc: local, from: 'local' } : null;
}

/** post_modified_gmt, else post_modified in `zone`, as for `itemDate`. */
export function itemModified(item: Pick<WxrItem, 'postModified' | 'postModifiedGmt'>, zone: string): ItemDate | null {
  return itemDate({ postDate: item.postModified, postDateGmt: item.postModifiedGmt }, zone);
}

/**
 * The site's UTC offset (minutes) at an item's date, from its post_date/post_date_gmt pair; null
 * for drafts. A WXR file never names the zone; the importer compares these with `--timezone` to
 * warn when the zone given does not match the site's.
 */
export function siteOffsetMinutes(item: Pick<WxrItem, 'postDate' | 'postDateGmt'>): number | null {
  const local = wpTimeToUtc(item.postDate, 'UTC');
  const gmt = wpTimeToUtc(item.postDateGmt, 'UTC');
  if (!local || !gmt) return null;
  return Math.round((Date.parse(local) - Date.parse(gmt)) / 60_000);
}

/** True when `zone` gives the same offset the file shows for this item (or the file shows none). */
export function zoneMatches(item: Pick<WxrItem, 'postDate' | 'postDateGmt'>, zone: string): boolean {
  const offset = siteOffsetMinutes(item);
  if (offset === null) return true;
  const gmt = wpTimeToUtc(item.postDateGmt, 'UTC')!;
  return DateTime.fromISO(gmt, { zone }).offset === offset;
}

// ---------------------------------------------------------------- people and terms

/** The byline name: display name, else first and last name, else the login. */
export function authorName(a: WxrAuthor): string {
  return a.displayName || [a.firstName, a.lastName].filter(Boolean).join(' ') || a.login;
}

export function itemCategories(item: WxrItem): { slug: string; name: string }[] {
  return item.terms.filter((t) => t.domain === 'category').map(({ slug, name }) => ({ slug, name }));
}

export function itemTags(item: WxrItem): { slug: string; name: string }[] {
  return item.terms.filter((t) => t.domain === 'post_tag').map(({ slug, name }) => ({ slug, name }));
}

/**
 * Categories ordered parents first (so each section's parent exists when it is created). A
 * parent missing from the file, or a loop, makes the category top-level, with a warning.
 */
export function orderCategories(cats: readonly WxrCategory[]): { categories: WxrCategory[]; warnings: string[] } {
  const bySlug = new Map(cats.map((c) => [c.slug, c]));
  const warnings: string[] = [];
  const done = new Set<string>();
  const out: WxrCategory[] = [];
  const visit = (c: WxrCategory, path: Set<string>) => {
    if (done.has(c.slug)) return;
    let parent = c.parent;
    if (parent !== null && !bySlug.has(parent)) {
      warnings.push(`category "${c.name}": parent "${parent}" is not in the file; made top-level`);
      parent = null;
    } else if (parent !== null && path.has(parent)) {
      warnings.push(`category "${c.name}": parent loop through "${parent}"; made top-level`);
      parent = null;
    }
    if (parent !== null) visit(bySlug.get(parent)!, new Set([...path, c.slug]));
    if (done.has(c.slug)) return;
    done.add(c.slug);
    out.push({ ...c, parent });
  };
  for (const c of cats) visit(c, new Set([c.slug]));
  return { categories: out, warnings };
}

/** The summary: the custom excerpt as plain text; empty when WordPress would generate one. */
export function itemSummary(item: WxrItem): string {
  return textOf(item.excerpt);
}

/** Sticky posts become featured articles. */
export function isFeatured(item: WxrItem): boolean {
  return item.type === 'post' && item.isSticky;
}

// ---------------------------------------------------------------- comments (counted, not imported)

export interface CommentCounts {
  total: number;
  approved: number;
  pending: number;
  /** spam and trash */
  other: number;
  replies: number;
}

export function countComments(comments: readonly WxrComment[]): CommentCounts {
  const c: CommentCounts = { total: 0, approved: 0, pending: 0, other: 0, replies: 0 };
  for (const x of comments) {
    c.total++;
    if (x.approved === '1') c.approved++;
    else if (x.approved === '0') c.pending++;
    else c.other++;
    if (x.parent !== 0) c.replies++;
  }
  return c;
}

export function addCounts(a: CommentCounts, b: CommentCounts): CommentCounts {
  return { total: a.total + b.total, approved: a.approved + b.approved, pending: a.pending + b.pending, other: a.other + b.other, replies: a.replies + b.replies };
}

// ---------------------------------------------------------------- images

/** `_thumbnail_id`: the featured image's attachment id. */
export function thumbnailId(item: WxrItem): number | null {
  const v = metaValue(item, '_thumbnail_id')?.trim();
  return v && /^\d+$/.test(v) && v !== '0' ? Number(v) : null;
}

export interface AttachmentImage extends PendingImage {
  attachmentId: number;
  /** Path under `wp-content/uploads` (`2021/01/damascus-souq.jpg`): the file under `--uploads`. */
  file?: string;
  /** The post the attachment was uploaded to (`wp:post_parent`), 0 for none. */
  parentId: number;
}

/**
 * A media attachment as an image: its caption is the attachment's excerpt, split into caption
 * and credit like the seed pages (`… (رويترز)`); alt text is `_wp_attachment_image_alt`.
 */
export function attachmentImage(att: WxrItem): AttachmentImage | null {
  if (att.type !== 'attachment' || att.postId === null) return null;
  const file = metaValue(att, '_wp_attached_file')?.trim() || uploadsPath(att.attachmentUrl) || undefined;
  const alt = metaValue(att, '_wp_attachment_image_alt')?.trim();
  return {
    attachmentId: att.postId,
    ...(att.attachmentUrl ? { src: att.attachmentUrl } : {}),
    ...(file ? { file } : {}),
    ...(alt ? { alt } : {}),
    ...splitCaption(textOf(att.excerpt)),
    parentId: att.parent,
  };
}

/**
 * `https://site/wp-content/uploads/2021/01/x-300x188.jpg` → `2021/01/x-300x188.jpg` (decoded);
 * with `original`, WordPress' size suffix is removed (`2021/01/x.jpg`), the file the sizes came from.
 */
export function uploadsPath(url: string, opts: { original?: boolean } = {}): string | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'https://x.invalid/').pathname);
  } catch {
    return null;
  }
  const at = path.indexOf('/wp-content/uploads/');
  if (at < 0) return null;
  const rel = path.slice(at + '/wp-content/uploads/'.length);
  if (!rel || rel.split('/').some((seg) => seg === '..' || seg === '')) return null;
  return opts.original ? rel.replace(/-\d+x\d+(\.[a-z0-9]+)$/i, '$1') : rel;
}

// ---------------------------------------------------------------- old URLs

export interface OldUrl {
  /** Decoded path (and query for `?p=N`), as requests for it will be matched: `/2021/01/14/أسعار-…/`. */
  path: string;
  kind: 'permalink' | 'old-slug' | 'shortlink';
}

function sameSite(u: URL, site: Pick<WxrSite, 'baseSiteUrl' | 'baseBlogUrl' | 'link'>): boolean {
  const hosts = [site.baseBlogUrl, site.baseSiteUrl, site.link]
    .map((s) => (URL.canParse(s) ? new URL(s).host.toLowerCase() : null))
    .filter((h): h is string => h !== null);
  return hosts.length === 0 || hosts.includes(u.host.toLowerCase());
}

/**
 * The paths under which WordPress served this item, each to answer 301 to its new URL: its
 * permalink (`<link>`), the same permalink with each `_wp_old_slug` in place of the slug (what
 * WordPress' own old-slug redirect answers), and the `?p=N` / `?page_id=N` shortlink. Drafts
 * and other unpublished items were never public, so they keep none.
 */
export function oldUrls(item: WxrItem, site: Pick<WxrSite, 'baseSiteUrl' | 'baseBlogUrl' | 'link'>): { urls: OldUrl[]; warnings: string[] } {
  const warnings: string[] = [];
  if (item.status !== 'publish' || (item.type !== 'post' && item.type !== 'page')) return { urls: [], warnings };
  const urls: OldUrl[] = [];
  const add = (path: string, kind: OldUrl['kind']) => {
    if (!urls.some((u) => u.path === path)) urls.push({ path, kind });
  };
  const link = URL.canParse(item.link) ? new URL(item.link) : null;
  if (!link) {
    warnings.push(`permalink "${item.link}" is not a URL; no redirect from it`);
  } else if (!sameSite(link, site)) {
    warnings.push(`permalink ${item.link} is on another site; no redirect from it`);
  } else {
    const segments = link.pathname.split('/');
    const path = decodeSlug(link.pathname) + (link.search && link.pathname === '/' ? link.search : '');
    add(path, link.search && link.pathname === '/' ? 'shortlink' : 'permalink');
    const slugAt = segments.findLastIndex((s) => s && decodeSlug(s) === item.slug);
    // WordPress can store the same old slug twice (renamed back and forth).
    for (const oldSlug of new Set(metaValues(item, '_wp_old_slug').map(decodeSlug))) {
      if (!oldSlug || oldSlug === item.slug) continue;
      if (slugAt < 0) {
        warnings.push(`old slug "${oldSlug}": the permalink ${item.link} does not contain the slug; no redirect from it`);
        continue;
      }
      const parts = [...segments];
      parts[slugAt] = encodeURIComponent(oldSlug);
      add(decodeSlug(parts.join('/')), 'old-slug');
    }
  }
  if (item.postId !== null) add(item.type === 'page' ? `/?page_id=${item.postId}` : `/?p=${item.postId}`, 'shortlink');
  return { urls, warnings };
}
