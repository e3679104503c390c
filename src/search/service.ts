import { z } from 'zod';
import { articlePath, type Named } from '../domain/article.js';
import { ValidationError } from '../domain/errors.js';
import { zonedToUtc } from '../domain/time.js';
import type { SearchOutcome, ServiceMetrics } from '../services/metrics.js';
import { getArticle } from '../store/articles.js';
import type { Store } from '../store/db.js';
import { getCoverageById, getEntry } from '../store/live.js';
import { findNamedBySlug } from '../store/taxonomy.js';
import { toLatinDigits } from '../text/digits.js';
import type { BackendHit, SearchDocType, SearchFilters } from './backend.js';
import { searchBackend } from './backends.js';
import { articleText, liveEntryText } from './documents.js';
import { isEmptyQuery, MAX_QUERY_CHARS, parseQuery, type QueryParse } from './query.js';
import { indexStatus, reindexAll, type IndexStatus, type ReindexProgress, type ReindexResult } from './reindex.js';
import { highlightAll, snippetHtml } from './snippet.js';

export const RESULTS_PER_PAGE = 10;
export const MAX_PAGE = 100;

export interface SearchHit {
  id: number;
  type: SearchDocType;
  /** Site path: the article, or the live coverage page at the entry's anchor. */
  path: string;
  /** Plain text; for a live entry, its coverage's title. */
  headline: string;
  /** Escaped HTML: the headline with the matched words in `<mark>`. */
  headlineHtml: string;
  /** Escaped HTML: a window of the original text with the matched words in `<mark>`. */
  snippet: string;
  publishedAt: string;
  timeZone: string;
  city: string;
  section: Named | null;
}

export interface SearchResults {
  /** The query as typed (trimmed), for the form and the heading. */
  query: string;
  page: number;
  hasMore: boolean;
  results: SearchHit[];
  /** Why there are no results without searching: nothing typed, or only stopwords or exclusions. */
  notice?: 'empty' | 'stopwords';
  filters: { section?: string; from?: string; to?: string; type?: SearchDocType };
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const digits = (v: unknown) => (typeof v === 'string' ? toLatinDigits(v.trim()) : v);
const DateSchema = z.preprocess(
  (v) => blankToUndefined(digits(v)),
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'التاريخ بصيغة YYYY-MM-DD').optional(),
);

const SearchInputSchema = z.object({
  q: z.preprocess((v) => (v == null ? '' : v), z.string().max(MAX_QUERY_CHARS, `عبارة البحث طويلة: ${MAX_QUERY_CHARS} حرف على الأكثر`)),
  page: z.preprocess(
    (v) => blankToUndefined(digits(v)),
    z.coerce.number().int('رقم الصفحة عدد صحيح').min(1, 'رقم الصفحة يبدأ من 1').max(MAX_PAGE, `لا صفحات بعد ${MAX_PAGE}`).default(1),
  ),
  // Slugs are letters, digits and dashes; a control character or a lone surrogate is refused here,
  // before PostgreSQL (which rejects NUL in text) could turn it into a 500.
  section: z.preprocess(
    blankToUndefined,
    z
      .string()
      .max(200, 'اسم القسم طويل')
      .refine((s) => !/[\u0000-\u001f\u007f]|\p{Cs}/u.test(s), 'قسم غير صالح')
      .optional(),
  ),
  type: z.preprocess(blankToUndefined, z.enum(['article', 'live'], 'النوع: article أو live').optional()),
  from: DateSchema,
  to: DateSchema,
});

export type SearchInput = z.input<typeof SearchInputSchema>;

/** A YYYY-MM-DD day's start in the newsroom's zone, as UTC; `plusDays` moves to a later day. */
function dayStartUtc(day: string, zone: string, plusDays = 0): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) {
    throw new ValidationError(`تاريخ غير موجود: ${day}`);
  }
  probe.setUTCDate(probe.getUTCDate() + plusDays);
  const utc = zonedToUtc({ year: probe.getUTCFullYear(), month: probe.getUTCMonth() + 1, day: probe.getUTCDate() }, zone);
  if (!utc) throw new ValidationError(`تاريخ غير صالح: ${day}`);
  return new Date(utc).toISOString();
}

/**
 * Search as readers and API clients use it: validates the request (bad input is a
 * ValidationError, nothing else), parses the query with the analyzer, runs it on the store's
 * engine, and turns hits into results with highlighted snippets from the original text.
 */
export class SearchService {
  constructor(
    private readonly store: Store,
    private readonly opts: { timeZone: string; metrics?: ServiceMetrics },
  ) {}

  /** Timed for `/metrics`, refusals included: a slow refusal is as slow for the reader. */
  async search(input: unknown, now = new Date()): Promise<SearchResults> {
    const started = performance.now();
    let outcome: SearchOutcome = 'error';
    try {
      const results = await this.#search(input, now);
      outcome = 'ok';
      return results;
    } catch (err) {
      if (err instanceof ValidationError) outcome = 'invalid';
      throw err;
    } finally {
      this.opts.metrics?.searched((performance.now() - started) / 1000, outcome);
    }
  }

  async #search(input: unknown, now: Date): Promise<SearchResults> {
    const r = SearchInputSchema.safeParse(input ?? {});
    if (!r.success) throw new ValidationError(r.error.issues[0]?.message ?? 'طلب بحث غير صالح');
    const req = r.data;
    const query = req.q.trim();
    const filters: SearchResults['filters'] = {
      ...(req.section ? { section: req.section } : {}),
      ...(req.from ? { from: req.from } : {}),
      ...(req.to ? { to: req.to } : {}),
      ...(req.type ? { type: req.type } : {}),
    };
    const engineFilters: SearchFilters = {
      type: req.type,
      fromUtc: req.from ? dayStartUtc(req.from, this.opts.timeZone) : undefined,
      // `to` names the last day included.
      toUtc: req.to ? dayStartUtc(req.to, this.opts.timeZone, 1) : undefined,
    };
    if (engineFilters.fromUtc && engineFilters.toUtc && engineFilters.fromUtc >= engineFilters.toUtc) {
      throw new ValidationError('تاريخ البداية بعد تاريخ النهاية');
    }
    const base = { query, page: req.page, hasMore: false, results: [], filters };
    if (!query) return { ...base, notice: 'empty' };
    const parsed = parseQuery(query);
    if (isEmptyQuery(parsed)) return { ...base, notice: parsed.onlyStopwords ? 'stopwords' : 'empty' };

    const db = this.store.db;
    if (req.section) {
      const section = await findNamedBySlug(db, 'sections', req.section);
      // An unknown section (an old link) finds nothing rather than failing.
      if (!section) return base;
      engineFilters.sectionId = section.id;
      // Live entries belong to no section.
      engineFilters.type = 'article';
      if (req.type === 'live') return base;
    }
    const hits = await searchBackend(db).search(db, parsed, engineFilters, {
      limit: RESULTS_PER_PAGE + 1,
      offset: (req.page - 1) * RESULTS_PER_PAGE,
      now: now.toISOString(),
    });
    const results: SearchHit[] = [];
    for (const h of hits.slice(0, RESULTS_PER_PAGE)) {
      const hit = await this.present(h, parsed);
      // A hit whose source vanished between the two reads is skipped, not shown broken.
      if (hit) results.push(hit);
    }
    return { ...base, results, hasMore: hits.length > RESULTS_PER_PAGE };
  }

  private async present(h: BackendHit, parsed: QueryParse): Promise<SearchHit | undefined> {
    const db = this.store.db;
    if (h.type === 'article') {
      const a = await getArticle(db, h.refId);
      if (!a || a.status !== 'published') return undefined;
      return {
        id: a.id,
        type: 'article',
        path: articlePath(a),
        headline: a.headline,
        headlineHtml: highlightAll(a.headline, parsed.highlight),
        snippet: snippetHtml(articleText(a), parsed.highlight),
        publishedAt: a.publishedAt ?? h.publishedAt,
        timeZone: a.timeZone,
        city: a.city,
        section: a.section,
      };
    }
    const coverage = h.coverageId == null ? undefined : await getCoverageById(db, h.coverageId);
    const entry = coverage && (await getEntry(db, coverage.id, h.refId));
    if (!coverage || !entry || entry.deletedAt) return undefined;
    return {
      id: entry.id,
      type: 'live',
      path: `/live/${encodeURIComponent(coverage.slug)}#entry-${entry.id}`,
      headline: coverage.title,
      headlineHtml: highlightAll(coverage.title, parsed.highlight),
      snippet: snippetHtml(liveEntryText(entry), parsed.highlight),
      publishedAt: entry.createdAt,
      timeZone: coverage.timeZone,
      city: coverage.city,
      section: null,
    };
  }

  reindex(onProgress?: (p: ReindexProgress) => void): Promise<ReindexResult> {
    return reindexAll(this.store.db, onProgress);
  }

  status(): Promise<IndexStatus> {
    return indexStatus(this.store.db);
  }
}
