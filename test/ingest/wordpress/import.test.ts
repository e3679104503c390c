import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePath } from '../../../src/domain/article.js';
import type { Block } from '../../../src/domain/blocks.js';
import { importWordpress } from '../../../src/ingest/wordpress/importSite.js';
import type { ImportReport } from '../../../src/ingest/wordpress/report.js';
import { buildApp } from '../../../src/web/app.js';
import { openTestSite, storeTargets, type TestSite } from '../../helpers/services.js';
import { loadExpected, WP_UPLOADS, WP_XML, wpFixturePresent, type ExpectedPost } from './importFixture.js';

const ZONE = 'Asia/Damascus';
const STATUS: Record<string, string> = { publish: 'published', private: 'unpublished', draft: 'draft', future: 'scheduled' };

/** Every table the importer writes, counted: a re-run or a dry run must leave these as they were. */
async function rowCounts(site: TestSite): Promise<Record<string, number>> {
  const db = site.services.store.db;
  const out: Record<string, number> = {};
  for (const t of ['articles', 'article_revisions', 'article_tags', 'article_authors', 'media', 'sections', 'tags', 'authors', 'pages', 'redirects', 'import_keys', 'search_documents'] as const) {
    const r = await db.selectFrom(t).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}

async function localId(site: TestSite, kind: string, wpId: number): Promise<number> {
  const r = await site.services.store.db
    .selectFrom('import_keys')
    .select('local_id')
    .where('kind', '=', kind)
    .where('external_id', '=', `id:${wpId}`)
    .executeTakeFirstOrThrow();
  return r.local_id;
}

describe.runIf(wpFixturePresent()).each(storeTargets())('WordPress import of the sample export ($name)', (target) => {
  const expected = loadExpected();
  let site: TestSite;
  let first: ImportReport;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    site = await openTestSite(target, { NASHRA_TIMEZONE: 'Europe/Berlin' });
    first = await importWordpress(site.services, WP_XML, { uploads: WP_UPLOADS, timeZone: ZONE });
    app = await buildApp({ services: site.services });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await site?.dispose();
  });

  it('reports every kind, the statuses and the comments (counted, not imported)', () => {
    const c = first.counts;
    expect(c.author.imported).toBe(expected.counts.authors);
    expect(c.section.imported).toBe(expected.counts.categories);
    expect(c.tag.imported).toBe(expected.counts.tags);
    expect(c.attachment.imported).toBe(expected.counts.attachments);
    expect(c.article.imported).toBe(expected.counts.posts);
    expect(c.page.imported).toBe(expected.counts.pages);
    for (const k of Object.values(c)) expect(k.failed).toBe(0);
    expect(first.statuses).toEqual({ publish: 'published', private: 'unpublished', draft: 'draft', future: 'scheduled' });
    expect(first.comments).toEqual({
      total: expected.counts.comments,
      approved: expected.counts.comments_approved,
      pending: expected.counts.comments_pending,
      other: 0,
      replies: expected.counts.comment_replies,
      imported: 0,
    });
  });

  it('imports authors, sections (top-level) and tags by name', async () => {
    const db = site.services.store.db;
    const authors = await db.selectFrom('authors').select('name').execute();
    expect(authors.map((a) => a.name).sort()).toEqual(expected.authors.map((a) => a.display_name).sort());
    const sections = await db.selectFrom('sections').select(['name', 'slug', 'parent_id']).execute();
    for (const cat of expected.categories) {
      expect(sections).toContainEqual({ name: cat.name, slug: cat.slug, parent_id: null });
    }
    const tags = await db.selectFrom('tags').select(['name', 'slug']).execute();
    for (const t of expected.tags) expect(tags).toContainEqual({ name: t.name, slug: t.slug });
  });

  it.each(loadExpected().posts.map((p) => [p.wp_post_id, p] as const))('post %i: every listed fact', async (_id, post: ExpectedPost) => {
    const id = await localId(site, 'article', post.wp_post_id);
    const a = (await site.services.articles.get(id))!;
    expect(a.headline).toBe(post.title);
    expect(a.status).toBe(STATUS[post.status]);
    // Time-zone cases: the GMT date for dated posts, the draft's wall-clock time read in --timezone.
    if (post.status === 'publish' || post.status === 'private') expect(a.publishedAt).toBe(new Date(post.date_utc!).toISOString());
    if (post.status === 'future') {
      expect(a.publishedAt).toBeNull();
      expect(a.scheduledAt).toBe(new Date(post.date_utc!).toISOString());
    }
    if (post.status === 'draft') {
      expect(post.date_utc).toBeNull();
      expect(a.publishedAt).toBeNull();
      expect(a.createdAt).toBe(new Date(post.date_damascus).toISOString()); // 2024-05-06T10:00:00Z
    }
    expect(a.timeZone).toBe(ZONE);
    expect(a.authors.map((x) => x.name)).toEqual([post.author.display_name]);
    expect(a.section.name).toBe(post.categories[0]!.name);
    // The first category is the section; the others are kept as tags.
    expect(a.tags.map((t) => t.name).sort()).toEqual([...post.tags.map((t) => t.name), ...post.categories.slice(1).map((c) => c.name)].sort());
    const row = await site.services.store.db.selectFrom('articles').select('featured').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.featured).toBe(post.sticky ? 1 : 0);
    if (post.excerpt) expect(a.summary).toBe(post.excerpt);

    if (post.featured_image) {
      expect(a.lead).not.toBeNull();
      expect(a.lead!.caption).toBe(post.featured_image.caption_text);
      expect(a.lead!.credit).toBe(post.featured_image.credit);
      expect(a.lead!.media.alt).toBe(post.featured_image.alt);
      expect(a.lead!.media.originalName).toBe(post.featured_image.file.split('/').pop());
      expect(a.lead!.media.storageKey).not.toBeNull();
    } else {
      expect(a.lead).toBeNull();
    }
    const images = a.body.filter((b): b is Extract<Block, { type: 'image' }> => b.type === 'image');
    expect(images).toHaveLength(post.body_images.length);
    const media = await site.services.store.db.selectFrom('media').selectAll().execute();
    post.body_images.forEach((img, i) => {
      expect(images[i]!.credit).toBe(img.credit);
      expect(img.caption).toBe(`${images[i]!.caption} (${img.credit})`);
      const m = media.find((x) => x.id === images[i]!.mediaId)!;
      expect(m.original_name).toBe(img.file.split('/').pop());
      expect(m.alt).toBe(img.alt);
    });
    if (post.editor === 'classic') expect(a.body.some((b) => b.type === 'paragraph')).toBe(true);
  });

  it('imports the page as a static page, shown at /page/:slug and linked from the footer', async () => {
    const [page] = expected.pages;
    const id = await localId(site, 'page', page!.wp_post_id);
    const p = (await site.services.pages.get(id))!;
    expect(p).toMatchObject({ slug: page!.slug, title: page!.title, status: 'published' });
    expect(p.body.length).toBeGreaterThan(0);
    const res = await app.inject(`/page/${encodeURIComponent(page!.slug)}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<h1>${page!.title}</h1>`);
    expect(res.body).toContain(`<link rel="canonical" href="${site.config.baseUrl}/page/${encodeURIComponent(page!.slug)}"/>`);
    expect(res.headers['surrogate-key']).toContain(`page-${id}`);
    const home = await app.inject('/');
    expect(home.body).toContain(`href="/page/${encodeURIComponent(page!.slug)}"`);
  });

  it('answers every old permalink of a published post or page with 301 to its new URL', async () => {
    for (const post of [...expected.posts, ...expected.pages]) {
      const id = await localId(site, post.type === 'page' ? 'page' : 'article', post.wp_post_id);
      const link = new URL(post.wp_link);
      const shortlink = post.type === 'page' ? `/?page_id=${post.wp_post_id}` : `/?p=${post.wp_post_id}`;
      if (post.status !== 'publish') {
        // Never public in WordPress and not public here: no redirect gives them away.
        expect((await app.inject(shortlink)).statusCode, shortlink).toBe(post.status === 'publish' ? 301 : 200);
        continue;
      }
      const target =
        post.type === 'page'
          ? `/page/${encodeURIComponent(post.slug)}`
          : articlePath((await site.services.articles.get(id))!);
      const oldPaths = [
        link.pathname, // as WordPress wrote it: lowercase percent-encoding, trailing slash
        link.pathname.toUpperCase(), // browsers send uppercase hex
        link.pathname.replace(/\/$/, ''),
        shortlink,
        ...post.old_slugs.map((s) => link.pathname.replace(post.slug_encoded, encodeURIComponent(s))),
      ];
      for (const path of oldPaths) {
        const res = await app.inject(path);
        expect(res.statusCode, path).toBe(301);
        expect(res.headers.location, path).toBe(target);
      }
    }
    // The old slug of post 17 specifically (the README's redirect case).
    const post17 = expected.posts.find((p) => p.wp_post_id === 17)!;
    const old = `/2023/02/12/${encodeURIComponent(post17.old_slugs[0]!)}/`;
    const res = await app.inject(old);
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe(articlePath((await site.services.articles.get(await localId(site, 'article', 17)))!));
    // Unknown old paths stay 404s.
    expect((await app.inject('/2023/02/12/no-such-post/')).statusCode).toBe(404);
    expect((await app.inject('/?p=999999')).statusCode).toBe(200); // the home page, as before
  });

  it('changes nothing when run again: same ids, same rows, same content version', async () => {
    const before = await rowCounts(site);
    const version = await site.services.reader.contentVersion();
    const again = await importWordpress(site.services, WP_XML, { uploads: WP_UPLOADS, timeZone: ZONE });
    for (const [kind, c] of Object.entries(again.counts)) {
      expect({ kind, ...c }).toEqual({ kind, imported: 0, updated: 0, unchanged: first.counts[kind as keyof typeof first.counts].imported, skipped: first.counts[kind as keyof typeof first.counts].skipped, failed: 0 });
    }
    expect(again.items.map((i) => [i.kind, i.wpId, i.localId])).toEqual(first.items.map((i) => [i.kind, i.wpId, i.localId]));
    expect(await rowCounts(site)).toEqual(before);
    expect(await site.services.reader.contentVersion()).toBe(version);
  });

  it('updates a changed post in place (same id, a new revision), and a dry run of that change writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-changed-'));
    const changed = join(dir, 'export.xml');
    writeFileSync(changed, readFileSync(WP_XML, 'utf8').replace('عودة العروض المسرحية إلى خشبة مسرح القباني بعد توقف دام أشهراً', 'عودة العروض إلى مسرح القباني'));
    const id = await localId(site, 'article', 8);
    const before = await rowCounts(site);
    const dry = await importWordpress(site.services, changed, { uploads: WP_UPLOADS, timeZone: ZONE, dryRun: true });
    expect(dry.counts.article).toMatchObject({ updated: 1, unchanged: 9 });
    expect(await rowCounts(site)).toEqual(before);
    expect((await site.services.articles.get(id))!.headline).not.toBe('عودة العروض إلى مسرح القباني');

    const real = await importWordpress(site.services, changed, { uploads: WP_UPLOADS, timeZone: ZONE });
    expect(real.counts.article).toMatchObject({ updated: 1, unchanged: 9 });
    expect(real.items.find((i) => i.wpId === '8')!.localId).toBe(id);
    expect((await site.services.articles.get(id))!.headline).toBe('عودة العروض إلى مسرح القباني');
    expect(await rowCounts(site)).toEqual({ ...before, article_revisions: before.article_revisions! + 1 });
    // The old permalink follows the new slug.
    const res = await app.inject('/2021/07/08/%d8%b9%d9%88%d8%af%d8%a9-%d8%a7%d9%84%d8%b9%d8%b1%d9%88%d8%b6-%d8%a5%d9%84%d9%89-%d9%85%d8%b3%d8%b1%d8%ad-%d8%a7%d9%84%d9%82%d8%a8%d8%a7%d9%86%d9%8a/');
    expect(res.headers.location).toBe(articlePath((await site.services.articles.get(id))!));
  });
});

describe.runIf(wpFixturePresent()).each(storeTargets())('WordPress import: dry run and broken items ($name)', (target) => {
  let site: TestSite;
  beforeAll(async () => {
    site = await openTestSite(target);
  });
  afterAll(async () => {
    await site?.dispose();
  });

  it('a dry run on an empty site writes nothing (no rows, no media files) and reports what would be imported', async () => {
    const before = await rowCounts(site);
    const version = await site.services.reader.contentVersion();
    const r = await importWordpress(site.services, WP_XML, { uploads: WP_UPLOADS, timeZone: ZONE, dryRun: true });
    expect(r.dryRun).toBe(true);
    expect(r.counts.article.imported).toBe(10);
    expect(r.counts.attachment.imported).toBe(11);
    expect(r.counts.page.imported).toBe(1);
    expect(await rowCounts(site)).toEqual(before);
    expect(await site.services.reader.contentVersion()).toBe(version);
    const mediaDir = site.config.mediaDir;
    expect(existsSync(mediaDir) ? readdirSync(mediaDir) : []).toEqual([]);
  });

  it('a broken item fails alone, named by its line, and the rest imports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-broken-'));
    const file = join(dir, 'export.xml');
    const xml = readFileSync(WP_XML, 'utf8');
    // Post 8 gets dates no calendar has; a copy of the page (another post id) takes the page's slug.
    const broken = xml
      .replace('<wp:post_date><![CDATA[2021-07-08 18:15:00]]>', '<wp:post_date><![CDATA[2021-02-30 25:15:00]]>')
      .replace('<wp:post_date_gmt><![CDATA[2021-07-08 15:15:00]]>', '<wp:post_date_gmt><![CDATA[2021-02-30 25:15:00]]>');
    const pageStart = broken.indexOf('<item>', broken.lastIndexOf('<item>', broken.indexOf('<wp:post_id>4</wp:post_id>')));
    const pageEnd = broken.indexOf('</item>', pageStart) + '</item>'.length;
    const copy = broken
      .slice(pageStart, pageEnd)
      .replace('<wp:post_id>4</wp:post_id>', '<wp:post_id>9004</wp:post_id>')
      .replace(/<guid[^>]*>[^<]*<\/guid>/, '<guid isPermaLink="false">https://alyasmin.example/?page_id=9004</guid>');
    const withCopy = broken.replace('</channel>', `\t${copy}\n</channel>`);
    writeFileSync(file, withCopy);
    const lineOf = (needle: string) => withCopy.slice(0, withCopy.lastIndexOf('<item>', withCopy.indexOf(needle))).split('\n').length;

    const r = await importWordpress(site.services, file, { uploads: WP_UPLOADS, timeZone: ZONE });
    const failed = r.items.filter((i) => i.outcome === 'failed');
    expect(failed.map((i) => [i.kind, i.wpId, i.line])).toEqual([
      ['article', '8', lineOf('<wp:post_id>8</wp:post_id>')],
      ['page', '9004', lineOf('<wp:post_id>9004</wp:post_id>')],
    ]);
    expect(failed[0]!.reason).toMatch(/no usable date/);
    expect(failed[1]!.reason).toMatch(/من-نحن/);
    expect(r.counts.article).toMatchObject({ imported: 9, failed: 1 });
    expect(r.counts.page).toMatchObject({ imported: 1, failed: 1 });
    // Nothing of the failed items was written.
    const db = site.services.store.db;
    expect(Number((await db.selectFrom('articles').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(9);
    expect(Number((await db.selectFrom('pages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(1);
    const keys = await db.selectFrom('import_keys').select('external_id').where('external_id', 'in', ['id:8', 'id:9004']).execute();
    expect(keys).toEqual([]);
  });
});
