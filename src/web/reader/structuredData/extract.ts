/**
 * What a crawler reads from a page's HTML: the JSON-LD objects and the `<meta>` and `<link>`
 * tags. For our own pages (tests, checks), not for arbitrary HTML: it relies on attributes
 * being double-quoted and on JSON-LD never containing `<` (jsonLdText escapes it).
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([^\s=/<>"']+)(?:="([^"]*)")?/g)) out[m[1]!.toLowerCase()] = decode(m[2] ?? '');
  return out;
}

/** Every JSON-LD object of the page: arrays and `@graph` flattened; a script that does not parse is reported as an Error. */
export function extractJsonLd(html: string): unknown[] {
  const out: unknown[] = [];
  for (const m of html.matchAll(/<script\b[^>]*type="application\/ld\+json"[^>]*>([\s\S]*?)<\/script>/gi)) {
    let data: unknown;
    try {
      data = JSON.parse(m[1]!);
    } catch (e) {
      out.push(e instanceof Error ? e : new Error(String(e)));
      continue;
    }
    for (const item of Array.isArray(data) ? data : [data]) {
      const graph = (item as { '@graph'?: unknown })?.['@graph'];
      out.push(...(Array.isArray(graph) ? graph : [item]));
    }
  }
  return out;
}

/** The `<head>`'s tags of one name (`meta`, `link`), each as its attributes. */
export function headTags(html: string, name: 'meta' | 'link'): Record<string, string>[] {
  const head = /<head>([\s\S]*?)<\/head>/i.exec(html)?.[1] ?? '';
  // JSON-LD text never holds `<`, so no tag can hide in a script.
  // A quoted value may hold `>`: the tag ends at the first `>` outside quotes.
  return [...head.matchAll(new RegExp(`<${name}\\b(?:[^>"]|"[^"]*")*>`, 'gi'))].map((m) => attributes(m[0]));
}

/** Open Graph (`property`) and Twitter/standard (`name`) meta values by key, in page order. */
export function metaValues(html: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of headTags(html, 'meta')) {
    const key = a.property ?? a.name;
    if (key === undefined || a.content === undefined) continue;
    out.set(key, [...(out.get(key) ?? []), a.content]);
  }
  return out;
}
