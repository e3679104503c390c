import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import type { BlockInput } from '../../domain/blocks.js';
import { ValidationError } from '../../domain/errors.js';
import { createArticleIn, markRevisedIn } from '../../services/articles.js';
import type { Services } from '../../services/index.js';
import { fileSize, prepareImage, saveImageIn, saveMissingImageIn, type PreparedImage } from '../../services/media.js';
import { ImportError, readPageFile } from '../page/read.js';
import type { ExtractedImage } from './contentBlocks.js';
import { extractArticle } from './extract.js';

export interface ImportHtmlResult {
  file: string;
  status: 'draft';
  id: number;
  /** The draft's page in the newsroom editor. */
  url: string;
  /** Where the page came from (canonical link, og:url or the "saved from" comment), when it says. */
  source?: string;
  /** Every image the draft shows, lead first: stored when a copy was found beside the page, else only named. */
  images: { src: string; stored: boolean }[];
  warnings: string[];
}

/**
 * One saved article page in, one draft out, in a single transaction (image files written ahead
 * of it are removed again if it fails). Nothing is downloaded: an image is stored only when the
 * saved page has it on disk (its `NAME_files/` folder, or a relative path beside the page);
 * otherwise the figure keeps its caption and credit, and its address goes into the report and
 * the draft's first revision note, for an editor to fetch.
 */
export async function importHtmlFile(services: Services, file: string): Promise<ImportHtmlResult> {
  const { config, store } = services;
  const html = await readPageFile(file);
  const extracted = extractArticle(html, { defaultTimeZone: config.timeZone, defaultCity: config.city });
  if (!extracted.ok) throw new ImportError(file, extracted.error, extracted.line);
  const { article } = extracted;
  const warnings = [...extracted.warnings];

  const images = [...(article.lead ? [article.lead] : []), ...article.body.flatMap((b) => (b.type === 'image' ? [b.image] : []))];
  const prepared = new Map<string, PreparedImage>();
  const notFetched: string[] = [];
  try {
    for (const img of images) {
      if (prepared.has(img.src) || notFetched.includes(img.src)) continue;
      const local = await localCopy(file, img.src);
      if (!local) {
        notFetched.push(img.src);
        warnings.push(`image ${img.src} not stored: no copy beside the page (nothing is downloaded); the figure keeps its caption and credit`);
        continue;
      }
      try {
        prepared.set(img.src, await prepareImage(config.mediaDir, await readFile(local), basename(local)));
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        notFetched.push(img.src);
        warnings.push(`image ${img.src}: ${e.message}; the figure keeps its caption and credit`);
      }
    }

    const note = [
      `استيراد من صفحة محفوظة: ${basename(file)}`,
      ...(article.sourceUrl ? [`المصدر: ${article.sourceUrl}`] : []),
      ...(notFetched.length ? [`صور لم تُنزَّل: ${notFetched.join(' ، ')}`] : []),
    ].join('\n');

    const id = await store.db.transaction().execute(async (trx) => {
      const mediaIds = new Map<string, number>();
      const mediaFor = async (img: ExtractedImage) => {
        let mediaId = mediaIds.get(img.src);
        if (mediaId == null) {
          const p = prepared.get(img.src);
          const media = p
            ? await saveImageIn(trx, p, { ...(img.alt ? { alt: img.alt } : {}) })
            : await saveMissingImageIn(trx, imageName(img.src));
          mediaId = media.id;
          mediaIds.set(img.src, mediaId);
        }
        return mediaId;
      };
      const body: BlockInput[] = [];
      for (const b of article.body) {
        if (b.type !== 'image') body.push(b);
        else body.push({ type: 'image', mediaId: await mediaFor(b.image), caption: b.image.caption, credit: b.image.credit });
      }
      const lead = article.lead && {
        mediaId: await mediaFor(article.lead),
        caption: article.lead.caption,
        credit: article.lead.credit,
      };
      const id = await createArticleIn(
        trx,
        {
          headline: article.headline,
          summary: article.summary?.slice(0, 1000),
          body,
          lead,
          datelinePlace: article.datelinePlace,
          sourceLabel: article.sourceLabel,
          section: config.defaultSection,
          status: 'draft',
          publishedAt: article.publishedAt,
          timeZone: article.timeZone,
          city: article.city,
        },
        undefined,
        { note },
      );
      if (article.updatedAt) await markRevisedIn(trx, id, article.updatedAt);
      return id;
    });
    services.events.emit({ type: 'article', id });
    return {
      file,
      status: 'draft',
      id,
      url: `${config.baseUrl}/newsroom/articles/${id}/edit`,
      ...(article.sourceUrl ? { source: article.sourceUrl } : {}),
      images: images.map((img) => ({ src: img.src, stored: prepared.has(img.src) })),
      warnings,
    };
  } catch (e) {
    await Promise.all([...prepared.values()].map((p) => p.discard()));
    if (e instanceof ValidationError) throw new ImportError(file, e.message);
    throw e;
  }
}

/** The file name an address ends in, for the media library's list of pictures still to supply. */
function imageName(src: string): string {
  const path = src.replace(/[?#].*$/, '');
  let name = path.slice(path.lastIndexOf('/') + 1);
  try {
    name = decodeURIComponent(name);
  } catch {
    // kept encoded
  }
  return name.slice(0, 200) || 'image';
}

/**
 * The saved page's own copy of an image: a relative `src` resolved beside the page (never
 * outside its folder), or, for an absolute address such as og:image, the same file name in the
 * `NAME_files/` folder browsers save next to `NAME.html`.
 */
async function localCopy(file: string, src: string): Promise<string | null> {
  const dir = resolve(dirname(file));
  const isUrl = /^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith('/');
  let path: string;
  if (!isUrl) {
    let rel: string;
    try {
      rel = decodeURIComponent(src.replace(/[?#].*$/, ''));
    } catch {
      return null;
    }
    path = resolve(dir, rel);
    const inside = relative(dir, path);
    if (!inside || inside.startsWith('..') || isAbsolute(inside)) return null;
  } else {
    const name = imageName(src);
    if (/[/\\]/.test(name) || name.startsWith('.')) return null;
    path = join(dir, `${basename(file, extname(file))}_files`, name);
  }
  return (await fileSize(path)) != null ? path : null;
}
