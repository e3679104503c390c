import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { BodySchema } from '../../../src/domain/blocks.js';
import { convertBody, pendingImages, resolveImages } from '../../../src/ingest/wordpress/body.js';
import { textOf } from '../../../src/ingest/wordpress/html.js';
import {
  attachmentImage,
  authorName,
  countComments,
  isFeatured,
  itemCategories,
  itemDate,
  itemSummary,
  itemTags,
  mapStatus,
  oldUrls,
  orderCategories,
  thumbnailId,
  uploadsPath,
  wpTimeToUtc,
  zoneMatches,
} from '../../../src/ingest/wordpress/map.js';
import { metaValues, readWxr, type WxrAuthor, type WxrCategory, type WxrItem, type WxrRecord, type WxrSite, type WxrTag } from '../../../src/ingest/wordpress/wxr.js';
import { type ExpectedImage, type ExpectedPost, WP_DIR, WP_XML, wpFixturePresent } from './importFixture.js';

// The real WordPress 6.1.9 export and its list of facts (README.md, sample-expected.json).
const present = wpFixturePresent();

const ZONE = 'Asia/Damascus'; // the site's zone (not in the file): what --timezone would be given
const STATUS: Record<string, string> = { publish: 'published', private: 'unpublished', draft: 'draft', future: 'scheduled' };

describe.runIf(present)('WordPress fixture: sample-export.xml', () => {
  const expected = present ? JSON.parse(readFileSync(join(WP_DIR, 'sample-expected.json'), 'utf8')) : null;
  const records: WxrRecord[] = [];
  let site: WxrSite;
  let authors: WxrAuthor[];
  let items: Map<number, WxrItem>;
  const expectedPosts = (): ExpectedPost[] => (present ? [...expected.posts, ...expected.pages] : []);

  beforeAll(async () => {
    for await (const r of readWxr(WP_XML)) records.push(r);
    site = records.find((r): r is WxrSite => r.kind === 'site')!;
    authors = records.filter((r): r is WxrAuthor => r.kind === 'author');
    items = new Map(records.filter((r): r is WxrItem => r.kind === 'item').map((i) => [i.postId!, i]));
  });

  it('reads the site header first, and no warnings', () => {
    expect(records[0]).toMatchObject({ kind: 'site', title: expected.site.title, link: expected.site.url, language: 'ar', wxrVersion: '1.2' });
    expect(site.baseBlogUrl).toBe(expected.site.url);
    expect(records.filter((r) => r.kind === 'warning')).toEqual([]);
  });

  it('counts what the README lists', () => {
    const all = [...items.values()];
    const posts = all.filter((i) => i.type === 'post');
    expect(posts).toHaveLength(expected.counts.posts);
    const byStatus: Record<string, number> = {};
    for (const p of posts) byStatus[p.status] = (byStatus[p.status] ?? 0) + 1;
    expect(byStatus).toEqual(expected.counts.posts_by_status);
    expect(all.filter((i) => i.type === 'page')).toHaveLength(expected.counts.pages);
    expect(all.filter((i) => i.type === 'attachment')).toHaveLength(expected.counts.attachments);
    expect(authors).toHaveLength(expected.counts.authors);
    expect(records.filter((r) => r.kind === 'category')).toHaveLength(expected.counts.categories);
    expect(records.filter((r) => r.kind === 'tag')).toHaveLength(expected.counts.tags);
    const c = all.map((i) => countComments(i.comments)).reduce((a, b) => ({
      total: a.total + b.total, approved: a.approved + b.approved, pending: a.pending + b.pending, other: 0, replies: a.replies + b.replies,
    }));
    expect(c).toEqual({
      total: expected.counts.comments, approved: expected.counts.comments_approved,
      pending: expected.counts.comments_pending, other: 0, replies: expected.counts.comment_replies,
    });
  });

  it('reads the authors', () => {
    expect(authors.map((a) => ({ login: a.login, display_name: authorName(a), email: a.email, first_name: a.firstName, last_name: a.lastName })))
      .toEqual(expected.authors);
  });

  it('reads categories (decoded slugs, parents) and tags', () => {
    const cats = records.filter((r): r is WxrCategory => r.kind === 'category');
    const { categories, warnings } = orderCategories(cats);
    expect(warnings).toEqual([]);
    const sortBySlug = <T extends { slug: string }>(l: T[]) => [...l].sort((a, b) => a.slug.localeCompare(b.slug));
    expect(sortBySlug(categories.map(({ name, slug, parent }) => ({ name, slug, parent })))).toEqual(sortBySlug(expected.categories));
    const tags = records.filter((r): r is WxrTag => r.kind === 'tag');
    expect(sortBySlug(tags.map(({ name, slug }) => ({ name, slug })))).toEqual(sortBySlug(expected.tags));
  });

  it.each(expectedPosts().map((p) => [p.wp_post_id, p] as const))('post %i: identity, status, dates, people, terms', (id, p) => {
    const item = items.get(id)!;
    expect(item).toBeDefined();
    expect(item.type).toBe(p.type);
    expect(item.title).toBe(p.title);
    expect(item.slug).toBe(p.slug);
    expect(item.slugEncoded).toBe(p.slug_encoded);
    expect(item.link).toBe(p.wp_link);
    expect(item.status).toBe(p.status);
    expect(mapStatus(item.status)).toEqual({ status: STATUS[p.status] });
    // The date: post_date_gmt, or for the draft post_date read in the newsroom zone.
    const date = itemDate(item, ZONE)!;
    expect(date.utc).toBe(DateTime.fromISO(p.date_damascus).toUTC().toISO({ suppressMilliseconds: true }));
    if (p.date_utc) expect(date).toEqual({ utc: p.date_utc.replace('.000', ''), from: 'gmt' });
    else expect(date.from).toBe('local');
    expect(zoneMatches(item, ZONE)).toBe(true);
    expect(item.creator).toBe(p.author.login);
    expect(authorName(authors.find((a) => a.login === item.creator)!)).toBe(p.author.display_name);
    const cats = new Map(records.filter((r): r is WxrCategory => r.kind === 'category').map((c) => [c.slug, c]));
    expect(itemCategories(item).map((c) => ({ ...c, parent: cats.get(c.slug)!.parent })).sort((a, b) => a.slug.localeCompare(b.slug)))
      .toEqual([...p.categories].sort((a, b) => a.slug.localeCompare(b.slug)));
    expect(itemTags(item).sort((a, b) => a.slug.localeCompare(b.slug))).toEqual([...p.tags].sort((a, b) => a.slug.localeCompare(b.slug)));
    expect(itemSummary(item)).toBe(p.excerpt);
    expect(isFeatured(item)).toBe(p.sticky);
    expect(metaValues(item, '_wp_old_slug').map(decodeURIComponent)).toEqual(p.old_slugs);
  });

  it.each(expectedPosts().map((p) => [p.wp_post_id, p] as const))('post %i: featured image, body and its images', (id, p) => {
    const item = items.get(id)!;
    const thumb = thumbnailId(item);
    if (!p.featured_image) expect(thumb).toBeNull();
    else {
      const att = items.get(thumb!)!;
      const image = attachmentImage(att)!;
      expect(image).toMatchObject({
        attachmentId: thumb,
        file: p.featured_image.file,
        caption: p.featured_image.caption_text,
        credit: p.featured_image.credit,
        alt: p.featured_image.alt,
        parentId: id,
      });
      expect(textOf(att.excerpt)).toBe(p.featured_image.caption);
      expect(existsSync(join(WP_DIR, 'uploads', image.file!))).toBe(true);
    }

    const body = convertBody(item.content);
    expect(body.editor).toBe(p.editor);
    expect(body.warnings).toEqual([]); // the fixture's bodies convert with nothing lost
    const images = pendingImages(body.blocks);
    expect(
      images.map((i) => ({ file: uploadsPath(i.src!, { original: true }), caption: `${i.caption} (${i.credit})`, credit: i.credit, alt: i.alt })),
    ).toEqual(p.body_images.map(({ file, caption, credit, alt }) => ({ file, caption, credit, alt })));
    // Each body image names its attachment, which is attached to this post.
    for (const i of images) expect(items.get(i.attachmentId!)).toMatchObject({ type: 'attachment', parent: id });
    // Once images have media ids, the body is a valid Nashra body.
    const resolved = resolveImages(body.blocks, (i) => i.attachmentId ?? null);
    expect(resolved.warnings).toEqual([]);
    expect(BodySchema.safeParse(resolved.blocks).success).toBe(true);
    expect(resolved.blocks.length).toBeGreaterThan(0);
  });

  it.each(expectedPosts().map((p) => [p.wp_post_id, p] as const))('post %i: comments counted, with their facts', (id, p) => {
    const item = items.get(id)!;
    const logins = new Map(authors.map((a) => [a.id, a.login]));
    expect(
      item.comments.map((c) => ({
        wp_comment_id: c.id,
        author: c.author,
        approved: c.approved === '1',
        parent: c.parent,
        user_login: c.userId ? (logins.get(c.userId) ?? null) : null,
        date_utc: wpTimeToUtc(c.dateGmt, 'UTC'),
      })),
    ).toEqual(p.comments);
  });

  it('the old slug and the permalinks are the paths to redirect; unpublished posts keep none', () => {
    const urls = (id: number) => oldUrls(items.get(id)!, site);
    expect(urls(17)).toEqual({
      urls: [
        { path: '/2023/02/12/موازنة-محافظة-دمشق-2023/', kind: 'permalink' },
        { path: '/2023/02/12/مجلس-المحافظة-يقر-الموازنة/', kind: 'old-slug' },
        { path: '/?p=17', kind: 'shortlink' },
      ],
      warnings: [],
    });
    expect(urls(4).urls.map((u) => u.path)).toEqual(['/من-نحن/', '/?page_id=4']);
    for (const p of expectedPosts()) {
      const { urls: list } = urls(p.wp_post_id);
      if (p.status === 'publish') expect(list[0]!.path).toBe(decodeURIComponent(new URL(p.wp_link).pathname));
      else expect(list).toEqual([]);
    }
  });

  it('the draft: no GMT date, so its date depends on the newsroom zone given', () => {
    const draft = items.get(25)!;
    expect(draft.postDateGmt).toBe('0000-00-00 00:00:00');
    expect(draft.pubDate).toBe('');
    expect(itemDate(draft, 'Asia/Damascus')).toEqual({ utc: '2024-05-06T10:00:00Z', from: 'local' });
    expect(itemDate(draft, 'Europe/London')).toEqual({ utc: '2024-05-06T12:00:00Z', from: 'local' });
    // Dated posts do not depend on it, and the file's offsets show which zone is the site's.
    expect(itemDate(items.get(5)!, 'Europe/London')).toEqual({ utc: '2021-01-14T07:30:00Z', from: 'gmt' });
    expect(zoneMatches(items.get(8)!, 'Europe/London')).toBe(false);
  });

  it('Damascus offsets change with the season until late 2022, and are +03:00 after', () => {
    const offsets = [5, 8, 11, 13, 14, 17, 20, 23].map((id) => {
      const i = items.get(id)!;
      return (Date.parse(i.postDate.replace(' ', 'T') + 'Z') - Date.parse(i.postDateGmt.replace(' ', 'T') + 'Z')) / 3_600_000;
    });
    expect(offsets).toEqual([2, 3, 2, 2, 3, 3, 3, 3]);
  });
});
