import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VARIANT_CLASSES } from '../../bench/search/evalStories.js';
import { buildEvalSet } from '../../bench/search/writeEvalFixtures.js';

// The search-quality benchmark is only as good as its judged set: these checks keep a hand edit
// of the JSON (or of the stories) from quietly weakening it.
const read = (name: string): unknown =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/search-eval/${name}`, import.meta.url)), 'utf8'));

const Item = z.strictObject({
  id: z.string().regex(/^n\d{3}$/),
  headline: z.string().min(10),
  body: z.string().min(20),
  section: z.enum(['politics', 'economy', 'sport', 'weather', 'health', 'culture', 'technology', 'local']),
  publishedAt: z.iso.datetime(),
});
const Query = z.strictObject({
  id: z.string().regex(/^q\d{2,}$/),
  q: z.string().min(2),
  class: z.enum(VARIANT_CLASSES as [string, ...string[]]),
  relevant: z.array(z.string()).min(1).max(5),
});

const items = z.array(Item).parse(read('items.json'));
const queries = z.array(Query).parse(read('queries.json'));

describe('search evaluation fixtures', () => {
  it('has at least 300 items and 80 queries, with unique ids', () => {
    expect(items.length).toBeGreaterThanOrEqual(300);
    expect(queries.length).toBeGreaterThanOrEqual(80);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(new Set(queries.map((q) => q.id)).size).toBe(queries.length);
  });

  it('covers every variant class the issue lists, each with at least three queries (plain too)', () => {
    for (const cls of VARIANT_CLASSES) expect(queries.filter((q) => q.class === cls).length, cls).toBeGreaterThanOrEqual(3);
  });

  it('judges only items that exist', () => {
    const ids = new Set(items.map((i) => i.id));
    for (const q of queries) for (const id of q.relevant) expect(ids.has(id), `${q.id} → ${id}`).toBe(true);
  });

  it('is Arabic copy with both digit styles, over every section', () => {
    const text = items.map((i) => `${i.headline} ${i.body}`).join('\n');
    expect(items.every((i) => /[\u0621-\u064a]{3}/.test(i.headline))).toBe(true);
    expect(text).toMatch(/[0-9]/);
    expect(text).toMatch(/[٠-٩]/);
    expect(new Set(items.map((i) => i.section)).size).toBe(8);
  });

  it('is exactly what bench/search/writeEvalFixtures.ts writes (the stories are its provenance)', () => {
    const built = buildEvalSet();
    expect(items).toEqual(built.items);
    expect(queries).toEqual(built.queries);
  });
});
