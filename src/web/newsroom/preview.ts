import type { Article, Media, Named } from '../../domain/article.js';
import type { Actor } from '../../domain/user.js';
import type { Services } from '../../services/index.js';
import { slugify } from '../../text/slug.js';
import { ArticleView } from '../reader/views/article.js';
import { renderPage, type Site } from '../reader/views/layout.js';
import { siteOf } from '../reader/site.js';

/**
 * What the newsroom is working on, for the editor and the preview: the staged edit of a live
 * article when there is one (that is what "update" would publish), else the article itself.
 */
export async function workingCopy(services: Services, actor: Actor, id: number): Promise<{ article: Article; staged: Article | null }> {
  const article = await services.workflow.get(actor, id);
  if (article.stagedRevisionId == null) return { article, staged: null };
  const list = await services.workflow.revisions(actor, id);
  const info = list.find((r) => r.staged);
  if (!info) return { article, staged: null };
  const { content: c } = await services.workflow.revision(actor, id, info.number);
  const named = (name: string, i: number): Named => ({ id: -1 - i, slug: slugify(name), name });
  const leadMedia = c.lead ? await services.media.get(c.lead.mediaId) : undefined;
  const staged: Article = {
    ...article,
    headline: c.headline,
    slug: slugify(c.headline) || article.slug,
    summary: c.summary ?? null,
    body: c.body,
    lead: c.lead && leadMedia ? { media: leadMedia, caption: c.lead.caption ?? null, credit: c.lead.credit ?? null } : null,
    datelinePlace: c.datelinePlace ?? null,
    sourceLabel: c.sourceLabel ?? null,
    section: c.section === article.section.name ? article.section : named(c.section, 0),
    tags: c.tags.map(named),
    authors: c.authors.map(named),
    publishedAt: c.publishedAt ?? article.publishedAt,
    timeZone: c.timeZone,
    city: c.city,
  };
  return { article, staged };
}

const BANNER = (id: number) =>
  `<p class="preview-banner" role="status">معاينة — لا يراها القراء. <a href="/newsroom/articles/${id}/edit">العودة إلى المحرر</a></p>`;

/**
 * The public page's own view and layout, so the preview cannot drift from what readers get.
 * Only two things are added, outside the article: a noindex (a leaked preview link must not be
 * indexed) and the "معاينة" banner. They are spliced into the rendered document rather than
 * passed down as props, which keeps the reader views free of preview-only branches.
 */
export async function renderPreview(services: Services, article: Article, editorCss: string): Promise<string> {
  const ids = article.body.flatMap((b) => (b.type === 'image' ? [b.mediaId] : []));
  const found = await Promise.all(ids.map((id) => services.media.get(id)));
  const media = new Map<number, Media>(found.flatMap((m) => (m ? [[m.id, m] as const] : [])));
  const site: Site = await siteOf(services);
  // A draft has no time yet; it would get the moment of publishing, so that is what it shows.
  const shown = article.publishedAt ? article : { ...article, publishedAt: new Date().toISOString() };
  const html = renderPage(ArticleView, { site, page: { article: shown, media, related: [] } });
  return html
    .replace('<meta charset="utf-8"/>', (m) => `${m}<meta name="robots" content="noindex, nofollow"/><link rel="stylesheet" href="${editorCss}"/>`)
    .replace(/<body([^>]*)>/, (m) => `${m}${BANNER(article.id)}`);
}
