/**
 * Ranking metrics of the quality benchmark, with binary relevance (an item is about the query or
 * it is not). All are cut at rank 10: a news reader rarely looks past the first page.
 */
export const CUTOFF = 10;

export interface QueryScore {
  recall: number;
  rr: number;
  ndcg: number;
}

export function scoreRanking(ranked: readonly string[], relevant: readonly string[], k = CUTOFF): QueryScore {
  const rel = new Set(relevant);
  const top = ranked.slice(0, k);
  let found = 0;
  let rr = 0;
  let dcg = 0;
  top.forEach((id, i) => {
    if (!rel.has(id)) return;
    found += 1;
    if (rr === 0) rr = 1 / (i + 1);
    dcg += 1 / Math.log2(i + 2);
  });
  let idcg = 0;
  for (let i = 0; i < Math.min(rel.size, k); i++) idcg += 1 / Math.log2(i + 2);
  return { recall: rel.size ? found / rel.size : 0, rr, ndcg: idcg ? dcg / idcg : 0 };
}

export interface Summary {
  recall_at_10: number;
  mrr: number;
  ndcg_at_10: number;
  queries: number;
}

export function summarize(scores: readonly QueryScore[]): Summary {
  const mean = (f: (s: QueryScore) => number) => (scores.length ? scores.reduce((a, s) => a + f(s), 0) / scores.length : 0);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return { recall_at_10: r3(mean((s) => s.recall)), mrr: r3(mean((s) => s.rr)), ndcg_at_10: r3(mean((s) => s.ndcg)), queries: scores.length };
}
