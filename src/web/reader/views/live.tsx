import { blockText, embedProvider } from '../../../domain/blocks.js';
import type { LiveCoverage, LiveEntry } from '../../../domain/live.js';
import type { LivePage } from '../../../services/liveReader.js';
import { assetUrl } from '../assets.js';
import { TimeLine } from './components.js';
import { Layout, type Site } from './layout.js';
import { LiveEntryView } from './liveEntry.js';

export const livePath = (slug: string) => `/live/${encodeURIComponent(slug)}`;

/** How a coverage's stream plays on the page, and which origin the page's CSP must then allow. */
export type StreamPlayer =
  | { kind: 'hls'; url: string; origin: string }
  | { kind: 'youtube'; id: string; embedUrl: string; watchUrl: string };

const YOUTUBE_NOCOOKIE = 'https://www.youtube-nocookie.com';

/** The coverage's stream URL (validated when it was saved) as a player; null when none plays. */
export function streamPlayer(raw: string | null): StreamPlayer | null {
  if (!raw) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:') return null;
  if (embedProvider(raw) === 'hls') return { kind: 'hls', url: u.href, origin: u.origin };
  const host = u.hostname.toLowerCase().replace(/^(www\.|m\.|mobile\.)/, '');
  const id =
    host === 'youtu.be'
      ? u.pathname.split('/')[1]
      : host === 'youtube.com'
        ? u.pathname === '/watch'
          ? u.searchParams.get('v')
          : /^\/(?:shorts|live)\/([\w-]+)\/?$/.exec(u.pathname)?.[1]
        : undefined;
  if (!id || !/^[\w-]{6,20}$/.test(id)) return null;
  // The privacy-enhanced host: no YouTube cookies until the reader plays the video.
  return { kind: 'youtube', id, embedUrl: `${YOUTUBE_NOCOOKIE}/embed/${id}`, watchUrl: `https://www.youtube.com/watch?v=${id}` };
}

/** The CSP sources a page playing this stream needs beyond the site's own policy. */
export function streamCsp(player: StreamPlayer | null): Record<string, string[]> {
  if (!player) return {};
  // hls.js fetches the playlist and segments itself and plays them through a blob: MediaSource.
  if (player.kind === 'hls') return { 'media-src': [player.origin, 'blob:'], 'connect-src': [player.origin] };
  return { 'frame-src': [YOUTUBE_NOCOOKIE] };
}

/** The entry's visible text, one line. */
export function entryText(entry: Pick<LiveEntry, 'blocks'>): string {
  return entry.blocks.map(blockText).filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
}

/** A short title for an entry: its first sentence, or its first 80 characters. */
export function entryHeadline(entry: Pick<LiveEntry, 'blocks'>): string {
  const text = entryText(entry);
  const sentence = /^.+?[.!?؟۔](?=\s|$)/u.exec(text)?.[0] ?? text;
  if (sentence.length <= 80) return sentence;
  const cut = sentence.slice(0, 80);
  const space = cut.lastIndexOf(' ');
  return `${(space > 40 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function StatusLine({ coverage }: { coverage: LiveCoverage }) {
  return (
    <p class="live-status" data-time-zone={coverage.timeZone} data-city={coverage.city}>
      {coverage.status === 'live' ? (
        <span class="live-badge">مباشر</span>
      ) : (
        <span class="live-ended">
          انتهت التغطية <TimeLine at={coverage.endedAt} zone={coverage.timeZone} city={coverage.city} />
        </span>
      )}
    </p>
  );
}

function Player({ player, title }: { player: StreamPlayer; title: string }) {
  if (player.kind === 'youtube') {
    return (
      <div class="live-video">
        {/* The referrer policy overrides the site's no-referrer: YouTube refuses embeds without one. */}
        <iframe
          src={player.embedUrl}
          title={`البث المباشر: ${title}`}
          loading="lazy"
          allow="encrypted-media; picture-in-picture; fullscreen"
          allowFullScreen
          referrerpolicy="strict-origin-when-cross-origin"
        ></iframe>
      </div>
    );
  }
  return (
    <div class="live-video">
      {/* No src: the page script sets it (Safari, iOS) or attaches hls.js (the others). */}
      <video controls playsinline preload="none" data-hls={player.url} data-hls-script={assetUrl('hls.js')} aria-label={`البث المباشر: ${title}`}>
        <a href={player.url}>رابط البث المباشر</a>
      </video>
    </div>
  );
}

function KeyEvents({ page, path, shown }: { page: LivePage; path: string; shown: Set<number> }) {
  const zone = page.coverage.timeZone;
  return (
    <nav class="live-key-events" aria-labelledby="live-key-title">
      <h2 id="live-key-title">أبرز الأحداث</h2>
      <ol>
        {page.keyEvents.map((e) => (
          <li key={e.id} data-entry-id={e.id}>
            {/* An entry on an older page: the page that starts with it. */}
            <a href={shown.has(e.id) ? `#entry-${e.id}` : `${path}?before=${e.id + 1}#entry-${e.id}`}>
              <TimeLine at={e.createdAt} zone={zone} /> <span>{entryHeadline(e)}</span>
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}

export function LivePageView(props: { site: Site; page: LivePage; before: number | undefined; jsonLd: string | null }) {
  const { site, page, before } = props;
  const c = page.coverage;
  const path = livePath(c.slug);
  const first = before === undefined;
  const player = streamPlayer(c.streamUrl);
  // The first page shows pinned entries once, above the stream; older pages keep them in place.
  const pinnedIds = new Set(first ? page.pinned.map((e) => e.id) : []);
  const entries = page.entries.filter((e) => !pinnedIds.has(e.id));
  const shown = new Set([...pinnedIds, ...entries.map((e) => e.id)]);
  // Only the first page follows the stream; an older page is an archive.
  const following = first && c.status === 'live';
  const entry = (e: LiveEntry) => <LiveEntryView key={e.id} entry={e} ctx={page.ctx} coverage={c} />;
  return (
    <Layout
      site={site}
      title={first ? c.title : `${c.title} - مدخلات أقدم`}
      description={c.summary}
      canonical={first ? path : `${path}?before=${before}`}
      head={props.jsonLd && <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: props.jsonLd }}></script>}
    >
      <div class="live-page">
        <header class="live-head">
          <StatusLine coverage={c} />
          <h1>{c.title}</h1>
          {c.summary && <p class="live-summary">{c.summary}</p>}
          <p class="timeline">
            بدأت التغطية: <TimeLine at={c.startedAt} zone={c.timeZone} city={c.city} />
          </p>
        </header>
        {player && first && <Player player={player} title={c.title} />}
        {page.keyEvents.length > 0 && <KeyEvents page={page} path={path} shown={shown} />}
        <section
          class="live-stream"
          aria-label="المدخلات"
          data-status={c.status}
          data-last-event-id={c.lastEventId}
          {...(following ? { 'data-events-url': `/live/${c.id}/events`, 'data-updates-url': `/live/${c.id}/updates` } : {})}
        >
          {first && <div class="live-pinned">{page.pinned.map(entry)}</div>}
          <div class="live-entries">{entries.map(entry)}</div>
          {shown.size === 0 && <p class="live-empty">لم تُنشر مدخلات بعد.</p>}
        </section>
        {(!first || page.olderBefore !== null) && (
          <nav class="pager" aria-label="الصفحات">
            {!first && <a href={path}>الأحدث</a>}
            {page.olderBefore !== null && (
              <a class="older" href={`${path}?before=${page.olderBefore}`} rel="next">
                أقدم
              </a>
            )}
          </nav>
        )}
      </div>
      {(following || (player?.kind === 'hls' && first)) && <script src={assetUrl('live.js')} defer></script>}
    </Layout>
  );
}

function CoverageItem({ coverage: c }: { coverage: LiveCoverage }) {
  return (
    <li class="live-item">
      <a href={livePath(c.slug)}>
        {c.status === 'live' && <span class="live-badge">مباشر</span>} <h3>{c.title}</h3>
      </a>
      {c.summary && <p>{c.summary}</p>}
      {c.status === 'live' ? (
        <p class="timeline">
          بدأت: <TimeLine at={c.startedAt} zone={c.timeZone} city={c.city} />
        </p>
      ) : (
        <p class="timeline">
          انتهت: <TimeLine at={c.endedAt} zone={c.timeZone} city={c.city} />
        </p>
      )}
    </li>
  );
}

/** `/live`: what is running now, then what ended lately. */
export function LiveListView({ site, running, ended }: { site: Site; running: LiveCoverage[]; ended: LiveCoverage[] }) {
  return (
    <Layout site={site} title="التغطية الحية" canonical="/live" description="التغطيات الحية الجارية والمنتهية مؤخراً">
      <h1>التغطية الحية</h1>
      {running.length > 0 ? (
        <ul class="live-list" aria-label="تغطيات جارية">
          {running.map((c) => (
            <CoverageItem key={c.id} coverage={c} />
          ))}
        </ul>
      ) : (
        <p>لا توجد تغطية حية الآن.</p>
      )}
      {ended.length > 0 && (
        <>
          <h2 class="section-title">تغطيات انتهت مؤخراً</h2>
          <ul class="live-list">
            {ended.map((c) => (
              <CoverageItem key={c.id} coverage={c} />
            ))}
          </ul>
        </>
      )}
      {running.length === 0 && ended.length === 0 && (
        <p>
          <a href="/">العودة إلى الصفحة الرئيسية</a>
        </p>
      )}
    </Layout>
  );
}
