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

export const EMBED_PROVIDERS = ['youtube', 'x', 'hls'] as const;
export type EmbedProvider = (typeof EMBED_PROVIDERS)[number];

/**
 * Which provider an embed URL belongs to; null for anything else. Only https, and only the
 * URL shapes that name one item (a video, a post, a stream), never a channel or a profile.
 */
export function embedProvider(raw: string): EmbedProvider | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || u.username || u.password) return null;
  const host = u.hostname.toLowerCase().replace(/^(www\.|m\.|mobile\.)/, '');
  const path = u.pathname;
  if (host === 'youtube.com') {
    if (path === '/watch' && /^[\w-]{6,20}$/.test(u.searchParams.get('v') ?? '')) return 'youtube';
    if (/^\/shorts\/[\w-]{6,20}\/?$/.test(path)) return 'youtube';
  }
  if (host === 'youtu.be' && /^\/[\w-]{6,20}\/?$/.test(path)) return 'youtube';
  if ((host === 'x.com' || host === 'twitter.com') && /^\/\w{1,15}\/status\/\d{1,25}\/?$/.test(path)) return 'x';
  if (/\.m3u8$/i.test(path)) return 'hls';
  return null;
}

export const EmbedSchema = z
  .strictObject({
    type: z.literal('embed'),
    url: z.string().url().max(2000),
    provider: z.enum(EMBED_PROVIDERS),
  })
  .refine((b) => embedProvider(b.url) === b.provider, {
    message: 'رابط التضمين غير مدعوم (يوتيوب، منشور على إكس، أو بث HLS عبر https)',
    path: ['url'],
  });

export const BlockSchema = z.discriminatedUnion('type', [
  ParagraphSchema,
  SubheadingSchema,
  QuoteSchema,
  ImageBlockSchema,
  ListSchema,
  EmbedSchema,
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
    case 'embed':
      return '';
  }
}
