import { Fragment } from 'preact';
import { articlePath, type Media } from '../../../domain/article.js';
import type { Block, EmbedProvider } from '../../../domain/blocks.js';
import type { ArticlePage } from '../../../services/reader.js';
import { Cards, Figure, Spans, TimeLine } from './components.js';
import { articleDescription, articleJsonLd, articleModified, articlePicture, breadcrumbJsonLd } from './articleJsonLd.js';
import { zonedIso } from '../structuredData/jsonLd.js';
import { authorPath, Layout, tagPath, type PageCard, type Site } from './layout.js';

/** One body block as reader HTML; live entries render their blocks with it too. */
export function BodyBlock({ block, media }: { block: Block; media: Map<number, Media> }) {
  switch (block.type) {
    case 'paragraph':
      return (
        <p>
          <Spans spans={block.spans} />
        </p>
      );
    case 'subheading':
      return <h2>{block.text}</h2>;
    case 'quote':
      return (
        <blockquote>
          <p>
            <Spans spans={block.spans} />
          </p>
          {block.speaker && <footer>— {block.speaker}</footer>}
        </blockquote>
      );
    case 'image':
      return <Figure media={media.get(block.mediaId)} caption={block.caption} credit={block.credit} lazy />;
    case 'list': {
      const items = block.items.map((spans, i) => (
        <li key={i}>
          <Spans spans={spans} />
        </li>
      ));
      return block.ordered ? <ol>{items}</ol> : <ul>{items}</ul>;
    }
    case 'embed':
      return <EmbedCard url={block.url} provider={block.provider} />;
  }
}

const PROVIDER_NAMES: Record<EmbedProvider, string> = { youtube: 'يوتيوب', x: 'إكس (تويتر)', hls: 'بث مباشر' };

/**
 * A link card, not the provider's player: an iframe or script from YouTube or X would make
 * every reader's browser call a third party (tracking, weight, and a CSP hole); see
 * docs/editor.md. The address is LTR text inside the RTL page.
 */
function EmbedCard({ url, provider }: { url: string; provider: EmbedProvider }) {
  const u = new URL(url);
  return (
    <p class={`embed embed-${provider}`}>
      <a href={url} rel="noopener nofollow">
        <span class="embed-provider">{PROVIDER_NAMES[provider]}</span>{' '}
        <bdi class="embed-url" dir="ltr">
          {u.hostname + u.pathname}
        </bdi>
      </a>
    </p>
  );
}

/** Dateline place and source as one line: `إسطنبول - متابعات`, or whichever of the two exists. */
export function datelineText(place: string | null, source: string | null): string | null {
  return [place, source].filter(Boolean).join(' - ') || null;
}

export function ArticleView({ site, page }: { site: Site; page: ArticlePage }) {
  const { article: a, media, related } = page;
  const dateline = datelineText(a.datelinePlace, a.sourceLabel);
  const published = a.publishedAt ?? a.createdAt;
  // Cards show the 16:9 crop; without a picture Layout falls back to the site's default card.
  const crop = articlePicture(site, page);
  const wide = crop?.crops.find((c) => c.ratio === '16x9');
  const card: PageCard = {
    type: 'article',
    image: wide && { url: wide.url, width: wide.width, height: wide.height, alt: crop!.alt, type: 'image/jpeg' },
    article: {
      publishedTime: zonedIso(published, a.timeZone),
      modifiedTime: zonedIso(articleModified(a), a.timeZone),
      section: a.section.name,
      tags: a.tags.map((t) => t.name),
    },
  };
  const jsonLd = [articleJsonLd(site, page), breadcrumbJsonLd(site, a)];
  return (
    <Layout
      site={site}
      title={a.headline}
      description={articleDescription(a)}
      canonical={articlePath(a)}
      card={card}
      head={jsonLd.map((text, i) => (
        <script key={i} type="application/ld+json" dangerouslySetInnerHTML={{ __html: text }}></script>
      ))}
    >
      <article class="story">
        <h1>{a.headline}</h1>
        <p class="timeline">
          <TimeLine at={a.publishedAt} zone={a.timeZone} city={a.city} />
          {/* A line of its own under the publication time, in the same zone and city. */}
          {a.revisedAt && (
            <>
              <br />
              آخر تحديث: <TimeLine at={a.revisedAt} zone={a.timeZone} city={a.city} />
            </>
          )}
        </p>
        {a.lead && (
          <Figure class="lead" media={a.lead.media} caption={a.lead.caption} credit={a.lead.credit} lazy={false} />
        )}
        {dateline && <p class="dateline">{dateline}</p>}
        <div class="fontsize" role="group" aria-label="حجم الخط">
          {/* The spaces keep the text `+A حجم الخط -A` for copy, reader modes and tests. */}
          {/* dir=ltr: "+A" is a Latin token; in the page's RTL flow the sign would jump to the end. */}
          <button type="button" aria-label="تكبير الخط" data-step="1" dir="ltr">
            +A
          </button>{' '}
          <span>حجم الخط</span>{' '}
          <button type="button" aria-label="تصغير الخط" data-step="-1" dir="ltr">
            -A
          </button>
        </div>
        <div class="article-body">
          {a.body.map((block, i) => (
            <BodyBlock key={i} block={block} media={media} />
          ))}
        </div>
        {a.authors.length > 0 && (
          <p class="byline">
            {a.authors.map((x, i) => (
              <Fragment key={x.id}>
                {i > 0 && '، '}
                <a href={authorPath(x.slug)} rel="author">
                  {x.name}
                </a>
              </Fragment>
            ))}
          </p>
        )}
        {a.tags.length > 0 && (
          <ul class="tags" aria-label="الوسوم">
            {a.tags.map((t) => (
              <li key={t.id}>
                <a href={tagPath(t.slug)}>{t.name}</a>
              </li>
            ))}
          </ul>
        )}
      </article>
      {related.length > 0 && (
        <aside class="related" aria-labelledby="related-title">
          <h2 id="related-title" class="section-title">
            من {a.section.name}
          </h2>
          <Cards items={related} images={false} />
        </aside>
      )}
    </Layout>
  );
}
