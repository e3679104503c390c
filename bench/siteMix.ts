/**
 * The reader mix of bench:site and bench:soak: what a news site's readers ask for, by share of
 * requests, and an autocannon request whose path is drawn from it afresh for every request.
 * Each answer is counted by kind (status and an approximate latency: from building the request
 * to its last byte, which on a keep-alive connection without pipelining is when it was sent).
 */
import type { Request as CannonRequest } from 'autocannon';
import { mulberry32 } from './search/prng.js';
import type { SiteData } from './siteData.js';

/** The repo's one seeded PRNG, re-exported for the site benches' callers. */
export { mulberry32 };

export type Kind = 'home' | 'section' | 'article' | 'live' | 'search' | 'feed' | 'updates';

/**
 * Shares of requests, in %. Articles dominate (readers arrive from social and search on a
 * story); home and section pages are the next stop; the live page is opened once per reader
 * and then polled (`updates` stands for the readers without a stream, every 10 s); search and
 * feeds (feed readers, aggregators) are small but uncached by nature or by the CDN's choice.
 */
export const MIX: Record<Kind, number> = {
  home: 15,
  section: 15,
  article: 45,
  live: 5,
  search: 5,
  feed: 5,
  updates: 10,
};
export const KINDS = Object.keys(MIX) as Kind[];

/** Share of article requests that go to the newest stories (the rest spread over the archive). */
export const HOT_SHARE = 0.7;
export const HOT_ARTICLES = 20;


const enc = encodeURIComponent;

/** A path of the given kind, drawn with `rand`. */
export function pathOf(kind: Kind, site: SiteData, rand: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  switch (kind) {
    case 'home':
      return '/';
    case 'section': {
      // Most readers stay on the first page; some page back through the section.
      const page = rand() < 0.8 ? 1 : 2 + Math.floor(rand() * 4);
      return `/section/${enc(pick(site.sections))}${page > 1 ? `?page=${page}` : ''}`;
    }
    case 'article':
      return rand() < HOT_SHARE ? pick(site.articles.slice(0, HOT_ARTICLES)) : pick(site.articles);
    case 'live':
      return `/live/${enc(site.coverage.slug)}`;
    case 'search':
      return `/search?q=${enc(pick(site.searchWords))}`;
    case 'feed':
      return rand() < 0.6 ? '/feed.xml' : `/section/${enc(pick(site.sections))}/feed.xml`;
    case 'updates':
      // A poller that is up to date: the common answer, nothing new since its last poll.
      return `/live/${enc(site.coverage.slug)}/updates?after=${site.coverage.lastEventId}`;
  }
}

export interface KindStats {
  count: number;
  non2xx: number;
  /** How many of each status other than 2xx, to tell a 404 from a 503. */
  statuses: Record<number, number>;
  /** Approximate latencies, ms (see the file comment). */
  latencies: number[];
}

export function emptyStats(): Record<Kind, KindStats> {
  return Object.fromEntries(KINDS.map((k) => [k, { count: 0, non2xx: 0, statuses: {}, latencies: [] }])) as unknown as Record<Kind, KindStats>;
}

/** autocannon's per-connection context: what was last sent on it, and when. */
interface MixContext {
  kind: Kind;
  sent: number;
}

/** An autocannon `requests` list drawing every request from the mix (or only `only`), counting into `stats`. */
export function mixRequests(site: SiteData, seed: number, stats: Record<Kind, KindStats>, only?: Kind): CannonRequest[] {
  const rand = mulberry32(seed);
  const total = KINDS.reduce((s, k) => s + MIX[k], 0);
  const drawKind = (): Kind => {
    if (only) return only;
    let u = rand() * total;
    for (const k of KINDS) if ((u -= MIX[k]) < 0) return k;
    return 'article';
  };
  return [
    {
      method: 'GET',
      setupRequest: (req, context) => {
        const kind = drawKind();
        const ctx = context as MixContext;
        ctx.kind = kind;
        ctx.sent = performance.now();
        return { ...req, path: pathOf(kind, site, rand) };
      },
      onResponse: (status, _body, context) => {
        const ctx = context as MixContext;
        const s = stats[ctx.kind];
        if (!s) return;
        s.count++;
        if (status < 200 || status > 299) {
          s.non2xx++;
          s.statuses[status] = (s.statuses[status] ?? 0) + 1;
        }
        s.latencies.push(performance.now() - ctx.sent);
      },
    },
  ];
}

/** `404 ×3, 503 ×1`, or empty. */
export function statusList(s: KindStats): string {
  return Object.entries(s.statuses).map(([code, n]) => `${code} ×${n}`).join(', ');
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
