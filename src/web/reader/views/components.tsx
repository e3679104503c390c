import type { ComponentChild } from 'preact';
import { articlePath, type ArticleSummary, type Media } from '../../../domain/article.js';
import type { Span } from '../../../domain/blocks.js';
import { formatNewsTime, machineTime } from '../../../domain/time.js';
import { Img } from './picture.js';

/**
 * `2021.06.28 | 17:39 دمشق` in the page's own RTL: the bidi algorithm keeps each number run
 * left-to-right and lays the runs out right-to-left, so the date sits first on the right.
 * An LTR wrapper would put the city first, which is why there is none.
 */
export function TimeLine({ at, zone, city }: { at: string | null; zone: string; city?: string }) {
  if (!at) return null;
  const text = formatNewsTime(at, zone);
  return (
    <time datetime={machineTime(at)}>
      {city ? `${text} ${city}` : text}
    </time>
  );
}

/** `<picture>` with AVIF, WebP and JPEG variants; kept exported here for the views that import it. */
export { Img };

/** The story column is 38em of 16px at most: about 608 CSS px. */
export const STORY_SIZES = '(min-width: 40rem) 38rem, 100vw';

export function Figure(props: {
  media: Media | undefined;
  caption: string | null | undefined;
  credit: string | null | undefined;
  lazy: boolean;
  class?: string;
}) {
  // The article's own caption and credit win; the library's are the defaults. Alt text is the
  // picture's description when the library has one, else the caption.
  const caption = props.caption ?? props.media?.caption ?? null;
  const credit = props.credit ?? props.media?.credit ?? null;
  const alt = props.media?.alt ?? caption ?? '';
  return (
    <figure class={props.class}>
      {props.media && <Img media={props.media} alt={alt} lazy={props.lazy} sizes={STORY_SIZES} />}
      {(caption || credit) && (
        <figcaption>
          {caption}
          {caption && credit && ' '}
          {credit && <span class="credit">({credit})</span>}
        </figcaption>
      )}
    </figure>
  );
}

export function Spans({ spans }: { spans: readonly Span[] }) {
  return (
    <>
      {spans.map((s) => {
        let node: ComponentChild = s.text;
        if (s.italic) node = <em>{node}</em>;
        if (s.bold) node = <strong>{node}</strong>;
        if (s.href) node = <a href={s.href} rel="noopener">{node}</a>;
        return node;
      })}
    </>
  );
}

export function Card({ a, image, eager = false }: { a: ArticleSummary; image: boolean; eager?: boolean }) {
  return (
    <li class="card">
      <a href={articlePath(a)}>
        {image && a.lead && (
          <Img
            media={a.lead.media}
            alt=""
            lazy={!eager}
            sizes="(min-width: 64rem) 20rem, (min-width: 34rem) 50vw, 100vw"
          />
        )}
        <h3>{a.headline}</h3>
      </a>
      {a.summary && <p>{a.summary}</p>}
      <TimeLine at={a.publishedAt} zone={a.timeZone} />
    </li>
  );
}

export function Cards({ items, images, eagerFirst = false }: { items: ArticleSummary[]; images: boolean | 'first'; eagerFirst?: boolean }) {
  return (
    <ul class="cards">
      {items.map((a, i) => (
        <Card key={a.id} a={a} image={images === true || (images === 'first' && i === 0)} eager={eagerFirst && i === 0} />
      ))}
    </ul>
  );
}
