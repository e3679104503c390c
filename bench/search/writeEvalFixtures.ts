/**
 * Writes test/fixtures/search-eval/items.json and queries.json from the hand-written stories
 * (evalStories.ts) and the background templates (evalFillers.ts). Deterministic: the same code
 * writes the same bytes, so the committed JSON is the fixture and this script is its provenance.
 *
 *   npx tsx bench/search/writeEvalFixtures.ts
 *
 * It refuses to write a set whose judgements could be incomplete: an item outside a story that
 * contains the story's distinctive root (other than a declared near-miss) is an error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { normalize } from '../../src/text/analyzer/index.js';
import { FAMILY_NAMES, FILLER_PLACES, FILLER_TEMPLATES, MEN, WOMEN } from './evalFillers.js';
import { STORIES, type Section, type VariantClass } from './evalStories.js';
import { mulberry32 } from './prng.js';

export interface EvalItem {
  id: string;
  headline: string;
  body: string;
  section: Section;
  publishedAt: string;
}
export interface EvalQuery {
  id: string;
  q: string;
  class: VariantClass;
  relevant: string[];
}

/** Filler copies per template: 8 sections × 5 templates × 5 = 200 background items. */
const COPIES = 5;
const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';

export function buildEvalSet(): { items: EvalItem[]; queries: EvalQuery[] } {
  const rand = mulberry32(20260501);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  // Newsrooms mix digit styles; so do the items (and the digit-class queries use the other one).
  const num = (lo: number, hi: number): string => {
    const s = String(lo + Math.floor(rand() * (hi - lo)));
    return rand() < 0.4 ? s.replace(/\d/g, (d) => ARABIC_INDIC[Number(d)]!) : s;
  };

  const drafts: { headline: string; body: string; section: Section; story?: string }[] = [];
  for (const story of STORIES) {
    for (const [headline, body] of story.items) drafts.push({ headline, body, section: story.section, story: story.key });
  }
  for (const [section, templates] of Object.entries(FILLER_TEMPLATES) as [Section, (typeof FILLER_TEMPLATES)[Section]][]) {
    for (const template of templates) {
      for (let c = 0; c < COPIES; c++) {
        const [headline, body] = template({
          place: pick(FILLER_PLACES),
          person: `${pick(MEN)} ${pick(FAMILY_NAMES)}`,
          woman: `${pick(WOMEN)} ${pick(FAMILY_NAMES)}`,
          n: num(100, 9000),
          m: num(3, 90),
        });
        drafts.push({ headline, body, section });
      }
    }
  }
  // Shuffle so ids and dates say nothing about which items are judged.
  for (let i = drafts.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [drafts[i], drafts[j]] = [drafts[j]!, drafts[i]!];
  }
  const start = Date.UTC(2026, 0, 1);
  const items: EvalItem[] = drafts.map((d, i) => ({
    id: `n${String(i + 1).padStart(3, '0')}`,
    headline: d.headline,
    body: d.body,
    section: d.section,
    // Spread over about ten months, minutes not rounded, like real publishing times.
    publishedAt: new Date(start + Math.floor(rand() * 300 * 86_400_000)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }));

  const idsOf = new Map<string, string[]>();
  drafts.forEach((d, i) => {
    if (d.story) idsOf.set(d.story, [...(idsOf.get(d.story) ?? []), items[i]!.id]);
  });
  const folded = items.map((it) => ` ${normalize(`${it.headline} ${it.body}`)} `);
  const problems: string[] = [];
  const queries: EvalQuery[] = [];
  for (const story of STORIES) {
    const relevant = idsOf.get(story.key) ?? [];
    const allowed = new Set([...relevant, ...(story.near ?? []).flatMap((k) => idsOf.get(k) ?? [])]);
    const root = normalize(story.root);
    items.forEach((it, i) => {
      if (folded[i]!.includes(root) && !allowed.has(it.id)) problems.push(`${story.key}: root "${story.root}" also in ${it.id} «${it.headline}»`);
    });
    for (const id of relevant) {
      if (!folded[items.findIndex((it) => it.id === id)]!.includes(root)) problems.push(`${story.key}: ${id} lacks its root "${story.root}"`);
    }
    for (const [q, cls] of story.queries) {
      queries.push({ id: `q${String(queries.length + 1).padStart(2, '0')}`, q, class: cls, relevant: [...relevant].sort() });
    }
  }
  if (problems.length) throw new Error(`evaluation set is inconsistent:\n${problems.join('\n')}`);
  return { items, queries };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { items, queries } = buildEvalSet();
  const dir = fileURLToPath(new URL('../../test/fixtures/search-eval/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}items.json`, `${JSON.stringify(items, null, 1)}\n`);
  writeFileSync(`${dir}queries.json`, `${JSON.stringify(queries, null, 1)}\n`);
  console.log(`wrote ${items.length} items and ${queries.length} queries to ${dir}`);
}
