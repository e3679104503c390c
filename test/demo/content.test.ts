import { IANAZone } from 'luxon';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { demoArticles, type DemoBlock, type DemoImage } from '../../src/demo/content.js';
import { demoImageSvg, renderDemoImage } from '../../src/demo/images.js';
import { ArticleInputSchema } from '../../src/domain/article.js';
import { BlockSchema, type BlockInput } from '../../src/domain/blocks.js';

const ARABIC_INDIC_DIGITS = /[٠-٩۰-۹]/;

function isDemoImage(b: DemoBlock): b is { type: 'image'; image: DemoImage } {
  return b.type === 'image' && 'image' in b;
}

const allImages: DemoImage[] = demoArticles.flatMap((a) => [a.lead, ...a.body.filter(isDemoImage).map((b) => b.image)]);

describe('demo content', () => {
  it('has enough articles across several sections', () => {
    expect(demoArticles.length).toBeGreaterThanOrEqual(8);
    expect(new Set(demoArticles.map((a) => a.section)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(demoArticles.map((a) => a.headline)).size).toBe(demoArticles.length);
  });

  it.each(demoArticles.map((a) => [a.headline, a] as const))('%s', (_, a) => {
    expect(a.headline.trim()).not.toBe('');
    expect(a.summary.trim()).not.toBe('');
    expect(a.section.trim()).not.toBe('');
    expect(a.datelinePlace.trim()).not.toBe('');
    expect(a.sourceLabel.trim()).not.toBe('');
    expect(a.city.trim()).not.toBe('');
    expect(a.tags.length).toBeGreaterThanOrEqual(2);
    expect(a.tags.length).toBeLessThanOrEqual(4);
    expect(a.authors.length).toBeGreaterThanOrEqual(1);
    expect(IANAZone.isValidZone(a.timeZone)).toBe(true);

    expect(a.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(a.publishedAt >= '2026-11-20T00:00:00Z' && a.publishedAt <= '2026-11-28T23:59:59Z').toBe(true);

    expect(a.lead.caption.trim()).not.toBe('');
    expect(a.lead.credit.trim()).not.toBe('');

    expect(a.body.length).toBeGreaterThanOrEqual(6);
    expect(a.body.length).toBeLessThanOrEqual(12);
    expect(a.body.some((b) => b.type === 'subheading')).toBe(true);

    for (const b of a.body) {
      if (isDemoImage(b)) {
        expect(b.image.caption.trim()).not.toBe('');
        expect(b.image.credit.trim()).not.toBe('');
        continue;
      }
      const parsed = BlockSchema.safeParse(b);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      if (b.type === 'paragraph' || b.type === 'quote') {
        for (const s of b.spans) if (s.href) expect(s.href).toMatch(/^https:\/\/example\.org\//);
      }
      if (b.type === 'quote') expect(b.speaker?.trim()).toBeTruthy();
    }

    expect(JSON.stringify(a)).not.toMatch(ARABIC_INDIC_DIGITS);
  });

  it('passes the publishing validation once images have media ids', () => {
    for (const a of demoArticles) {
      const body: BlockInput[] = a.body.map((b) =>
        isDemoImage(b) ? { type: 'image', mediaId: 2, caption: b.image.caption, credit: b.image.credit } : b,
      );
      const input = {
        headline: a.headline,
        summary: a.summary,
        body,
        lead: { mediaId: 1, caption: a.lead.caption, credit: a.lead.credit },
        datelinePlace: a.datelinePlace,
        sourceLabel: a.sourceLabel,
        section: a.section,
        tags: a.tags,
        authors: a.authors,
        status: 'published' as const,
        publishedAt: a.publishedAt,
        timeZone: a.timeZone,
        city: a.city,
      };
      const parsed = ArticleInputSchema.safeParse(input);
      expect(parsed.success, `${a.headline}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it('covers every block type and inline mark between all articles', () => {
    const blocks = demoArticles.flatMap((a) => a.body);
    const types = new Set(blocks.map((b) => (isDemoImage(b) ? 'demo-image' : b.type)));
    for (const t of ['paragraph', 'subheading', 'quote', 'list', 'demo-image']) expect(types).toContain(t);

    const spans = blocks.flatMap((b) =>
      b.type === 'paragraph' || b.type === 'quote' ? b.spans : b.type === 'list' && !isDemoImage(b) ? b.items.flat() : [],
    );
    expect(spans.some((s) => s.bold)).toBe(true);
    expect(spans.some((s) => s.italic)).toBe(true);
    expect(spans.some((s) => s.href)).toBe(true);
    expect(blocks.some((b) => b.type === 'list' && !isDemoImage(b) && b.ordered)).toBe(true);
  });

  it('spreads over several zones, and shares tags and authors between articles', () => {
    expect(new Set(demoArticles.map((a) => a.timeZone)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(demoArticles.map((a) => a.publishedAt.slice(0, 10))).size).toBeGreaterThanOrEqual(5);
    const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
    expect([...count(demoArticles.flatMap((a) => a.tags)).values()].some((c) => c > 1)).toBe(true);
    expect([...count(demoArticles.flatMap((a) => a.authors)).values()].some((c) => c > 1)).toBe(true);
  });

  it('gives every image a unique file name and a hex palette', () => {
    expect(new Set(allImages.map((i) => i.file)).size).toBe(allImages.length);
    for (const img of allImages) {
      for (const c of img.palette) expect(c).toMatch(/^#[0-9a-f]{6}$/i);
    }
  });
});

describe('renderDemoImage', () => {
  const sample = demoArticles[0]!.lead;

  it('returns a 1200x675 progressive JPEG by default', async () => {
    const jpeg = await renderDemoImage(sample);
    const meta = await sharp(jpeg).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBe(1200);
    expect(meta.height).toBe(675);
    expect(meta.isProgressive).toBe(true);
    expect(jpeg.length).toBeLessThan(300_000);
  });

  it('is deterministic', async () => {
    const [x, y] = await Promise.all([renderDemoImage(sample), renderDemoImage(sample)]);
    expect(x.equals(y)).toBe(true);
    expect(demoImageSvg(sample)).toBe(demoImageSvg(sample));
  });

  it('draws every motif, without text, at any size', async () => {
    const motifs: DemoImage['motif'][] = ['city', 'sea', 'market', 'stadium', 'field', 'hall', 'mountain'];
    for (const motif of motifs) {
      const img: DemoImage = { ...sample, file: `${motif}.jpg`, motif };
      expect(demoImageSvg(img)).not.toMatch(/<text/);
      const meta = await sharp(await renderDemoImage(img, 480, 320)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 480, 320]);
    }
  });

  it('renders every image of the demo content', async () => {
    for (const img of allImages) {
      const meta = await sharp(await renderDemoImage(img, 320, 180)).metadata();
      expect(meta.format).toBe('jpeg');
    }
  });
});
