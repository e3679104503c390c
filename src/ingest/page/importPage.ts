import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { articlePath, type ArticleStatus } from '../../domain/article.js';
import type { BlockInput } from '../../domain/blocks.js';
import { ValidationError } from '../../domain/errors.js';
import { createArticleIn, markRevisedIn } from '../../services/articles.js';
import type { Services } from '../../services/index.js';
import { fileSize, prepareImage, saveImageIn, saveMissingImageIn, type PreparedImage } from '../../services/media.js';
import { parsePage, type ParsedImage } from './parse.js';
import { ImportError, readPageFile } from './read.js';

export interface ImportPageOptions {
  publish?: boolean;
  /** Where image files named in the page are looked up; defaults to the page file's folder. */
  mediaDir?: string;
  section?: string;
}

export interface ImportPageResult {
  file: string;
  id: number;
  slug: string;
  url: string;
  status: ArticleStatus;
  warnings: string[];
}

/**
 * One page dump in, one article out, in a single transaction: a file that fails leaves nothing
 * behind (image files written ahead of the transaction are removed again).
 */
export async function importPageFile(services: Services, file: string, opts: ImportPageOptions = {}): Promise<ImportPageResult> {
  const { config, store } = services;
  const text = await readPageFile(file);
  const parsed = parsePage(text, { defaultTimeZone: config.timeZone, defaultCity: config.city });
  if (!parsed.ok) throw new ImportError(file, parsed.error, parsed.line);
  const { page } = parsed;
  const warnings = parsed.warnings.map((w) => (w.line ? `line ${w.line}: ${w.message}` : w.message));

  const mediaDir = opts.mediaDir ?? dirname(file);
  const images = [...(page.lead ? [page.lead] : []), ...page.body.filter((b) => b.type === 'image')];
  const prepared = new Map<string, PreparedImage>();
  try {
    for (const img of images) {
      if (prepared.has(img.filename)) continue;
      const found = await findImage(mediaDir, img.filename);
      if (!found) {
        warnings.push(`image ${img.filename} not found in ${mediaDir}; the figure keeps its caption and credit`);
        continue;
      }
      try {
        prepared.set(img.filename, await prepareImage(config.mediaDir, await readFile(found), img.filename));
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        warnings.push(`image ${img.filename}: ${e.message}; the figure keeps its caption and credit`);
      }
    }

    const id = await store.db.transaction().execute(async (trx) => {
      const mediaIds = new Map<string, number>();
      const mediaFor = async (img: ParsedImage) => {
        let mediaId = mediaIds.get(img.filename);
        if (mediaId == null) {
          const p = prepared.get(img.filename);
          mediaId = (p ? await saveImageIn(trx, p) : await saveMissingImageIn(trx, img.filename)).id;
          mediaIds.set(img.filename, mediaId);
        }
        return mediaId;
      };
      const body: BlockInput[] = [];
      for (const b of page.body) {
        if (b.type !== 'image') body.push(b);
        else body.push({ type: 'image', mediaId: await mediaFor(b), caption: b.caption, credit: b.credit });
      }
      const id = await createArticleIn(trx, {
        headline: page.headline,
        body,
        lead: page.lead && { mediaId: await mediaFor(page.lead), caption: page.lead.caption, credit: page.lead.credit },
        datelinePlace: page.datelinePlace,
        sourceLabel: page.sourceLabel,
        section: opts.section ?? config.defaultSection,
        status: opts.publish ? 'published' : 'draft',
        publishedAt: page.publishedAt,
        timeZone: page.timeZone,
        city: page.city,
      });
      if (page.updatedAt) await markRevisedIn(trx, id, page.updatedAt);
      return id;
    });
    services.events.emit({ type: 'article', id });
    const article = (await services.articles.get(id))!;
    return {
      file,
      id,
      slug: article.slug,
      url: config.baseUrl + articlePath(article),
      status: article.status,
      warnings,
    };
  } catch (e) {
    await Promise.all([...prepared.values()].map((p) => p.discard()));
    if (e instanceof ValidationError) throw new ImportError(file, e.message);
    throw e;
  }
}

async function findImage(dir: string, filename: string): Promise<string | null> {
  // Only a bare name is looked up: a page must not make us read files elsewhere on disk.
  if (filename.includes('/') || filename.includes('\\') || filename.startsWith('.')) return null;
  const path = join(dir, filename);
  return (await fileSize(path)) != null ? path : null;
}
