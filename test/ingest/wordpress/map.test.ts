import { describe, expect, it } from 'vitest';
import {
  attachmentImage,
  authorName,
  countComments,
  itemDate,
  itemTarget,
  mapStatus,
  oldUrls,
  orderCategories,
  siteOffsetMinutes,
  thumbnailId,
  uploadsPath,
  wpTimeToUtc,
  zoneMatches,
} from '../../../src/ingest/wordpress/map.js';
import type { WxrCategory, WxrComment, WxrItem } from '../../../src/ingest/wordpress/wxr.js';

function item(over: Partial<WxrItem>): WxrItem {
  return {
    kind: 'item', line: 1, title: 't', link: '', pubDate: '', creator: 'a', guid: '', description: '', content: '',
    excerpt: '', postId: 1, postDate: '', postDateGmt: '', postModified: '', postModifiedGmt: '', commentStatus: 'open',
    pingStatus: 'closed', slug: 's', slugEncoded: 's', status: 'publish', parent: 0, menuOrder: 0, postType: 'post',
    type: 'post', password: '', isSticky: false, attachmentUrl: '', terms: [], meta: [], comments: [], ...over,
  };
}
const site = { baseSiteUrl: 'https://old.example', baseBlogUrl: 'https://old.example', link: 'https://old.example' };
const cat = (slug: string, parent: string | null): WxrCategory => ({ kind: 'category', termId: null, slug, slugEncoded: slug, parent, name: slug.toUpperCase(), description: '' });

describe('WordPress mapping rules', () => {
  it('statuses: each WordPress status stated; non-content ones skipped with a reason', () => {
    expect(['publish', 'future', 'draft', 'pending', 'private'].map(mapStatus)).toEqual([
      { status: 'published' }, { status: 'scheduled' }, { status: 'draft' }, { status: 'in_review' }, { status: 'unpublished' },
    ]);
    expect(mapStatus('trash')).toEqual({ skip: 'in the WordPress trash' });
    expect(mapStatus('auto-draft')).toEqual({ skip: 'an empty auto-draft' });
    expect(mapStatus('inherit')).toEqual({ skip: 'status "inherit" is not imported' });
  });

  it('item targets: posts, pages, attachments; menus and custom types skipped', () => {
    expect(itemTarget(item({ type: 'page' }))).toEqual({ target: 'page' });
    expect(itemTarget(item({ type: 'nav_menu_item' })).target).toBe('skip');
    expect(itemTarget(item({ type: 'other', postType: 'product' }))).toEqual({ target: 'skip', reason: 'post type "product" is not imported' });
  });

  it('dates: GMT when stored, the newsroom zone for drafts, DST gaps and impossible dates refused', () => {
    expect(itemDate({ postDate: '2021-07-08 18:15:00', postDateGmt: '2021-07-08 15:15:00' }, 'Asia/Damascus')).toEqual({ utc: '2021-07-08T15:15:00Z', from: 'gmt' });
    expect(itemDate({ postDate: '2024-05-06 13:00:00', postDateGmt: '0000-00-00 00:00:00' }, 'Asia/Damascus')).toEqual({ utc: '2024-05-06T10:00:00Z', from: 'local' });
    expect(itemDate({ postDate: '2024-01-06 13:00:00', postDateGmt: '' }, 'Africa/Cairo')).toEqual({ utc: '2024-01-06T11:00:00Z', from: 'local' });
    expect(itemDate({ postDate: '0000-00-00 00:00:00', postDateGmt: '0000-00-00 00:00:00' }, 'UTC')).toBeNull();
    expect(wpTimeToUtc('2021-02-30 10:00:00', 'UTC')).toBeNull();
    // 02:30 on the night Berlin springs forward does not exist on a Berlin wall clock.
    expect(wpTimeToUtc('2024-03-31 02:30:00', 'Europe/Berlin')).toBeNull();
    expect(() => itemDate({ postDate: '', postDateGmt: '' }, 'Mars/Olympus')).toThrow(/unknown time zone/);
  });

  it("the site's offset is visible in each dated item, and a wrong --timezone is detectable", () => {
    const winter = { postDate: '2021-01-14 09:30:00', postDateGmt: '2021-01-14 07:30:00' };
    expect(siteOffsetMinutes(winter)).toBe(120);
    expect(zoneMatches(winter, 'Asia/Damascus')).toBe(true);
    expect(zoneMatches(winter, 'Asia/Riyadh')).toBe(false);
    expect(zoneMatches({ postDate: '2024-05-06 13:00:00', postDateGmt: '0000-00-00 00:00:00' }, 'Asia/Riyadh')).toBe(true);
  });

  it('authors: display name, else first and last name, else login', () => {
    const a = { kind: 'author' as const, id: 1, login: 'x.y', email: '', displayName: '', firstName: 'سامي', lastName: 'خليل' };
    expect(authorName(a)).toBe('سامي خليل');
    expect(authorName({ ...a, firstName: '', lastName: '' })).toBe('x.y');
    expect(authorName({ ...a, displayName: 'س. خليل' })).toBe('س. خليل');
  });

  it('categories come parents first; a missing parent or a loop makes a category top-level, with a warning', () => {
    const r = orderCategories([cat('child', 'parent'), cat('grandchild', 'child'), cat('parent', null), cat('orphan', 'gone'), cat('a', 'b'), cat('b', 'a')]);
    expect(r.categories.map((c) => `${c.slug}<${c.parent ?? ''}`)).toEqual(['parent<', 'child<parent', 'grandchild<child', 'orphan<', 'b<', 'a<b']);
    expect(r.warnings).toEqual(['category "ORPHAN": parent "gone" is not in the file; made top-level', 'category "B": parent loop through "a"; made top-level']);
  });

  it('comments are counted by state, replies separately', () => {
    const c = (approved: string, parent = 0) => ({ approved, parent }) as WxrComment;
    expect(countComments([c('1'), c('1', 1), c('0'), c('spam'), c('trash')])).toEqual({ total: 5, approved: 2, pending: 1, other: 2, replies: 1 });
  });

  it('featured image: _thumbnail_id → attachment with caption/credit split and alt; uploads paths', () => {
    expect(thumbnailId(item({ meta: [{ key: '_thumbnail_id', value: '42' }] }))).toBe(42);
    expect(thumbnailId(item({ meta: [{ key: '_thumbnail_id', value: '0' }] }))).toBeNull();
    const att = item({
      type: 'attachment', postType: 'attachment', postId: 42, parent: 7, status: 'inherit',
      excerpt: 'رئيس الوزراء خلال المؤتمر <em>الصحفي</em> (وكالة الأنباء)',
      attachmentUrl: 'https://old.example/wp-content/uploads/2020/03/%D8%B5%D9%88%D8%B1%D8%A9.jpg',
      meta: [{ key: '_wp_attachment_image_alt', value: ' بديل ' }],
    });
    expect(attachmentImage(att)).toEqual({
      attachmentId: 42, src: att.attachmentUrl, file: '2020/03/صورة.jpg', alt: 'بديل',
      caption: 'رئيس الوزراء خلال المؤتمر الصحفي', credit: 'وكالة الأنباء', parentId: 7,
    });
    expect(attachmentImage(item({}))).toBeNull();
    expect(uploadsPath('https://s/wp-content/uploads/2021/01/a-300x188.jpg', { original: true })).toBe('2021/01/a.jpg');
    expect(uploadsPath('https://s/wp-content/uploads/2021/01/a-300x188.jpg')).toBe('2021/01/a-300x188.jpg');
    expect(uploadsPath('https://s/images/a.jpg')).toBeNull();
    expect(uploadsPath('https://s/wp-content/uploads/../../etc/passwd')).toBeNull();
  });

  it('old URLs: permalink, each old slug in the same structure, the shortlink; none for unpublished items', () => {
    const post = item({
      postId: 9, slug: 'جديد', slugEncoded: '%d8%ac%d8%af%d9%8a%d8%af',
      link: 'https://old.example/news/%d8%ac%d8%af%d9%8a%d8%af/',
      meta: [{ key: '_wp_old_slug', value: 'first' }, { key: '_wp_old_slug', value: '%d9%82%d8%af%d9%8a%d9%85' }, { key: '_wp_old_slug', value: 'first' }],
    });
    expect(oldUrls(post, site)).toEqual({
      urls: [
        { path: '/news/جديد/', kind: 'permalink' },
        { path: '/news/first/', kind: 'old-slug' },
        { path: '/news/قديم/', kind: 'old-slug' },
        { path: '/?p=9', kind: 'shortlink' },
      ],
      warnings: [],
    });
    expect(oldUrls({ ...post, status: 'draft' }, site).urls).toEqual([]);
    expect(oldUrls({ ...post, link: 'https://elsewhere.example/news/x/' }, site).warnings).toEqual([
      'permalink https://elsewhere.example/news/x/ is on another site; no redirect from it',
    ]);
    const plain = oldUrls({ ...post, link: 'https://old.example/?p=9' }, site);
    expect(plain.urls).toEqual([{ path: '/?p=9', kind: 'shortlink' }]);
    expect(plain.warnings).toHaveLength(2); // the two distinct old slugs cannot be placed in a ?p= link
  });
});
