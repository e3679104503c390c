import type { Kysely } from 'kysely';
import { z } from 'zod';
import { BodySchema } from '../domain/blocks.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { Media } from '../domain/article.js';
import type { Store } from '../store/db.js';
import { getMediaByIds } from '../store/media.js';
import { getPage, getPageBySlug, insertPage, listPages, slugTaken, updatePage, type StaticPage } from '../store/pages.js';
import type { Database } from '../store/schema.js';
import { bumpContentVersion } from '../store/siteState.js';
import { slugify } from '../text/slug.js';
import type { ContentEvents } from './events.js';
import { validate } from './validate.js';

type Db = Kysely<Database>;

export const PageInputSchema = z.strictObject({
  title: z.string().trim().min(1, 'العنوان مطلوب').max(300),
  /** Decoded; from the title when empty. */
  slug: z.string().trim().max(200).optional(),
  body: BodySchema,
  status: z.enum(['draft', 'published']).default('draft'),
  position: z.number().int().min(0).max(1000).optional(),
});
export type PageInput = z.input<typeof PageInputSchema>;

function pageRow(input: PageInput) {
  const p = validate(PageInputSchema, input, 'page');
  const slug = slugify(p.slug || p.title);
  if (!slug) throw new ValidationError('page: slug: الرابط المختصر لا يحوي حروفاً');
  if (p.status === 'published' && p.body.length === 0) throw new ValidationError('page: body: لا تُنشر صفحة بلا متن');
  return { ...p, slug };
}

/** Inside a caller's transaction (the importer, the demo). Bumps the content version: every page's footer lists pages. */
export async function createPageIn(db: Db, input: PageInput, at = new Date().toISOString()): Promise<number> {
  const row = pageRow(input);
  if (await slugTaken(db, row.slug)) throw new ValidationError(`page: slug: الرابط «${row.slug}» مستخدم لصفحة أخرى`);
  const id = await insertPage(db, row, at);
  await bumpContentVersion(db);
  return id;
}

export async function replacePageIn(db: Db, id: number, input: PageInput, at = new Date().toISOString()): Promise<void> {
  const row = pageRow(input);
  if (!(await getPage(db, id))) throw new NotFoundError(`page ${id} not found`);
  if (await slugTaken(db, row.slug, id)) throw new ValidationError(`page: slug: الرابط «${row.slug}» مستخدم لصفحة أخرى`);
  await updatePage(db, id, row, at);
  await bumpContentVersion(db);
}

export class PageService {
  constructor(
    private readonly store: Store,
    private readonly events: ContentEvents,
  ) {}

  list(): Promise<StaticPage[]> {
    return listPages(this.store.db);
  }

  /** For the footer: published pages, in their order. */
  async published(): Promise<{ slug: string; title: string }[]> {
    return (await listPages(this.store.db, { publishedOnly: true })).map(({ slug, title }) => ({ slug, title }));
  }

  get(id: number): Promise<StaticPage | undefined> {
    return getPage(this.store.db, id);
  }

  /** A page readers may see (published only), with the pictures its body shows. */
  async readable(slug: string): Promise<{ page: StaticPage; media: Map<number, Media> } | undefined> {
    const page = await getPageBySlug(this.store.db, slug);
    if (page?.status !== 'published') return undefined;
    const media = await getMediaByIds(this.store.db, page.body.flatMap((b) => (b.type === 'image' ? [b.mediaId] : [])));
    return { page, media };
  }

  async create(input: PageInput): Promise<StaticPage> {
    const id = await this.store.db.transaction().execute((trx) => createPageIn(trx, input));
    this.events.emit({ type: 'site' });
    return (await this.get(id))!;
  }

  async replace(id: number, input: PageInput): Promise<StaticPage> {
    await this.store.db.transaction().execute((trx) => replacePageIn(trx, id, input));
    this.events.emit({ type: 'site' });
    return (await this.get(id))!;
  }
}

export type { StaticPage };
