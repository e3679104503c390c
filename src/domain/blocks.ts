import { z } from 'zod';

/** A run of inline text. Marks are flags rather than nested trees: news copy rarely nests. */
export const SpanSchema = z.strictObject({
  text: z.string().min(1),
  bold: z.boolean().optional(),
  italic: z.boolean().optional(),
  href: z
    .string()
    .url()
    .refine((u) => /^(https?:|mailto:)/i.test(u), 'رابط غير مسموح')
    .optional(),
});
export type Span = z.infer<typeof SpanSchema>;

const spans = z.array(SpanSchema).min(1);

export const ParagraphSchema = z.strictObject({ type: z.literal('paragraph'), spans });
export const SubheadingSchema = z.strictObject({ type: z.literal('subheading'), text: z.string().trim().min(1) });
export const QuoteSchema = z.strictObject({
  type: z.literal('quote'),
  spans,
  speaker: z.string().trim().min(1).optional(),
});
export const ImageBlockSchema = z.strictObject({
  type: z.literal('image'),
  mediaId: z.number().int().positive(),
  caption: z.string().trim().min(1).optional(),
  credit: z.string().trim().min(1).optional(),
});
export const ListSchema = z.strictObject({
  type: z.literal('list'),
  ordered: z.boolean().default(false),
  items: z.array(spans).min(1),
});

export const BlockSchema = z.discriminatedUnion('type', [
  ParagraphSchema,
  SubheadingSchema,
  QuoteSchema,
  ImageBlockSchema,
  ListSchema,
]);
export type Block = z.infer<typeof BlockSchema>;
export type BlockInput = z.input<typeof BlockSchema>;

export const BodySchema = z.array(BlockSchema).max(2000);

export function plain(text: string): Span[] {
  return [{ text }];
}

export function spansText(s: readonly Span[]): string {
  return s.map((x) => x.text).join('');
}

/** Visible text of a body, block by block: used for summaries, word counts and search later. */
export function blockText(b: Block): string {
  switch (b.type) {
    case 'paragraph':
    case 'quote':
      return spansText(b.spans);
    case 'subheading':
      return b.text;
    case 'image':
      return [b.caption, b.credit].filter(Boolean).join(' ');
    case 'list':
      return b.items.map(spansText).join('\n');
  }
}
