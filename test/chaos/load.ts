import { afterEdit, afterPublish, prng, type Content, type Ledger, type TrackedArticle } from './model.js';

const TAGS = ['اقتصاد', 'سياسة', 'طقس', 'رياضة', 'صحة', 'تعليم'];

/** Where the server is now; null while it is down (killed, restarting). */
export interface Target {
  current(): string | null;
  /** Resolves once a server is up again (or the load is over). */
  up(): Promise<void>;
}

export interface LoadOptions {
  target: Target;
  token: string;
  coverageId: number;
  ledger: Ledger;
  workers: number;
  seed: number;
  stopped(): boolean;
}

type Outcome<T> = { kind: 'ack'; body: T } | { kind: 'unanswered' } | { kind: 'refused'; status: number; text: string };

/**
 * Writers over the JSON API. Each owns the articles it created, so its writes to one article are
 * sequential and "the last acknowledged state" is well defined; live entries go to one shared
 * coverage from all of them at once.
 */
export async function runLoad(o: LoadOptions): Promise<void> {
  await Promise.all(Array.from({ length: o.workers }, (_, w) => worker(o, w)));
}

async function worker(o: LoadOptions, w: number): Promise<void> {
  const rand = prng(o.seed + 1 + w);
  const mine: TrackedArticle[] = [];
  let seq = 0;
  const content = (): Content => {
    seq++;
    const tags = TAGS.filter(() => rand() < 0.35);
    return { headline: `خبر الكاتب ${w} رقم ${seq}`, text: `نص الخبر ${w}-${seq}: تفاصيل ما جرى اليوم في المدينة.`, tags };
  };
  const input = (c: Content) => ({
    headline: c.headline,
    body: [{ type: 'paragraph', spans: [{ text: c.text }] }],
    section: 'أخبار',
    tags: c.tags,
    timeZone: 'Asia/Damascus',
    city: 'دمشق',
  });

  while (!o.stopped()) {
    await o.target.up();
    const base = o.target.current();
    if (!base || o.stopped()) continue;
    const send = <T>(method: string, path: string, body?: unknown) => call<T>(base, o.token, method, path, body);
    const open = mine.filter((a) => a.uncertain === 0);
    const r = rand();

    if (r < 0.25 || open.length === 0) {
      const c = content();
      const res = await send<{ id: number }>('POST', '/articles', input(c));
      if (res.kind === 'ack') {
        o.ledger.acked.create++;
        const state = { status: 'draft' as const, row: c, newest: c, staged: false };
        mine.push({ id: res.body.id, state, revisions: new Map([[1, c]]), ackedPublishes: 0, uncertain: 0 });
        o.ledger.articles.push(mine.at(-1)!);
      } else note(o.ledger, res, 'create');
    } else if (r < 0.55) {
      const a = open[Math.floor(rand() * open.length)]!;
      const c = content();
      const res = await send<{ revision: { number: number }; staged: boolean }>('PATCH', `/articles/${a.id}`, { headline: c.headline, body: input(c).body, tags: c.tags });
      if (res.kind === 'ack') {
        o.ledger.acked.edit++;
        a.state = afterEdit(a.state, c);
        a.revisions.set(res.body.revision.number, c);
      } else uncertain(o.ledger, a, res, afterEdit(a.state, c), 'edit');
    } else if (r < 0.7) {
      const ready = open.filter((a) => a.state.status === 'draft' || a.state.staged);
      if (ready.length === 0) continue;
      const a = ready[Math.floor(rand() * ready.length)]!;
      const res = await send('POST', `/articles/${a.id}/publish`);
      if (res.kind === 'ack') {
        o.ledger.acked.publish++;
        a.ackedPublishes++;
        a.state = afterPublish(a.state);
      } else uncertain(o.ledger, a, res, afterPublish(a.state), 'publish');
    } else {
      seq++;
      const text = `مستجد ${w}-${seq}: خبر عاجل من الميدان.`;
      const res = await send<{ id: number; eventId: number }>('POST', `/live/${o.coverageId}/entries`, { text });
      if (res.kind === 'ack') {
        o.ledger.acked.entry++;
        o.ledger.entries.push({ coverageId: o.coverageId, id: res.body.id, eventId: res.body.eventId, text });
      } else note(o.ledger, res, 'live entry');
    }
  }
}

function note(ledger: Ledger, res: Outcome<unknown>, what: string): void {
  if (res.kind === 'unanswered') ledger.unanswered++;
  else if (res.kind === 'refused') ledger.refuse(res.status, `${what}: ${res.text.slice(0, 200)}`);
}

function uncertain(ledger: Ledger, a: TrackedArticle, res: Outcome<unknown>, ifApplied: TrackedArticle['state'], what: string): void {
  note(ledger, res, what);
  // A refusal (4xx/5xx) changed nothing, but it is not counted on: the article is retired either way.
  a.uncertain++;
  a.alternative = ifApplied;
}

async function call<T>(base: string, token: string, method: string, path: string, body?: unknown): Promise<Outcome<T>> {
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(20_000),
    });
  } catch {
    return { kind: 'unanswered' };
  }
  let text: string;
  try {
    text = await res.text();
  } catch {
    // The head came, the body did not: the server died between the two. Not an acknowledgement.
    return { kind: 'unanswered' };
  }
  if (res.status >= 200 && res.status < 300) return { kind: 'ack', body: JSON.parse(text) as T };
  return { kind: 'refused', status: res.status, text };
}
