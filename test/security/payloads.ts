/**
 * XSS payloads for the security tests. Every payload that runs calls `window.__xss(n)` (never
 * `alert`), `n` being its own number, so a test knows exactly which one ran and where.
 *
 * `live` names the raw context in which the payload does run in Chromium — the control test
 * injects it there unescaped and expects `__xss(n)`, which proves the payload and the detector
 * work. Payloads without `live` are still entered everywhere (template syntax, CSS tricks,
 * bidi spoofing, mutation-XSS shapes that only bite after a sanitizer re-parses them).
 */
export type LiveContext =
  /** Raw in `<body>`. */
  | 'html'
  /** Inside a double-quoted attribute: `<img src="x" alt="…">`. */
  | 'attr-dq'
  /** Inside a single-quoted attribute: `<img src='x' alt='…'>`. */
  | 'attr-sq'
  /** Inside a JavaScript string: `<script>var s = '…';</script>`. */
  | 'js-sq'
  /** As a link's href, clicked. */
  | 'href';

export interface Payload {
  n: number;
  kind: 'script' | 'event' | 'url' | 'svg' | 'mutation' | 'broken' | 'attribute' | 'template' | 'css' | 'frame' | 'bidi';
  text: string;
  live?: LiveContext;
}

const X = (n: number) => `__xss(${n})`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Each entry builds its payload from its number. */
const MAKERS: [Payload['kind'], (n: number) => string, LiveContext?][] = [
  // <script> variants
  ['script', (n) => `<script>${X(n)}</script>`, 'html'],
  ['script', (n) => `<SCRIPT>${X(n)}</SCRIPT>`, 'html'],
  ['script', (n) => `<ScRiPt type="text/javascript">${X(n)}</sCrIpT>`, 'html'],
  ['script', (n) => `<script src="data:text/javascript,${X(n)}"></script>`, 'html'],
  ['script', (n) => `</script><script>${X(n)}</script>`, 'html'],
  ['script', (n) => `<script >${X(n)}</script >`, 'html'],
  ['script', (n) => `<scr<script>ipt>${X(n)}</script>`],
  ['script', (n) => `<<script>${X(n)}//<</script>`, 'html'],
  // event handlers
  ['event', (n) => `<img src=x onerror=${X(n)}>`, 'html'],
  ['event', (n) => `<IMG SRC=x OnErRoR="${X(n)}">`, 'html'],
  ['event', (n) => `<img src=x:y onerror=&#95;&#95;xss(${n})>`, 'html'],
  ['event', (n) => `<svg onload=${X(n)}>`, 'html'],
  ['event', (n) => `<svg/onload=${X(n)}>`, 'html'],
  ['event', (n) => `<body onload=${X(n)}>`, 'html'],
  ['event', (n) => `<details open ontoggle=${X(n)}>`, 'html'],
  ['event', (n) => `<input autofocus onfocus=${X(n)}>`, 'html'],
  ['event', (n) => `<video><source onerror=${X(n)}></video>`, 'html'],
  ['event', (n) => `<iframe onload=${X(n)}></iframe>`, 'html'],
  ['event', (n) => `<style onload=${X(n)}></style>`, 'html'],
  ['event', (n) => `<a href="#" onmouseover=${X(n)}>hover</a>`],
  // javascript: and data: URLs (as text here; as span hrefs they must be refused)
  ['url', (n) => `javascript:${X(n)}`, 'href'],
  ['url', (n) => `JaVaScRiPt:${X(n)}`, 'href'],
  ['url', (n) => `javascript&#58;${X(n)}`, 'href'],
  ['url', (n) => `&#106;avascript:${X(n)}`, 'href'],
  ['url', (n) => `java\tscript:${X(n)}`, 'href'],
  ['url', (n) => `data:text/html,<script>parent.${X(n)}</script>`, 'html'],
  ['url', (n) => `data:text/html;base64,${b64(`<script>parent.${X(n)}</script>`)}`],
  ['url', (n) => `<a href="javascript:${X(n)}">رابط</a>`],
  ['url', (n) => `vbscript:${X(n)}`],
  // SVG
  ['svg', (n) => `<svg><script>${X(n)}</script></svg>`, 'html'],
  ['svg', (n) => `<svg><animate onbegin=${X(n)} attributeName=x dur=1s>`, 'html'],
  ['svg', (n) => `<svg><set onbegin=${X(n)} attributeName=x to=1>`, 'html'],
  ['svg', (n) => `<svg><a xlink:href="javascript:${X(n)}"><text x=20 y=20>x</text></a></svg>`],
  ['svg', (n) => `<svg><foreignObject><img src=x onerror=${X(n)}></foreignObject></svg>`, 'html'],
  // mutation XSS: harmless only while everything stays text
  ['mutation', (n) => `<noscript><p title="</noscript><img src=x onerror=${X(n)}>">`, 'html'],
  ['mutation', (n) => `<math><mtext><table><mglyph><style><img src=x onerror=${X(n)}>`],
  ['mutation', (n) => `<form><math><mtext></form><form><mglyph><style></math><img src=x onerror=${X(n)}>`],
  ['mutation', (n) => `<svg></p><style><a id="</style><img src=1 onerror=${X(n)}>">`, 'html'],
  ['mutation', (n) => `<xmp><p title="</xmp><img src=x onerror=${X(n)}>">`, 'html'],
  ['mutation', (n) => `<listing>&lt;img src=x onerror=${X(n)}&gt;</listing>`],
  // broken markup
  ['broken', (n) => `"><img src=x onerror=${X(n)}>`, 'attr-dq'],
  ['broken', (n) => `'><img src=x onerror=${X(n)}>`, 'attr-sq'],
  ['broken', (n) => `'-${X(n)}-'`, 'js-sq'],
  ['broken', (n) => `<img src=x onerror=${X(n)} `, 'html'],
  ['broken', (n) => `<!--<img src="--><img src=x onerror=${X(n)}//">`, 'html'],
  ['broken', (n) => `]]><img src=x onerror=${X(n)}>`, 'html'],
  ['broken', (n) => `<![CDATA[<script>${X(n)}</script>]]>`],
  ['broken', (n) => `<textarea></textarea><img src=x onerror=${X(n)}>`, 'html'],
  // attribute and template breaking
  ['attribute', (n) => `" onerror="${X(n)}`, 'attr-dq'],
  ['attribute', (n) => `' onerror='${X(n)}`, 'attr-sq'],
  ['attribute', (n) => `" autofocus onfocus="${X(n)}`, 'href'],
  ['template', (n) => `{{constructor.constructor('${X(n)}')()}}`],
  ['template', (n) => `\${${X(n)}}`],
  ['template', (n) => `<%= ${X(n)} %>`],
  // CSS
  ['css', (n) => `<style>@import 'javascript:${X(n)}';</style>`],
  ['css', (n) => `<div style="background:url(javascript:${X(n)})">`],
  ['css', (n) => `<link rel=stylesheet href="javascript:${X(n)}">`],
  // frames, objects, base, meta refresh
  ['frame', (n) => `<iframe src="javascript:parent.${X(n)}"></iframe>`, 'html'],
  ['frame', (n) => `<iframe srcdoc="<script>parent.${X(n)}</script>"></iframe>`, 'html'],
  ['frame', (n) => `<object data="data:text/html,<script>parent.${X(n)}</script>"></object>`],
  ['frame', (n) => `<embed src="data:text/html,<script>parent.${X(n)}</script>">`],
  ['frame', (n) => `<base href="javascript:${X(n)}//">`],
  ['frame', (n) => `<meta http-equiv="refresh" content="0;url=javascript:${X(n)}">`],
  // bidi overrides and isolates, alone and around live markup
  ['bidi', (n) => `خبر \u202Egpj.exe ${n}`],
  ['bidi', (n) => `\u202E<img src=x onerror=${X(n)}>\u202C`, 'html'],
  ['bidi', (n) => `\u2066<svg onload=${X(n)}>\u2069`, 'html'],
  ['bidi', (n) => `\u2067<script>${X(n)}</script>\u2069`, 'html'],
  ['bidi', (n) => `\u2068<details open ontoggle=${X(n)}>\u2069 دمشق`, 'html'],
];

export const PAYLOADS: Payload[] = MAKERS.map(([kind, make, live], i) => ({ n: i + 1, kind, text: make(i + 1), ...(live ? { live } : {}) }));

/** Span hrefs that must be refused (4xx): a link in an article may only be http(s) or mailto. */
export const BAD_HREFS = [
  'javascript:__xss(0)',
  'JaVaScRiPt:__xss(0)',
  ' javascript:__xss(0)',
  'java\tscript:__xss(0)',
  'javascript&#58;__xss(0)',
  'data:text/html,<script>__xss(0)</script>',
  `data:text/html;base64,${b64('<script>__xss(0)</script>')}`,
  'vbscript:__xss(0)',
  '//evil.example/x',
];

/**
 * Payloads grouped so each group fits in `max` characters when joined by a space (a headline
 * holds 300). Every payload is in exactly one group.
 */
export function batches(list: Payload[], max: number): Payload[][] {
  const out: Payload[][] = [];
  let cur: Payload[] = [];
  for (const p of list) {
    if (cur.length && [...cur, p].map((x) => x.text).join(' ').length > max) {
      out.push(cur);
      cur = [];
    }
    cur.push(p);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** As many of `list`'s payloads as fit in `max` characters, starting at `from` (rotating), at least one. */
export function fit(list: Payload[], max: number, from = 0): string {
  const parts: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const t = list[(from + i) % list.length]!.text;
    if ([...parts, t].join(' ').length > max) break;
    parts.push(t);
  }
  return parts.length ? parts.join(' ') : list[from % list.length]!.text.slice(0, max);
}
