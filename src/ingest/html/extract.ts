import { Readability } from '@mozilla/readability';
import { blockText } from '../../domain/blocks.js';
import { isTimeLine, readTimeLine } from '../page/dates.js';
import { dateline, isChromeLine, parsePage, type ParsedPage } from '../page/parse.js';
import { contentBlocks, figureImage, type ExtractedBlock, type ExtractedImage } from './contentBlocks.js';
import { all, parseDocument, removeClutter, squash, textLines, type DomElement } from './dom.js';
import { hasOffset, parseIsoTime, readMetadata } from './metadata.js';

/**
 * A saved news article page (HTML) to the parts of a draft. Pure: no files, no database.
 * Readability (Mozilla's Reader View engine) finds the article in the page; the seed-page
 * importer's rules read what Readability does not know about Arabic news pages: dates written
 * in words (`28 حزيران 2021`), the city beside the time, the `PLACE - SOURCE` dateline and the
 * `(رويترز)` credit in captions.
 */

/** Elements parsed at most (Readability's `maxElemsToParse`): with the 5 MB file cap, bounds the work per page. */
export const MAX_ELEMENTS = 60_000;
/** Less article text than this is a teaser, an error page or a listing, not an article. */
export const MIN_ARTICLE_CHARS = 200;

export interface ExtractedArticle {
  headline: string;
  summary?: string;
  /** UTC instants ('…Z'); absent when the page shows no time. */
  publishedAt?: string;
  updatedAt?: string;
  /** Which part of the page the time came from (`article:published_time`, `text "…"`, …). */
  timeFrom?: string;
  timeZone: string;
  city: string;
  lead?: ExtractedImage;
  datelinePlace?: string;
  sourceLabel?: string;
  /** The page's own address (canonical, og:url, "saved from"), for the report and the revision note. */
  sourceUrl?: string;
  siteName?: string;
  body: ExtractedBlock[];
}

export type ExtractResult =
  | { ok: true; article: ExtractedArticle; warnings: string[] }
  | { ok: false; error: string; line?: number };

export interface ExtractOptions {
  defaultTimeZone: string;
  defaultCity: string;
}

/** A document, not a text dump that mentions a tag: markup comes first, and there is an element. */
export function looksLikeHtml(text: string): boolean {
  const head = text.replace(/^\ufeff/, '').trimStart().slice(0, 65_536);
  return head.startsWith('<') && /<(?:!doctype\s+html|html|head|body|article|main|div|p|h1)\b/i.test(head);
}

/** Image addresses compared by file name: a saved page rewrites `<img src>` into its `_files` folder, not og:image. */
export function sameImage(a: string, b: string): boolean {
  const name = (u: string) => {
    const path = u.replace(/[?#].*$/, '');
    try {
      return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)).toLowerCase();
    } catch {
      return path.slice(path.lastIndexOf('/') + 1).toLowerCase();
    }
  };
  return a === b || (name(a) !== '' && name(a) === name(b));
}

const paragraphText = (b: ExtractedBlock | undefined) => (b?.type === 'paragraph' ? blockText(b).trim() : null);
const isTimeText = (t: string) => t.length <= 80 && isTimeLine(readTimeLine(t));

export function extractArticle(html: string, opts: ExtractOptions): ExtractResult {
  if (!looksLikeHtml(html)) {
    return { ok: false, line: 1, error: 'not an HTML document (expected a saved web page: <!DOCTYPE html> or <html> first)' };
  }
  const warnings: string[] = [];

  // One parse to read from (metadata, figures, the text lines the date rules read), one for Readability,
  // which rewrites its tree.
  const page = parseDocument(html);
  const elements = all(page, '*').length;
  if (elements > MAX_ELEMENTS) return { ok: false, error: `page has ${elements} elements; the limit is ${MAX_ELEMENTS}` };
  const meta = readMetadata(page);
  const figures = all(page, 'figure, img').map(figureImage).filter((f): f is ExtractedImage => f !== null);
  removeClutter(page);
  const h1 = page.querySelector('h1');
  const region = h1?.closest('article, main, [role="main"]') ?? page.body;
  const lines = region ? textLines(region) : [];

  const doc = parseDocument(html);
  removeClutter(doc);
  let found: ReturnType<Readability<DomElement>['parse']>;
  try {
    found = new Readability<DomElement>(doc as never, {
      maxElemsToParse: MAX_ELEMENTS,
      disableJSONLD: true, // read above, from the untouched tree
      serializer: (node) => node as unknown as DomElement,
    }).parse();
  } catch (e) {
    return { ok: false, error: `no article found (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!found?.content) return { ok: false, error: 'no article found in the page' };
  // Measured on the tree: links to the page's own site are relative and gone after conversion.
  const linkChars = all(found.content, 'a').reduce((n, a) => n + squash(a.textContent).length, 0);
  const linkShare = linkChars / Math.max(1, squash(found.content.textContent).length);
  let body = contentBlocks(found.content, meta.url);

  const headline = meta.h1 ?? meta.title ?? squash(found.title);
  if (!headline) return { ok: false, error: 'no headline found (no <h1>, og:title or <title>)' };

  // The page importer reads the time line, its city and a header dateline from the text under the headline.
  const fromText = parsePage([headline, ...lines.filter((l) => l !== headline)].join('\n'), opts);
  const textPage: ParsedPage | undefined = fromText.ok ? fromText.page : undefined;
  const timeZone = textPage?.timeZone ?? opts.defaultTimeZone;
  const city = textPage?.city ?? opts.defaultCity;
  let publishedAt: string | undefined;
  let updatedAt: string | undefined;
  let timeFrom: string | undefined;
  if (meta.published) {
    publishedAt = parseIsoTime(meta.published.value, timeZone)!;
    timeFrom = meta.published.from;
    if (!hasOffset(meta.published.value)) {
      warnings.push(`${meta.published.from} "${meta.published.value}" names no UTC offset; read as ${city} time (${timeZone})`);
    }
    if (meta.modified) updatedAt = parseIsoTime(meta.modified.value, timeZone) ?? undefined;
  } else if (fromText.ok && textPage) {
    publishedAt = textPage.publishedAt;
    updatedAt = textPage.updatedAt;
    timeFrom = 'the text of the page';
    for (const w of fromText.warnings) {
      if (!/^ignored line|^no body text/.test(w.message)) warnings.push(w.message);
    }
  } else {
    warnings.push(fromText.ok || fromText.error.startsWith('no publication date') ? 'no publication time found; the draft has none' : `publication time not read: ${fromText.error}`);
  }
  if (!textPage && (meta.published || meta.modified)) {
    warnings.push(`no city shown with the time; the article is shown in ${city} time (${timeZone})`);
  }

  // Header furniture Readability keeps as paragraphs: the headline again, time lines, share labels, the dateline.
  let place = meta.dateline ? dateline(meta.dateline) : null;
  body = body.filter((b, i) => {
    const t = paragraphText(b);
    if (t === null) return true;
    if (t === headline || isChromeLine(t) || isTimeText(t)) return false;
    if (i < 4 && dateline(t)) {
      place ??= dateline(t);
      return false;
    }
    return true;
  });
  if (!place && textPage?.datelinePlace) place = { place: textPage.datelinePlace, source: textPage.sourceLabel! };

  // Lead: og:image (its caption from the figure showing it), else the first figure of the article.
  let lead: ExtractedImage | undefined;
  if (meta.image) {
    const shown = body.find((b) => b.type === 'image' && sameImage(b.image.src, meta.image!));
    const figure = shown?.type === 'image' ? shown.image : figures.find((f) => sameImage(f.src, meta.image!));
    lead = { ...figure, src: figure?.src ?? meta.image };
    if (shown) body = body.filter((b) => b !== shown);
  } else {
    const first = body.find((b) => b.type === 'image');
    if (first?.type === 'image') {
      lead = first.image;
      body = body.filter((b) => b !== first);
    }
  }

  const text = body.flatMap((b) => (b.type === 'image' ? [] : [blockText(b)])).join('');
  if (linkShare > 0.5) return { ok: false, error: 'no article found: the main text is mostly links (a home or section page?)' };
  if (text.length < MIN_ARTICLE_CHARS || !body.some((b) => b.type === 'paragraph')) {
    return { ok: false, error: `no article found: the main text is ${text.length} characters without paragraphs of prose (an article has at least ${MIN_ARTICLE_CHARS})` };
  }

  return {
    ok: true,
    article: {
      headline,
      ...(meta.description ? { summary: meta.description } : {}),
      ...(publishedAt ? { publishedAt } : {}),
      ...(updatedAt ? { updatedAt } : {}),
      ...(timeFrom ? { timeFrom } : {}),
      timeZone,
      city,
      ...(lead ? { lead } : {}),
      ...(place ? { datelinePlace: place.place, sourceLabel: place.source } : {}),
      ...(meta.url ? { sourceUrl: meta.url } : {}),
      ...(meta.siteName ? { siteName: meta.siteName } : {}),
      body,
    },
    warnings,
  };
}
