import { renderToString } from 'preact-render-to-string';
import type { LiveCoverage, LiveEntry } from '../../../domain/live.js';
import type { EntryContext } from '../../../services/liveReader.js';
import { BodyBlock } from './article.js';
import { TimeLine } from './components.js';

/**
 * One live entry as readers see it. The page, the SSE stream and the polling fragment all use
 * this markup, so an entry that arrives live looks exactly like one rendered with the page.
 * `id="entry-N"` is what the page script replaces or removes when the entry changes.
 */
export function LiveEntryView({ entry, ctx, coverage }: { entry: LiveEntry; ctx: EntryContext; coverage: Pick<LiveCoverage, 'timeZone' | 'city'> }) {
  const authors = entry.authorIds.map((id) => ctx.authors.get(id)).filter((n): n is string => !!n);
  const cls = ['live-entry', entry.keyEvent && 'key-event', entry.pinned && 'pinned'].filter(Boolean).join(' ');
  return (
    <article class={cls} id={`entry-${entry.id}`} data-entry-id={entry.id}>
      <header class="live-entry-meta">
        <TimeLine at={entry.createdAt} zone={coverage.timeZone} />
        {entry.pinned && <span class="live-pin">مثبّت</span>}
        {entry.keyEvent && <span class="live-key">حدث رئيسي</span>}
        {authors.length > 0 && <span class="live-authors">{authors.join('، ')}</span>}
        {entry.editedAt && (
          <span class="live-edited">
            عُدّل <TimeLine at={entry.editedAt} zone={coverage.timeZone} />
          </span>
        )}
      </header>
      <div class="live-entry-body">
        {entry.blocks.map((block, i) => (
          <BodyBlock key={i} block={block} media={ctx.media} />
        ))}
      </div>
    </article>
  );
}

/** The entry's HTML alone, for the stream and the polling fragment. */
export function renderLiveEntry(entry: LiveEntry, ctx: EntryContext, coverage: Pick<LiveCoverage, 'timeZone' | 'city'>): string {
  return renderToString(<LiveEntryView entry={entry} ctx={ctx} coverage={coverage} />);
}
