/**
 * What an import did, item by item and in totals: the CLI prints the table on stderr and the
 * whole report as JSON on stdout (`--json`). Field names and order are stable.
 */

export const KINDS = ['author', 'section', 'tag', 'attachment', 'article', 'page', 'other'] as const;
export type ImportKind = (typeof KINDS)[number];
export const OUTCOMES = ['imported', 'updated', 'unchanged', 'skipped', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface ItemReport {
  kind: ImportKind;
  /** WordPress id: post id, author login, term slug. */
  wpId: string;
  /** Line of the record in the file (items only). */
  line?: number;
  title: string;
  outcome: Outcome;
  localId?: number;
  /** Reader URL (published articles and pages). */
  url?: string;
  /** WordPress status → Nashra status, for posts and pages. */
  wpStatus?: string;
  status?: string;
  /** Why it was skipped or failed. */
  reason?: string;
  warnings: string[];
}

export type Counts = Record<ImportKind, Record<Outcome, number>>;

/**
 * A copy of `s` that shares no memory with the text it was cut from. Titles and warnings come
 * out of the parser as slices of whole chunks of the file; kept in the report as they are, each
 * would keep its chunk alive (about 9 KB per item on bench:import, 180 MB for 20,000 posts).
 */
export function detached(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** The report's copy of an item's outcome: its strings detached from the parser's buffers. */
export function keptItem(item: ItemReport): ItemReport {
  return {
    ...item,
    title: detached(item.title),
    ...(item.reason !== undefined ? { reason: detached(item.reason) } : {}),
    warnings: item.warnings.map(detached),
  };
}

export function emptyCounts(): Counts {
  return Object.fromEntries(KINDS.map((k) => [k, Object.fromEntries(OUTCOMES.map((o) => [o, 0]))])) as Counts;
}

export interface ImportReport {
  file: string;
  source: string;
  dryRun: boolean;
  timeZone: string;
  counts: Counts;
  /** The status mapping applied, for the statuses this file has (`publish` → `published` …). */
  statuses: Record<string, string>;
  comments: { total: number; approved: number; pending: number; other: number; replies: number; imported: 0 };
  items: ItemReport[];
  /** File-level warnings: the reader's corrections, category order, the time zone check. */
  warnings: { line?: number; message: string }[];
}

/** Plain text table, one row per kind with anything in it, then a total. */
export function summaryTable(r: ImportReport): string {
  const head = ['', ...OUTCOMES];
  const rows: string[][] = [];
  const total = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const k of KINDS) {
    const c = r.counts[k];
    if (OUTCOMES.every((o) => c[o] === 0)) continue;
    rows.push([k, ...OUTCOMES.map((o) => String(c[o]))]);
    for (const o of OUTCOMES) total[o] += c[o];
  }
  rows.push(['total', ...OUTCOMES.map((o) => String(total[o]))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(head), ...rows.map(line)];
  const statuses = Object.entries(r.statuses)
    .map(([wp, ours]) => `${wp} → ${ours}`)
    .join(', ');
  if (statuses) out.push(`statuses: ${statuses}`);
  out.push(`comments: ${r.comments.total} counted (${r.comments.approved} approved, ${r.comments.pending} pending, ${r.comments.other} spam/trash, ${r.comments.replies} replies), not imported`);
  if (r.dryRun) out.push('dry run: nothing was written');
  return `${out.join('\n')}\n`;
}
