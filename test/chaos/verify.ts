import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { ArticleState, Content, Ledger } from './model.js';

/** Read-only SQL over the chaos site's database, either engine; `?` placeholders. */
export interface Reader {
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export function sqliteReader(file: string): Reader & { pragma(p: string): unknown[] } {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  return {
    all: async <T>(q: string, params: unknown[] = []) => db.prepare(q).all(...params) as T[],
    pragma: (p) => db.pragma(p) as unknown[],
    close: async () => void db.close(),
  };
}

export async function postgresReader(url: string): Promise<Reader> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return {
    all: async <T>(q: string, params: unknown[] = []) => {
      let n = 0;
      return (await c.query(q.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
    },
    close: () => c.end(),
  };
}

export interface Verdict {
  checked: number;
  lost: string[];
  integrity: string[];
}

interface ArticleRow {
  id: number;
  headline: string;
  body: string;
  status: string;
  published_at: string | null;
  staged_revision_id: number | null;
}

/** Every acknowledged write present and as acknowledged; nothing half-present; the database whole. */
export async function verify(db: Reader, ledger: Ledger): Promise<Verdict> {
  const lost: string[] = [];
  const integrity: string[] = [];
  let checked = 0;

  const articles = new Map((await db.all<ArticleRow>('select id, headline, body, status, published_at, staged_revision_id from articles')).map((a) => [Number(a.id), a]));
  const tags = new Map<number, string[]>();
  for (const t of await db.all<{ article_id: number; name: string }>('select at.article_id, t.name from article_tags at join tags t on t.id = at.tag_id order by at.article_id, at.position')) {
    const list = tags.get(Number(t.article_id)) ?? [];
    list.push(t.name);
    tags.set(Number(t.article_id), list);
  }
  const revisions = new Map<number, Map<number, { id: number; content: Content }>>();
  for (const r of await db.all<{ id: number; article_id: number; number: number; content: string }>('select id, article_id, number, content from article_revisions')) {
    const c = JSON.parse(r.content) as { headline: string; body: { spans: { text: string }[] }[]; tags?: string[] };
    const m = revisions.get(Number(r.article_id)) ?? new Map();
    m.set(Number(r.number), { id: Number(r.id), content: { headline: c.headline, text: c.body[0]?.spans[0]?.text ?? '', tags: c.tags ?? [] } });
    revisions.set(Number(r.article_id), m);
  }
  const publishes = new Map<string, number>();
  for (const a of await db.all<{ target_id: string; n: number }>(
    "select target_id, count(*) as n from audit_log where target_type = 'article' and action in ('article.publish', 'article.update') group by target_id",
  ))
    publishes.set(String(a.target_id), Number(a.n));

  const rowContent = (a: ArticleRow): Content => ({
    headline: a.headline,
    text: (JSON.parse(a.body) as { spans: { text: string }[] }[])[0]?.spans[0]?.text ?? '',
    tags: tags.get(Number(a.id)) ?? [],
  });
  const newestOf = (id: number) => {
    const m = revisions.get(id);
    return m ? m.get(Math.max(...m.keys())) : undefined;
  };
  const same = (x: Content, y: Content | undefined) => !!y && x.headline === y.headline && x.text === y.text && JSON.stringify(x.tags) === JSON.stringify(y.tags);
  const matches = (a: ArticleRow, s: ArticleState) =>
    a.status === s.status && same(s.row, rowContent(a)) && same(s.newest, newestOf(Number(a.id))?.content) && (a.staged_revision_id != null) === s.staged;

  // Acknowledged articles: each acknowledged revision, and the state the last acknowledged write left.
  for (const t of ledger.articles) {
    const a = articles.get(t.id);
    if (!a) {
      lost.push(`article ${t.id}: missing`);
      continue;
    }
    for (const [n, c] of t.revisions) {
      checked++;
      if (!same(c, revisions.get(t.id)?.get(n)?.content)) lost.push(`article ${t.id}: revision ${n} missing or different`);
    }
    checked += t.ackedPublishes;
    const n = publishes.get(String(t.id)) ?? 0;
    if (n < t.ackedPublishes || n > t.ackedPublishes + t.uncertain) lost.push(`article ${t.id}: ${n} publications recorded, ${t.ackedPublishes} acknowledged`);
    const ok = matches(a, t.state) || (t.alternative && matches(a, t.alternative));
    if (!ok) lost.push(`article ${t.id}: ${JSON.stringify({ status: a.status, row: rowContent(a), newest: newestOf(t.id)?.content, staged: a.staged_revision_id != null })} is not ${JSON.stringify(t.state)}${t.alternative ? ` nor ${JSON.stringify(t.alternative)}` : ''}`);
  }

  // Every article, acknowledged or not: whole. Its newest revision is its content unless staged.
  for (const a of articles.values()) {
    const id = Number(a.id);
    const revs = revisions.get(id);
    if (!revs) {
      integrity.push(`article ${id}: no revision`);
      continue;
    }
    if (Math.max(...revs.keys()) !== revs.size) integrity.push(`article ${id}: revision numbers have gaps`);
    if (a.staged_revision_id != null) {
      if (![...revs.values()].some((r) => r.id === Number(a.staged_revision_id))) integrity.push(`article ${id}: staged revision not its own`);
    } else if (!same(rowContent(a), newestOf(id)?.content)) integrity.push(`article ${id}: content differs from its newest revision`);
    if (a.status === 'published' && !a.published_at) integrity.push(`article ${id}: published without a time`);
  }

  // Acknowledged live entries: the entry with its text, and its event in the log.
  const entries = new Map((await db.all<{ id: number; coverage_id: number; body: string }>('select id, coverage_id, body from live_entries')).map((e) => [Number(e.id), e]));
  const events = await db.all<{ coverage_id: number; event_id: number; type: string; entry_id: number | null }>('select coverage_id, event_id, type, entry_id from live_events');
  const eventKey = (c: number, e: number) => `${c}:${e}`;
  const eventByKey = new Map(events.map((e) => [eventKey(Number(e.coverage_id), Number(e.event_id)), e]));
  for (const e of ledger.entries) {
    checked++;
    const row = entries.get(e.id);
    const ev = eventByKey.get(eventKey(e.coverageId, e.eventId));
    if (!row || !row.body.includes(JSON.stringify(e.text).slice(1, -1))) lost.push(`live entry ${e.id}: missing or different`);
    if (!ev || ev.type !== 'entry.created' || Number(ev.entry_id) !== e.id) lost.push(`live entry ${e.id}: event ${e.eventId} missing or different`);
  }
  // Every entry has its creation event, every event's entry exists; each coverage's counter is its last event, with no gaps.
  const created = new Set(events.filter((e) => e.type === 'entry.created').map((e) => Number(e.entry_id)));
  for (const id of entries.keys()) if (!created.has(id)) integrity.push(`live entry ${id}: no entry.created event`);
  for (const e of events) if (e.entry_id != null && !entries.has(Number(e.entry_id))) integrity.push(`event ${e.coverage_id}:${e.event_id}: entry ${e.entry_id} missing`);
  for (const c of await db.all<{ id: number; last_event_id: number; n: number; top: number | null }>(
    'select c.id, c.last_event_id, count(e.event_id) as n, max(e.event_id) as top from live_coverages c left join live_events e on e.coverage_id = c.id group by c.id, c.last_event_id',
  )) {
    if (Number(c.last_event_id) !== Number(c.n) || Number(c.top ?? 0) !== Number(c.n)) integrity.push(`coverage ${c.id}: counter ${c.last_event_id}, ${c.n} events, last ${c.top}`);
  }

  // References no engine-level check covers on both engines alike.
  const orphans: [string, string][] = [
    ['article tags', 'select count(*) as n from article_tags x where not exists (select 1 from articles a where a.id = x.article_id) or not exists (select 1 from tags t where t.id = x.tag_id)'],
    ['revisions', 'select count(*) as n from article_revisions x where not exists (select 1 from articles a where a.id = x.article_id)'],
    ['article sections', 'select count(*) as n from articles x where not exists (select 1 from sections s where s.id = x.section_id)'],
    ['live entries', 'select count(*) as n from live_entries x where not exists (select 1 from live_coverages c where c.id = x.coverage_id)'],
  ];
  for (const [what, q] of orphans) {
    const [r] = await db.all<{ n: number }>(q);
    if (Number(r!.n) !== 0) integrity.push(`${r!.n} orphaned ${what}`);
  }
  return { checked, lost, integrity };
}
