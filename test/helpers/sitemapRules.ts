/**
 * The sitemap rules the tests hold every sitemap to: sitemaps.org 0.9 (root element and
 * namespace, at most 50,000 URLs and 50 MB a file, absolute same-origin `loc`, W3C datetimes),
 * Google's image extension, and Google News (48-hour window, at most 1,000 URLs, one
 * publication named, in Arabic, first publication time, the page's headline). XML is read with
 * saxes, a strict namespace-aware parser: a file that is not well-formed fails here.
 */
import { SaxesParser } from 'saxes';

export const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
export const IMAGE_NS = 'http://www.google.com/schemas/sitemap-image/1.1';
export const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';
export const MAX_URLS = 50_000;
export const MAX_BYTES = 50 * 1024 * 1024;
export const NEWS_MAX = 1000;
export const NEWS_WINDOW_MS = 48 * 3600 * 1000;

export interface XmlNode {
  uri: string;
  local: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

export function parseXml(xml: string): XmlNode {
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  parser.on('opentag', (tag) => {
    const node: XmlNode = {
      uri: tag.uri,
      local: tag.local,
      attributes: Object.fromEntries(Object.values(tag.attributes).map((a) => [a.name, a.value])),
      children: [],
      text: '',
    };
    stack.at(-1)?.children.push(node);
    root ??= node;
    stack.push(node);
  });
  parser.on('text', (t) => {
    if (stack.length) stack.at(-1)!.text += t;
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  if (!root) throw new Error('no root element');
  return root;
}

/** The W3C datetime profiles of ISO 8601 that sitemaps accept (https://www.w3.org/TR/NOTE-datetime). */
const W3C = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d))?)?)?$/;
export const isW3cDate = (s: string) => W3C.test(s) && !Number.isNaN(Date.parse(s));

const kids = (n: XmlNode, uri: string, local: string) => n.children.filter((c) => c.uri === uri && c.local === local);

interface Context {
  origin: string;
  problems: string[];
}

function checkLoc(ctx: Context, where: string, loc: string | undefined): void {
  if (loc === undefined) return void ctx.problems.push(`${where}: no <loc>`);
  const url = URL.canParse(loc) ? new URL(loc) : undefined;
  if (!url) return void ctx.problems.push(`${where}: loc is not an absolute URL: ${loc}`);
  if (url.origin !== ctx.origin) ctx.problems.push(`${where}: loc on another origin: ${loc}`);
  if (loc.length > 2048) ctx.problems.push(`${where}: loc longer than 2,048 characters`);
  // The protocol wants URLs as sent, percent-encoded: nothing beyond printable ASCII, no spaces.
  if (!/^[\x21-\x7e]+$/.test(loc)) ctx.problems.push(`${where}: loc not percent-encoded: ${loc}`);
}

function one(ctx: Context, where: string, parent: XmlNode, uri: string, local: string, required = true): XmlNode | undefined {
  const found = kids(parent, uri, local);
  if (found.length > 1) ctx.problems.push(`${where}: ${found.length} <${local}>`);
  if (required && found.length === 0) ctx.problems.push(`${where}: no <${local}>`);
  return found[0];
}

function checkDate(ctx: Context, where: string, node: XmlNode | undefined): void {
  if (node && !isW3cDate(node.text.trim())) ctx.problems.push(`${where}: not a W3C datetime: ${node.text}`);
}

export interface ParsedSitemap {
  kind: 'sitemapindex' | 'urlset';
  /** `loc` of each `<sitemap>` or `<url>`, in order. */
  locs: string[];
  lastmods: (string | undefined)[];
  /** Image locs per URL (urlsets). */
  images: string[][];
  news: (NewsInfo | undefined)[];
  root: XmlNode;
}

export interface NewsInfo {
  name: string | undefined;
  language: string | undefined;
  publicationDate: string | undefined;
  title: string | undefined;
}

const textOf = (n: XmlNode | undefined) => n?.text.trim();

/** Checks a sitemap or sitemap index; returns its content and every rule it breaks. */
export function checkSitemap(xml: string, origin: string): { sitemap: ParsedSitemap; problems: string[] } {
  const ctx: Context = { origin, problems: [] };
  if (Buffer.byteLength(xml) > MAX_BYTES) ctx.problems.push('larger than 50 MB');
  if (!/^<\?xml version="1\.0" encoding="UTF-8"\?>/i.test(xml)) ctx.problems.push('no XML declaration naming UTF-8');
  const root = parseXml(xml);
  if (root.uri !== SITEMAP_NS) ctx.problems.push(`root element in namespace ${root.uri || '(none)'}`);
  if (root.local !== 'sitemapindex' && root.local !== 'urlset') ctx.problems.push(`root element <${root.local}>`);
  const kind = root.local === 'sitemapindex' ? 'sitemapindex' : 'urlset';
  const child = kind === 'sitemapindex' ? 'sitemap' : 'url';
  const items = kids(root, SITEMAP_NS, child);
  if (items.length !== root.children.length) ctx.problems.push(`<${root.local}> holds elements other than <${child}>`);
  if (items.length > MAX_URLS) ctx.problems.push(`${items.length} entries, over 50,000`);
  const sitemap: ParsedSitemap = { kind, locs: [], lastmods: [], images: [], news: [], root };
  items.forEach((item, i) => {
    const where = `${child} ${i + 1}`;
    const loc = textOf(one(ctx, where, item, SITEMAP_NS, 'loc'));
    checkLoc(ctx, where, loc);
    // The brief asks every index entry for a lastmod; for URLs it is optional.
    const lastmod = one(ctx, where, item, SITEMAP_NS, 'lastmod', kind === 'sitemapindex');
    checkDate(ctx, where, lastmod);
    for (const c of item.children) {
      if (c.uri === SITEMAP_NS && !['loc', 'lastmod', 'changefreq', 'priority'].includes(c.local)) ctx.problems.push(`${where}: unknown <${c.local}>`);
      if (c.uri === '') ctx.problems.push(`${where}: <${c.local}> in no namespace`);
    }
    const images = kids(item, IMAGE_NS, 'image');
    if (images.length > 1000) ctx.problems.push(`${where}: more than 1,000 images`);
    const imageLocs = images.map((im, j) => {
      const l = textOf(one(ctx, `${where} image ${j + 1}`, im, IMAGE_NS, 'loc'));
      checkLoc(ctx, `${where} image ${j + 1}`, l);
      return l ?? '';
    });
    const news = one(ctx, where, item, NEWS_NS, 'news', false);
    let info: NewsInfo | undefined;
    if (news) {
      const pub = one(ctx, `${where} news`, news, NEWS_NS, 'publication');
      const date = one(ctx, `${where} news`, news, NEWS_NS, 'publication_date');
      checkDate(ctx, `${where} news`, date);
      info = {
        name: pub && textOf(one(ctx, `${where} publication`, pub, NEWS_NS, 'name')),
        language: pub && textOf(one(ctx, `${where} publication`, pub, NEWS_NS, 'language')),
        publicationDate: textOf(date),
        // Exactly as written (unescaped by the parser), not trimmed: it must equal the headline.
        title: one(ctx, `${where} news`, news, NEWS_NS, 'title')?.text,
      };
    }
    sitemap.locs.push(loc ?? '');
    sitemap.lastmods.push(textOf(lastmod));
    sitemap.images.push(imageLocs);
    sitemap.news.push(info);
  });
  return { sitemap, problems: ctx.problems };
}

export interface NewsArticle {
  headline: string;
  /** First publication, UTC ISO. */
  publishedAt: string;
}

export interface NewsRules {
  origin: string;
  now: Date;
  siteName: string;
  /** The articles by their absolute URL, to compare titles and publication times with. */
  articles: Map<string, NewsArticle>;
  /** How long the request took to answer: an article may cross the window's edge meanwhile. */
  slackMs?: number;
}

/** The Google News rules on top of the sitemap ones. */
export function checkNewsSitemap(xml: string, rules: NewsRules): { sitemap: ParsedSitemap; problems: string[] } {
  const { sitemap, problems } = checkSitemap(xml, rules.origin);
  if (sitemap.kind !== 'urlset') problems.push('a news sitemap must be a <urlset>');
  if (sitemap.locs.length > NEWS_MAX) problems.push(`${sitemap.locs.length} URLs, over 1,000`);
  const from = rules.now.getTime() - NEWS_WINDOW_MS - (rules.slackMs ?? 0);
  sitemap.locs.forEach((loc, i) => {
    const where = `url ${i + 1} (${loc})`;
    const n = sitemap.news[i];
    if (!n) return void problems.push(`${where}: no <news:news>`);
    if (!n.name) problems.push(`${where}: no publication name`);
    if (n.name && n.name !== rules.siteName) problems.push(`${where}: publication name ${n.name}`);
    if (n.language !== 'ar') problems.push(`${where}: language ${n.language}`);
    if (!n.title) problems.push(`${where}: no title`);
    const at = n.publicationDate ? Date.parse(n.publicationDate) : NaN;
    if (Number.isNaN(at)) return void problems.push(`${where}: no publication date`);
    if (at <= from || at > rules.now.getTime()) problems.push(`${where}: published ${n.publicationDate}, outside the 48 hours`);
    const article = rules.articles.get(loc);
    if (!article) return void problems.push(`${where}: not a known article`);
    // W3C datetimes here carry whole seconds, as the pages' own machine-readable times do.
    if (Math.floor(at / 1000) !== Math.floor(Date.parse(article.publishedAt) / 1000)) problems.push(`${where}: publication_date ${n.publicationDate} is not the first publication ${article.publishedAt}`);
    if (n.title !== article.headline) problems.push(`${where}: title ${JSON.stringify(n.title)} is not the headline ${JSON.stringify(article.headline)}`);
  });
  // Newest first.
  const dates = sitemap.news.map((n) => Date.parse(n?.publicationDate ?? ''));
  if (dates.some((d, i) => i > 0 && d > dates[i - 1]!)) problems.push('not newest first');
  return { sitemap, problems };
}
