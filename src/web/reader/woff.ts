import { inflateSync } from 'node:zlib';

/**
 * A WOFF 1.0 font as the plain TrueType/OpenType file it wraps. The site's Arabic face ships
 * only as WOFF/WOFF2 (@fontsource), and the fontconfig bundled with sharp reads neither; WOFF 1
 * is an sfnt whose tables are zlib-deflated one by one, so undoing it takes a table walk.
 * (W3C WOFF 1.0 §4–5; the sfnt layout is OpenType's "Organization of an OpenType Font".)
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.length < 44 || woff.readUInt32BE(0) !== 0x774f4646) throw new Error('not a WOFF 1.0 font');
  const count = woff.readUInt16BE(12);
  const tables = [];
  for (let i = 0; i < count; i++) {
    const entry = 44 + i * 20;
    const offset = woff.readUInt32BE(entry + 4);
    const compLength = woff.readUInt32BE(entry + 8);
    const origLength = woff.readUInt32BE(entry + 12);
    const raw = woff.subarray(offset, offset + compLength);
    // A table stored uncompressed has the same length both ways.
    const data = compLength < origLength ? inflateSync(raw) : raw;
    if (data.length !== origLength) throw new Error('WOFF table of the wrong length');
    tables.push({ tag: woff.readUInt32BE(entry), checksum: woff.readUInt32BE(entry + 16), data });
  }
  const pad4 = (n: number) => (n + 3) & ~3;
  const out = Buffer.alloc(12 + 16 * count + tables.reduce((n, t) => n + pad4(t.data.length), 0));
  const log2 = Math.floor(Math.log2(count));
  out.writeUInt32BE(woff.readUInt32BE(4), 0); // the flavour: TrueType or CFF
  out.writeUInt16BE(count, 4);
  out.writeUInt16BE(16 * 2 ** log2, 6);
  out.writeUInt16BE(log2, 8);
  out.writeUInt16BE(16 * count - 16 * 2 ** log2, 10);
  let at = 12 + 16 * count;
  tables.forEach((t, i) => {
    const rec = 12 + 16 * i;
    out.writeUInt32BE(t.tag, rec);
    out.writeUInt32BE(t.checksum, rec + 4);
    out.writeUInt32BE(at, rec + 8);
    out.writeUInt32BE(t.data.length, rec + 12);
    t.data.copy(out, at);
    at += pad4(t.data.length);
  });
  return out;
}
