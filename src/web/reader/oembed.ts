import type { FastifyInstance, FastifyReply } from 'fastify';
import { articlePath, type Article, type Media } from '../../domain/article.js';
import { articleKey, authorKey } from '../../domain/surrogateKeys.js';
import type { Services } from '../../services/index.js';
import { NOT_FOUND_CACHE_CONTROL, pageCacheControl } from './pageCache.js';
import { authorPath } from './views/layout.js';

/**
 * oEmbed 1.0 (https://oembed.com) for article URLs: type `rich`, whose `html` is a blockquote
 * with a link back, so embedding a story costs the embedding page no request to anyone.
 */
export const OEMBED_PATH = '/oembed';

/** How long a consumer may keep an answer: headlines change rarely once published. */
export const OEMBED_CACHE_AGE = 3600;
const MAX_URL = 2048;
const MAX_ID = 2 ** 31;
/** The embed's nominal size; the blockquote itself reflows to whatever it is given. */
const WIDTH = 600;
const HEIGHT = 200;

/** For the `<link rel="alternate" type="application/json+oembed">` an article page may carry. */
export function oembedHref(baseUrl: string, articleUrl: string): string {
  return `${baseUrl}${OEMBED_PATH}?url=${encodeURIComponent(articleUrl)}&format=json`;
}

class OembedError extends Error {
  constructor(
    readonly status: 400 | 404 | 501,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (why: string) => new OembedError(400, why);
const notOurs = () => new OembedError(404, 'لا يوجد خبر منشور بهذا الرابط');

/** The article id a URL names, if it is one of ours: `<base>/news/:id[/:slug]`, any scheme of our host. */
function articleIdOf(raw: unknown, baseUrl: string): number {
  if (raw === undefined || raw === '') throw invalid('المعامل url مطلوب');
  if (typeof raw !== 'string' || raw.length > MAX_URL) throw invalid('المعامل url غير صالح');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('المعامل url ليس رابطاً صالحاً');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('المعامل url ليس رابط http');
  const base = new URL(baseUrl);
  if (url.host !== base.host) throw notOurs();
  // A site served under a path (`https://example.org/nashra`) has its articles below it.
  const prefix = base.pathname.replace(/\/+$/, '');
  if (prefix && !url.pathname.startsWith(`${prefix}/`)) throw notOurs();
  const m = /^\/news\/([1-9]\d{0,9})(?:\/[^/]+)?\/?$/.exec(url.pathname.slice(prefix.length));
  const id = m ? Number(m[1]) : NaN;
  // Any slug, old ones included: the page itself redirects them to the current one.
  if (!(id <= MAX_ID)) throw notOurs();
  return id;
}

function dimension(raw: unknown, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^[1-9]\d{0,4}$/.test(raw)) throw invalid(`المعامل ${name} يجب أن يكون عدداً موجباً`);
  return Number(raw);
}

/** The widest JPEG of the lead picture within the consumer's bounds, as the spec asks of thumbnails. */
function thumbnail(m: Media | undefined, maxW: number, maxH: number): { url: string; width: number; height: number } | undefined {
  if (!m?.storageKey) return undefined;
  const jpegs = (m.variants ?? []).filter((v) => v.format === 'jpeg').map((v) => ({ key: v.key, w: v.w, h: v.h }));
  // Media stored before variants were recorded: the original, when it is a JPEG of known size.
  if (jpegs.length === 0 && m.mime === 'image/jpeg' && m.width && m.height) jpegs.push({ key: m.storageKey, w: m.width, h: m.height });
  const best = jpegs.filter((v) => v.w <= maxW && v.h <= maxH).sort((a, b) => b.w - a.w)[0];
  return best && { url: `/media/${best.key}`, width: best.w, height: best.h };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function embedHtml(a: Article, url: string, siteName: string, baseUrl: string, width: number): string {
  return (
    `<blockquote class="nashra-embed" lang="ar" dir="rtl" cite="${esc(url)}" style="max-width:${width}px">` +
    `<p><a href="${esc(url)}">${esc(a.headline)}</a></p>` +
    (a.summary ? `<p>${esc(a.summary)}</p>` : '') +
    `<p>— <a href="${esc(baseUrl)}/">${esc(siteName)}</a></p></blockquote>`
  );
}

type Query = { Querystring: Record<string, unknown> };

export async function oembedRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const { baseUrl, siteName } = services.config;

  const fail = (reply: FastifyReply, e: OembedError) =>
    reply.code(e.status).header('cache-control', NOT_FOUND_CACHE_CONTROL).type('application/json; charset=utf-8').send({ error: e.message });

  app.get<Query>(OEMBED_PATH, async (req, reply) => {
    // Consumers are often in-browser tools on other sites; the answer is public anyway.
    reply.header('access-control-allow-origin', '*');
    const q = req.query ?? {};
    let id: number;
    let maxW: number;
    let maxH: number;
    try {
      id = articleIdOf(q.url, baseUrl);
      maxW = dimension(q.maxwidth, 'maxwidth') ?? Infinity;
      maxH = dimension(q.maxheight, 'maxheight') ?? Infinity;
      if (q.format !== undefined && q.format !== 'json') throw new OembedError(501, 'الصيغة المتاحة json وحدها');
    } catch (e) {
      if (e instanceof OembedError) return fail(reply, e);
      throw e;
    }
    const found = await services.reader.article(id);
    if (!found) return fail(reply, notOurs());
    const a = found.article;
    const url = baseUrl + articlePath(a);
    const width = Math.min(WIDTH, maxW);
    const author = a.authors[0];
    const thumb = thumbnail(a.lead?.media, maxW, maxH);
    // Cached like the article page it describes, and purged with it when the article changes.
    const keys = [articleKey(a.id), ...(author ? [authorKey(author.id)] : [])];
    const body = {
      version: '1.0',
      type: 'rich',
      title: a.headline,
      ...(author ? { author_name: author.name, author_url: baseUrl + authorPath(author.slug) } : {}),
      provider_name: siteName,
      provider_url: `${baseUrl}/`,
      cache_age: OEMBED_CACHE_AGE,
      html: embedHtml(a, url, siteName, baseUrl, width),
      width,
      height: Math.min(HEIGHT, maxH),
      ...(thumb ? { thumbnail_url: baseUrl + thumb.url, thumbnail_width: thumb.width, thumbnail_height: thumb.height } : {}),
    };
    return reply.header('cache-control', pageCacheControl(services.config)).header('surrogate-key', keys.join(' ')).header('cache-tag', keys.join(',')).send(body);
  });
}
