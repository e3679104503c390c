import { z } from 'zod';
import { BodySchema, type Block } from './blocks.js';
import { isValidTimeZone } from './time.js';
import type { MediaVariant } from './media.js';

export const ARTICLE_STATUSES = ['draft', 'in_review', 'scheduled', 'published', 'unpublished'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

const name = z.string().trim().min(1).max(200);
const isoInstant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

export const LeadImageInputSchema = z.strictObject({
  mediaId: z.number().int().positive(),
  caption: z.string().trim().min(1).max(500).optional(),
  credit: z.string().trim().min(1).max(200).optional(),
});

/** What a writer or an importer hands to the publishing service. Validated before any SQL runs. */
export const ArticleInputSchema = z
  .strictObject({
    headline: z.string().trim().min(1, 'العنوان مطلوب').max(300),
    summary: z.string().trim().max(1000).optional(),
    body: BodySchema,
    lead: LeadImageInputSchema.optional(),
    datelinePlace: z.string().trim().min(1).max(100).optional(),
    sourceLabel: z.string().trim().min(1).max(100).optional(),
    section: name,
    tags: z.array(name).max(50).default([]),
    authors: z.array(name).max(20).default([]),
    status: z.enum(ARTICLE_STATUSES).default('draft'),
    publishedAt: isoInstant.optional(),
    timeZone: z.string().refine(isValidTimeZone, 'منطقة زمنية غير معروفة'),
    city: z.string().trim().min(1).max(100),
  })
  .refine((a) => a.status !== 'published' || a.body.length > 0, {
    message: 'لا يُنشر مقال بلا متن',
    path: ['body'],
  });
export type ArticleInput = z.input<typeof ArticleInputSchema>;
export type ValidArticleInput = z.output<typeof ArticleInputSchema>;

export interface Named {
  id: number;
  slug: string;
  name: string;
}

export interface Media {
  id: number;
  originalName: string;
  /** Path under the media directory; null when the importer could not find the file. */
  storageKey: string | null;
  mime: string | null;
  width: number | null;
  height: number | null;
  alt: string | null;
  /** Defaults shown when an article places the picture without its own caption or credit. */
  caption: string | null;
  credit: string | null;
  /** Generated files; null for media stored before they were recorded (480/960 WebP beside the original). */
  variants: MediaVariant[] | null;
}

export interface LeadImage {
  media: Media;
  caption: string | null;
  credit: string | null;
}

export interface Article {
  id: number;
  slug: string;
  headline: string;
  summary: string | null;
  body: Block[];
  lead: LeadImage | null;
  datelinePlace: string | null;
  sourceLabel: string | null;
  section: Named;
  tags: Named[];
  authors: Named[];
  status: ArticleStatus;
  /** UTC instant, ISO 8601 with `Z`. */
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
  timeZone: string;
  city: string;
  /** The writer who created it in the newsroom; null for imports and demo content. */
  ownerId: number | null;
  /** UTC instant a `scheduled` article goes live. */
  scheduledAt: string | null;
  /** A published article's pending edit: readers see the live version until an editor applies it. */
  stagedRevisionId: number | null;
  /** When an edit last went live after publication: the page's "آخر تحديث". */
  revisedAt: string | null;
  /** Leads the home page (WordPress sticky posts become featured). */
  featured: boolean;
}

/** The card shape lists need: no body. */
export type ArticleSummary = Omit<Article, 'body' | 'tags' | 'authors'>;

export function articlePath(a: { id: number; slug: string }): string {
  return `/news/${a.id}/${encodeURIComponent(a.slug)}`;
}
