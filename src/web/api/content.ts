import type { Article, ArticleInput } from '../../domain/article.js';
import type { Actor } from '../../domain/user.js';
import type { Services } from '../../services/index.js';

/** An article's editable content as input again, for imports and demo articles that have no revision yet. */
function contentOf(a: Article): ArticleInput {
  return {
    headline: a.headline,
    summary: a.summary ?? undefined,
    body: a.body,
    lead: a.lead ? { mediaId: a.lead.media.id, caption: a.lead.caption ?? undefined, credit: a.lead.credit ?? undefined } : undefined,
    datelinePlace: a.datelinePlace ?? undefined,
    sourceLabel: a.sourceLabel ?? undefined,
    section: a.section.name,
    tags: a.tags.map((t) => t.name),
    authors: a.authors.map((t) => t.name),
    publishedAt: a.publishedAt ?? undefined,
    timeZone: a.timeZone,
    city: a.city,
  };
}

/**
 * What a PATCH starts from: the newest revision (a staged edit when the article is live), so a
 * partial update never loses another pending change.
 */
export async function editableContent(services: Services, actor: Actor, id: number): Promise<ArticleInput> {
  const [newest] = await services.workflow.revisions(actor, id);
  if (newest) return (await services.workflow.revision(actor, id, newest.number)).content;
  return contentOf(await services.workflow.get(actor, id));
}
