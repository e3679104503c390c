import sharp from 'sharp';
import { fit, type Payload } from '../security/payloads.js';

/**
 * Articles whose every text field carries XSS payloads, as the JSON API takes them and as the
 * newsroom editor form posts them. Each article gets one batch: the whole batch in the headline,
 * the body and the long fields, and as much of it as fits (rotating) in the short ones.
 */

const all = (batch: Payload[]) => batch.map((p) => p.text).join(' ');
const names = (batch: Payload[], max: number) => [...new Set(batch.map((p) => p.text.trim().slice(0, max)).filter(Boolean))];

/** A small PNG, different for each `seed` (the library stores identical bytes once). */
export const pngFor = (seed: number) =>
  sharp({ create: { width: 64 + seed, height: 48, channels: 3, background: { r: (seed * 37) % 256, g: 90, b: 140 } } }).png().toBuffer();

/** A span link whose address carries markup: a valid https URL, so accepted, and harmless once escaped. */
export const markupHref = (n: number) => `https://example.org/search?q="><img src=x onerror=__xss(${n})>`;

export function apiArticle(batch: Payload[], o: { mediaId: number; day: number; libraryCaption?: boolean }) {
  const [first, second = first] = batch as [Payload, ...Payload[]];
  return {
    headline: all(batch),
    summary: fit(batch, 1000),
    datelinePlace: fit(batch, 100, 1),
    sourceLabel: fit(batch, 100, 2),
    section: fit(batch, 200, 3),
    tags: names(batch, 200),
    authors: names(batch, 200).slice(0, 20),
    city: fit(batch, 100, 4),
    timeZone: 'Asia/Damascus',
    publishedAt: `2024-03-${String(o.day).padStart(2, '0')}T09:30:00Z`,
    // Without its own caption and credit the page shows the library's (which carry payloads too).
    lead: o.libraryCaption ? { mediaId: o.mediaId } : { mediaId: o.mediaId, caption: fit(batch, 500, 5), credit: fit(batch, 200, 6) },
    body: [
      {
        type: 'paragraph',
        spans: [
          { text: all(batch) },
          { text: first.text, bold: true },
          { text: second.text, italic: true },
          { text: ` رابط ${first.text}`, href: markupHref(first.n) },
        ],
      },
      { type: 'subheading', text: all(batch) },
      { type: 'quote', spans: [{ text: all(batch) }], speaker: fit(batch, 200, 7) },
      { type: 'list', ordered: false, items: batch.map((p) => [{ text: p.text }]) },
      { type: 'image', mediaId: o.mediaId, caption: fit(batch, 500, 8), credit: fit(batch, 200, 9) },
    ],
  };
}

/** The same content as the editor form's fields (a no-JavaScript post), plus extra blocks (e.g. pasted). */
export function editorFields(
  batch: Payload[],
  o: { csrf: string; leadMediaId: string; extraBlocks?: Record<string, string>[] },
): [string, string][] {
  const [first] = batch as [Payload, ...Payload[]];
  const fields: [string, string][] = [
    ['_csrf', o.csrf],
    ['headline', all(batch)],
    ['summary', fit(batch, 1000)],
    ['section', ''],
    ['sectionNew', fit(batch, 200, 3)],
    ['tags', names(batch, 200).join('، ')],
    ['authors', names(batch, 200).slice(0, 20).join('، ')],
    ['datelinePlace', fit(batch, 100, 1)],
    ['sourceLabel', fit(batch, 100, 2)],
    ['city', fit(batch, 100, 4)],
    ['timeZone', 'Asia/Damascus'],
    ['publishedAt', ''],
    ['leadMediaId', o.leadMediaId],
    ['leadCaption', fit(batch, 500, 5)],
    ['leadCredit', fit(batch, 200, 6)],
    // Inline links: one with markup in a valid https address, and javascript: / data: ones, which
    // the inline syntax does not turn into links at all (they stay text).
    ['blocks[0][type]', 'paragraph'],
    ['blocks[0][text]', `${all(batch)} [رابط](https://example.org/"onmouseover="__xss(${first.n})) [خبيث](javascript:__xss(${first.n})) [بيانات](data:text/html,x)`],
    ['blocks[1][type]', 'subheading'],
    ['blocks[1][text]', all(batch)],
    ['blocks[2][type]', 'quote'],
    ['blocks[2][text]', all(batch)],
    ['blocks[2][speaker]', fit(batch, 200, 7)],
    ['blocks[3][type]', 'list'],
    ['blocks[3][items]', batch.map((p) => p.text).join('\n')],
    ['blocks[4][type]', 'image'],
    ['blocks[4][mediaId]', o.leadMediaId],
    ['blocks[4][caption]', fit(batch, 500, 8)],
    ['blocks[4][credit]', fit(batch, 200, 9)],
  ];
  (o.extraBlocks ?? []).forEach((b, i) => {
    for (const [k, v] of Object.entries(b)) fields.push([`blocks[${5 + i}][${k}]`, String(v)]);
  });
  return fields;
}

/** Clipboard HTML as Word or a web page would give it, with the payloads as markup and as text. */
export function pastedHtml(list: Payload[]): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    `<html><head><style>p{color:red}</style><script>__xss(0)</script></head><body>`,
    `<h1 onclick="__xss(0)">${esc(list[0]!.text)}</h1>`,
    `<p class="MsoNormal">${list.map((p) => esc(p.text)).join(' ')}</p>`,
    `<p>${list.map((p) => p.text).join(' ')}</p>`,
    `<p><a href="javascript:__xss(0)">خبيث</a> <a href="JaVaScRiPt:__xss(0)">خبيث</a> <a href="data:text/html,x">بيانات</a> <a href="https://example.org/ok">سليم</a></p>`,
    `<ul><li>${list.map((p) => esc(p.text)).join('</li><li>')}</li></ul>`,
    `</body></html>`,
  ].join('\n');
}
