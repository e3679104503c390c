import sharp from 'sharp';
import type { DemoImage } from './content.js';

/**
 * Placeholder photos for the demo content, drawn locally: an SVG of a gradient and a few
 * shapes that suggest the motif, rasterised to JPEG by sharp. No text is drawn (librsvg's
 * font fallback differs between machines), and no randomness is used beyond a PRNG seeded
 * from the image description, so the same input always gives the same bytes.
 */

/** The drawing is composed on this canvas and scaled (cropped, never stretched) to the requested size. */
const VW = 1200;
const VH = 675;

type Rgb = [number, number, number];
type Rand = () => number;

interface Ctx {
  rand: Rand;
  /** palette[0] */
  a: Rgb;
  /** palette[1] */
  b: Rgb;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** FNV-1a, 32 bits. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast and good enough for placing rectangles. */
function prng(seed: number): Rand {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function between(rand: Rand, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

function parseHex(hex: string, fallback: Rgb): Rgb {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return fallback;
  let h = m[1]!;
  if (h.length === 3) h = [...h].map((c) => c + c).join('');
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

function mix(x: Rgb, y: Rgb, t: number): Rgb {
  return [x[0] + (y[0] - x[0]) * t, x[1] + (y[1] - x[1]) * t, x[2] + (y[2] - x[2]) * t];
}

const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];

function css(c: Rgb): string {
  return '#' + c.map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('');
}

/** Coordinates rounded to one decimal: shorter SVG, and no float noise between runs. */
function n(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function rect(x: number, y: number, w: number, h: number, fill: string, extra = ''): string {
  return `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="${fill}"${extra}/>`;
}

function circle(cx: number, cy: number, r: number, fill: string, extra = ''): string {
  return `<circle cx="${n(cx)}" cy="${n(cy)}" r="${n(r)}" fill="${fill}"${extra}/>`;
}

function polygon(points: Array<[number, number]>, fill: string, extra = ''): string {
  return `<polygon points="${points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}" fill="${fill}"${extra}/>`;
}

/** A sky: vertical gradient from the first palette colour (top) to the second (horizon). */
function sky(id: string, top: Rgb, bottom: Rgb): { defs: string; body: string } {
  return {
    defs: `<linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${css(top)}"/><stop offset="1" stop-color="${css(bottom)}"/></linearGradient>`,
    body: rect(0, 0, VW, VH, `url(#${id})`),
  };
}

/** A horizontal band whose top edge is a sine-like wave (sea, dunes). */
function waveBand(y: number, amp: number, len: number, phase: number, fill: string, extra = ''): string {
  let d = `M ${n(-len + phase)} ${n(y)}`;
  for (let x = -len + phase; x < VW + len; x += len) {
    d += ` q ${n(len / 4)} ${n(-amp)} ${n(len / 2)} 0 q ${n(len / 4)} ${n(amp)} ${n(len / 2)} 0`;
  }
  d += ` L ${n(VW + 2 * len)} ${VH + 10} L ${n(-len + phase)} ${VH + 10} Z`;
  return `<path d="${d}" fill="${fill}"${extra}/>`;
}

// ---------------------------------------------------------------------------------------------
// Motifs: each returns extra <defs> and the drawing.

type Drawing = { defs: string; body: string };

function city({ rand, a, b }: Ctx): Drawing {
  const s = sky('g', a, b);
  const parts: string[] = [s.body];
  parts.push(circle(between(rand, 150, 1050), between(rand, 110, 200), 55, css(mix(b, WHITE, 0.6)), ' opacity="0.85"'));
  const ground = 560;
  // Far layer: pale, tall blocks.
  const far = css(mix(a, b, 0.55));
  for (let x = -20; x < VW; ) {
    const w = between(rand, 50, 110);
    const h = between(rand, 120, 300);
    parts.push(rect(x, ground - h, w, h + 10, far, ' opacity="0.7"'));
    x += w + between(rand, -10, 12);
  }
  // Near layer: darker, lower blocks with lit windows, plus a dome and a minaret.
  const near = css(mix(a, BLACK, 0.35));
  const lit = css(mix(b, WHITE, 0.45));
  const domeX = between(rand, 300, 900);
  for (let x = -10; x < VW; ) {
    const w = between(rand, 70, 150);
    const h = between(rand, 70, 200);
    parts.push(rect(x, ground - h, w, h + 10, near));
    for (let wy = ground - h + 16; wy < ground - 24; wy += 28) {
      for (let wx = x + 12; wx < x + w - 18; wx += 24) {
        if (rand() < 0.45) parts.push(rect(wx, wy, 10, 14, lit, ' opacity="0.75"'));
      }
    }
    x += w + between(rand, 4, 24);
  }
  parts.push(rect(domeX - 90, ground - 120, 180, 130, near));
  parts.push(`<path d="M ${n(domeX - 80)} ${ground - 120} A 80 80 0 0 1 ${n(domeX + 80)} ${ground - 120} Z" fill="${near}"/>`);
  parts.push(rect(domeX + 120, ground - 290, 22, 300, near));
  parts.push(polygon([[domeX + 114, ground - 290], [domeX + 131, ground - 330], [domeX + 148, ground - 290]], near));
  parts.push(rect(domeX + 112, ground - 230, 38, 10, near));
  parts.push(rect(0, ground, VW, VH - ground, css(mix(a, BLACK, 0.55))));
  return { defs: s.defs, body: parts.join('') };
}

function sea({ rand, a, b }: Ctx): Drawing {
  const s = sky('g', mix(b, WHITE, 0.15), mix(b, a, 0.25));
  const parts: string[] = [s.body];
  const horizon = 360;
  const sunX = between(rand, 250, 950);
  parts.push(circle(sunX, horizon - 40, 70, css(mix(b, WHITE, 0.55)), ' opacity="0.9"'));
  // A low coastline on the horizon.
  parts.push(waveBand(horizon - 18, 14, 420, between(rand, 0, 400), css(mix(a, b, 0.45)), ' opacity="0.8"'));
  for (let k = 0; k < 6; k++) {
    const y = horizon + k * 55;
    const shade = mix(a, BLACK, k * 0.08);
    parts.push(waveBand(y, 8 + k * 3, 160 + k * 40, between(rand, 0, 160), css(shade)));
    parts.push(waveBand(y + 4, 8 + k * 3, 160 + k * 40, between(rand, 0, 160), 'none', ` stroke="${css(mix(b, WHITE, 0.4))}" stroke-width="${2 + k}" opacity="0.35"`));
  }
  // A sailing boat.
  const bx = between(rand, 150, 1000);
  const by = horizon + 60;
  const hull = css(mix(a, BLACK, 0.5));
  parts.push(polygon([[bx - 50, by], [bx + 50, by], [bx + 35, by + 16], [bx - 35, by + 16]], hull));
  parts.push(polygon([[bx - 4, by - 5], [bx - 4, by - 110], [bx + 45, by - 5]], css(mix(b, WHITE, 0.7))));
  parts.push(polygon([[bx - 10, by - 5], [bx - 10, by - 85], [bx - 45, by - 5]], css(mix(b, WHITE, 0.5))));
  return { defs: s.defs, body: parts.join('') };
}

function market({ rand, a, b }: Ctx): Drawing {
  const s = sky('g', mix(a, BLACK, 0.2), mix(a, b, 0.5));
  const parts: string[] = [s.body];
  // Back wall with arched doorways.
  const wall = css(mix(a, b, 0.3));
  parts.push(rect(0, 80, VW, 420, wall));
  for (let x = 60; x < VW; x += 190) {
    parts.push(`<path d="M ${x} 380 L ${x} 210 A 55 55 0 0 1 ${x + 110} 210 L ${x + 110} 380 Z" fill="${css(mix(a, BLACK, 0.45))}"/>`);
  }
  // Stalls with striped, scalloped awnings.
  const stripeA = css(mix(b, WHITE, 0.35));
  const stripeB = css(mix(a, [190, 60, 40], 0.45));
  const stallW = 240;
  for (let i = 0; i < 5; i++) {
    const x = i * stallW + between(rand, -6, 6);
    const top = 250 + between(rand, -10, 10);
    const stripes = 8;
    for (let k = 0; k < stripes; k++) {
      const x0 = x + (k * stallW) / stripes;
      const x1 = x + ((k + 1) * stallW) / stripes;
      parts.push(polygon([[x0 + 10, top], [x1 + 10, top], [x1, top + 80], [x0, top + 80]], k % 2 ? stripeA : stripeB));
    }
    for (let k = 0; k < stripes; k++) {
      parts.push(circle(x + ((k + 0.5) * stallW) / stripes, top + 80, stallW / stripes / 2, k % 2 ? stripeA : stripeB));
    }
    // Counter and goods.
    const counter = css(mix(a, BLACK, 0.4));
    parts.push(rect(x + 12, 470, stallW - 24, 120, counter));
    for (let g = 0; g < 14; g++) {
      const gx = x + 30 + between(rand, 0, stallW - 60);
      const tint = mix(b, [200, 80, 30], rand() * 0.6);
      parts.push(circle(gx, 462 - between(rand, 0, 22), between(rand, 9, 15), css(tint)));
    }
    parts.push(rect(x + 20, top + 90, 5, 380 - top, counter));
    parts.push(rect(x + stallW - 25, top + 90, 5, 380 - top, counter));
  }
  // Hanging lamps.
  for (let x = 120; x < VW; x += 240) {
    parts.push(rect(x, 80, 2, 120, css(mix(a, BLACK, 0.5))));
    parts.push(circle(x + 1, 205, 14, css(mix(b, WHITE, 0.6)), ' opacity="0.9"'));
  }
  parts.push(rect(0, 590, VW, VH - 590, css(mix(a, BLACK, 0.55))));
  return { defs: s.defs, body: parts.join('') };
}

function stadium({ rand, a, b }: Ctx): Drawing {
  const s = sky('g', mix(a, BLACK, 0.55), mix(a, BLACK, 0.2));
  const parts: string[] = [s.body];
  // Stands: stacked bands with a crowd of dots.
  const standTop = 120;
  const standBottom = 330;
  parts.push(rect(0, standTop, VW, standBottom - standTop, css(mix(a, BLACK, 0.4))));
  const crowd = [mix(b, WHITE, 0.5), mix(a, WHITE, 0.3), mix(b, [200, 40, 40], 0.4), mix(b, BLACK, 0.2)];
  for (let row = 0, y = standTop + 12; y < standBottom - 6; row++, y += 16) {
    for (let x = 6 + (row % 2) * 8; x < VW; x += 16) {
      if (rand() < 0.8) parts.push(circle(x, y, 4.5, css(crowd[Math.floor(rand() * crowd.length)]!), ' opacity="0.85"'));
    }
  }
  // Pitch in perspective with mowing stripes.
  const top = 330;
  const L = (y: number) => 200 - ((y - top) / (VH - top)) * 420;
  const R = (y: number) => VW - L(y);
  const grassA = css(mix(b, a, 0.55));
  const grassB = css(mix(b, a, 0.7));
  for (let i = 0; i < 8; i++) {
    const y0 = top + ((VH - top) * i) / 8;
    const y1 = top + ((VH - top) * (i + 1)) / 8;
    parts.push(polygon([[L(y0), y0], [R(y0), y0], [R(y1), y1], [L(y1), y1]], i % 2 ? grassA : grassB));
  }
  const line = css(mix(b, WHITE, 0.85));
  const lw = ' fill="none" stroke="' + line + '" stroke-width="4"';
  const mid = top + (VH - top) * 0.55;
  parts.push(`<path d="M ${n(L(top + 6))} ${top + 6} L ${n(R(top + 6))} ${top + 6} L ${n(R(VH - 6))} ${VH - 6} L ${n(L(VH - 6))} ${VH - 6} Z"${lw}/>`);
  parts.push(`<path d="M ${n(L(mid))} ${n(mid)} L ${n(R(mid))} ${n(mid)}"${lw}/>`);
  parts.push(`<ellipse cx="${VW / 2}" cy="${n(mid)}" rx="130" ry="42"${lw}/>`);
  parts.push(`<path d="M 420 ${top + 6} L 400 ${top + 60} L 800 ${top + 60} L 780 ${top + 6}"${lw}/>`);
  // Floodlights with a soft glow.
  for (const fx of [80, VW - 80]) {
    parts.push(rect(fx - 4, 40, 8, 300, css(mix(a, BLACK, 0.7))));
    parts.push(circle(fx, 45, 70, 'url(#glow)'));
    parts.push(rect(fx - 40, 25, 80, 36, css(mix(b, WHITE, 0.8))));
  }
  parts.push(circle(VW / 2 + between(rand, -200, 200), mid + 40, 9, '#ffffff'));
  const glow = `<radialGradient id="glow"><stop offset="0" stop-color="#ffffff" stop-opacity="0.7"/><stop offset="1" stop-color="#ffffff" stop-opacity="0"/></radialGradient>`;
  return { defs: s.defs + glow, body: parts.join('') };
}

function field({ rand, a, b }: Ctx): Drawing {
  const s = sky('g', mix(b, [90, 150, 210], 0.45), mix(b, WHITE, 0.35));
  const parts: string[] = [s.body];
  const horizon = 330;
  parts.push(circle(between(rand, 200, 1000), between(rand, 90, 150), 60, css(mix(b, WHITE, 0.7))));
  parts.push(waveBand(horizon - 30, 22, 600, between(rand, 0, 600), css(mix(a, b, 0.5)), ' opacity="0.7"'));
  parts.push(rect(0, horizon, VW, VH - horizon, css(mix(a, b, 0.35))));
  // Rows of panels (or furrows) converging towards the horizon.
  const vx = VW / 2 + between(rand, -150, 150);
  const panel = css(mix(a, [20, 30, 60], 0.75));
  const edge = css(mix(b, WHITE, 0.5));
  let y = horizon + 8;
  let h = 6;
  while (y < VH) {
    const spread = (y - horizon) / (VH - horizon);
    const half = 200 + spread * 1100;
    parts.push(polygon([[vx - half, y], [vx + half, y], [vx + half * 1.03, y + h], [vx - half * 1.03, y + h]], panel));
    parts.push(`<path d="M ${n(vx - half)} ${n(y)} L ${n(vx + half)} ${n(y)}" stroke="${edge}" stroke-width="${n(1 + spread * 2)}" opacity="0.6"/>`);
    // Seams between panels, converging on the same vanishing point.
    for (let k = -10; k <= 10; k++) {
      const x0 = vx + (k * half) / 10;
      parts.push(`<path d="M ${n(x0)} ${n(y)} L ${n(vx + (k * half * 1.03) / 10)} ${n(y + h)}" stroke="${edge}" stroke-width="1" opacity="0.35"/>`);
    }
    y += h * 1.9;
    h *= 1.28;
  }
  return { defs: s.defs, body: parts.join('') };
}

function hall({ rand, a, b }: Ctx): Drawing {
  const s = sky('g', mix(a, BLACK, 0.15), mix(a, b, 0.35));
  const parts: string[] = [s.body];
  const floorY = 470;
  const light = css(mix(b, WHITE, 0.35));
  const column = css(mix(a, BLACK, 0.35));
  // Arched windows with light behind them.
  const count = 4 + Math.floor(rand() * 3);
  const span = VW / count;
  for (let i = 0; i < count; i++) {
    const x = i * span + span * 0.22;
    const w = span * 0.56;
    parts.push(`<path d="M ${n(x)} ${floorY - 40} L ${n(x)} 200 A ${n(w / 2)} ${n(w / 2)} 0 0 1 ${n(x + w)} 200 L ${n(x + w)} ${floorY - 40} Z" fill="${light}" opacity="${n(0.75 + rand() * 0.2)}"/>`);
    parts.push(rect(x + w / 2 - 2, 180, 4, floorY - 220, column, ' opacity="0.5"'));
    parts.push(rect(i * span - 14, 60, 28, floorY - 60, column));
  }
  parts.push(rect(0, 40, VW, 30, column));
  // Chandeliers.
  for (let i = 1; i < count; i++) {
    const cx = i * span;
    parts.push(rect(cx - 1, 70, 2, 60, column));
    parts.push(circle(cx, 140, 18, 'url(#glow)'));
    parts.push(circle(cx, 140, 7, css(mix(b, WHITE, 0.8))));
  }
  // Floor with tiles in perspective.
  parts.push(rect(0, floorY, VW, VH - floorY, css(mix(a, b, 0.5))));
  const vx = VW / 2;
  const grid = css(mix(a, BLACK, 0.3));
  for (let k = -12; k <= 12; k++) {
    parts.push(`<path d="M ${vx + k * 20} ${floorY} L ${vx + k * 160} ${VH}" stroke="${grid}" stroke-width="2" opacity="0.5"/>`);
  }
  for (let y = floorY + 10, step = 10; y < VH; step *= 1.35, y += step) {
    parts.push(`<path d="M 0 ${n(y)} L ${VW} ${n(y)}" stroke="${grid}" stroke-width="2" opacity="0.5"/>`);
  }
  // A few figures: rounded silhouettes.
  for (let i = 0; i < 6; i++) {
    const px = between(rand, 80, VW - 80);
    const scale = between(rand, 0.7, 1.15);
    const baseY = floorY + 40 + (scale - 0.7) * 300;
    const fig = css(mix(a, BLACK, 0.55));
    parts.push(circle(px, baseY - 120 * scale, 16 * scale, fig));
    parts.push(`<path d="M ${n(px - 28 * scale)} ${n(baseY)} L ${n(px - 24 * scale)} ${n(baseY - 90 * scale)} Q ${n(px)} ${n(baseY - 112 * scale)} ${n(px + 24 * scale)} ${n(baseY - 90 * scale)} L ${n(px + 28 * scale)} ${n(baseY)} Z" fill="${fig}"/>`);
  }
  const glow = `<radialGradient id="glow"><stop offset="0" stop-color="#ffffff" stop-opacity="0.8"/><stop offset="1" stop-color="#ffffff" stop-opacity="0"/></radialGradient>`;
  return { defs: s.defs + glow, body: parts.join('') };
}

function mountain({ rand, a, b }: Ctx): Drawing {
  const s = sky('g', a, mix(b, WHITE, 0.2));
  const parts: string[] = [s.body];
  parts.push(circle(between(rand, 200, 1000), between(rand, 100, 170), 50, css(mix(b, WHITE, 0.7)), ' opacity="0.9"'));
  const layers = 4;
  for (let l = 0; l < layers; l++) {
    const base = 300 + l * 90;
    const pts: Array<[number, number]> = [[-10, VH]];
    for (let x = -10; x <= VW + 60; ) {
      pts.push([x, base - between(rand, 20, 170 - l * 25)]);
      x += between(rand, 60, 160);
    }
    pts.push([VW + 60, VH]);
    parts.push(polygon(pts, css(mix(mix(a, b, 0.6), BLACK, 0.15 + l * 0.17))));
    if (l < layers - 1) parts.push(rect(0, base + 20, VW, 60, css(mix(b, WHITE, 0.5)), ' opacity="0.18"'));
  }
  return { defs: s.defs, body: parts.join('') };
}

const MOTIFS: Record<DemoImage['motif'], (c: Ctx) => Drawing> = { city, sea, market, stadium, field, hall, mountain };

/** The SVG source of a demo image; exported for tests and for anyone who wants a vector placeholder. */
export function demoImageSvg(img: DemoImage, width = VW, height = VH): string {
  const a = parseHex(img.palette[0], [40, 60, 80]);
  const b = parseHex(img.palette[1], [220, 200, 170]);
  const rand = prng(hash(`${img.file}|${img.motif}|${img.palette.join(',')}`));
  const draw = MOTIFS[img.motif] ?? city;
  const d = draw({ rand, a, b });
  const vignette =
    '<radialGradient id="vignette" cx="0.5" cy="0.5" r="0.75"><stop offset="0.6" stop-color="#000000" stop-opacity="0"/><stop offset="1" stop-color="#000000" stop-opacity="0.35"/></radialGradient>';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${VW} ${VH}" preserveAspectRatio="xMidYMid slice">` +
    `<defs>${d.defs}${vignette}</defs>${d.body}${rect(0, 0, VW, VH, 'url(#vignette)')}</svg>`
  );
}

/** A deterministic JPEG placeholder for a demo photo (progressive, quality 70). */
export async function renderDemoImage(img: DemoImage, width = 1200, height = 675): Promise<Buffer> {
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 4000) throw new RangeError(`demo image ${name} must be an integer in 16..4000, got ${v}`);
  }
  const svg = demoImageSvg(img, width, height);
  return sharp(Buffer.from(svg), { density: 72 })
    .resize(width, height, { fit: 'cover' })
    .flatten({ background: '#000000' })
    .jpeg({ quality: 70, progressive: true })
    .toBuffer();
}
