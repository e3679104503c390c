import type { Kysely, Selectable } from 'kysely';
import type { Block } from '../domain/blocks.js';
import type { Database, PageTable } from './schema.js';

type Db = Kysely<Database>;

export type PageStatus = 'draft' | 'published';

/** A static page (من نحن, اتصل بنا): a title and body blocks, outside the news workflow. */
export interface StaticPage {
  id: number;
  slug: string;
  title: string;
  body: Block[];
  status: PageStatus;
  position: number;
  createdAt: string;
  updatedAt: string;
}

export interface PageRow {
  slug: string;
  title: string;
  body: Block[];
  status: PageStatus;
  position?: number;
}

function toPage(r: Selectable<PageTable>): StaticPage {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    body: JSON.parse(r.body) as Block[],
    status: r.status,
    position: r.position,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function getPage(db: Db, id: number): Promise<StaticPage | undefined> {
  const r = await db.selectFrom('pages').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toPage(r);
}

export async function getPageBySlug(db: Db, slug: string): Promise<StaticPage | undefined> {
  const r = await db.selectFrom('pages').selectAll().where('slug', '=', slug).executeTakeFirst();
  return r && toPage(r);
}

export async function listPages(db: Db, opts: { publishedOnly?: boolean } = {}): Promise<StaticPage[]> {
  let q = db.selectFrom('pages').selectAll();
  if (opts.publishedOnly) q = q.where('status', '=', 'published');
  return (await q.orderBy('position').orderBy('id').execute()).map(toPage);
}

export async function slugTaken(db: Db, slug: string, exceptId?: number): Promise<boolean> {
  let q = db.selectFrom('pages').select('id').where('slug', '=', slug);
  if (exceptId != null) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function insertPage(db: Db, row: PageRow, at: string): Promise<number> {
  const { id } = await db
    .insertInto('pages')
    .values({ slug: row.slug, title: row.title, body: JSON.stringify(row.body), status: row.status, position: row.position ?? 0, created_at: at, updated_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function updatePage(db: Db, id: number, row: PageRow, at: string): Promise<void> {
  await db
    .updateTable('pages')
    .set({ slug: row.slug, title: row.title, body: JSON.stringify(row.body), status: row.status, ...(row.position != null ? { position: row.position } : {}), updated_at: at })
    .where('id', '=', id)
    .execute();
}
