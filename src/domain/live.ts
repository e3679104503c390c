import { z } from 'zod';
import { blockText, BodySchema, embedProvider, type Block } from './blocks.js';
import { TooLargeError } from './errors.js';
import { isValidTimeZone } from './time.js';

export const LIVE_STATUSES = ['live', 'ended'] as const;
export type LiveStatus = (typeof LIVE_STATUSES)[number];

export const LIVE_EVENT_TYPES = ['entry.created', 'entry.updated', 'entry.deleted', 'coverage.ended'] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

/** Limits of one entry: a live entry is a short update, and every reader's screen receives it. */
export const MAX_ENTRY_CHARS = 20_000;
export const MAX_ENTRY_BLOCKS = 30;

export interface LiveCoverage {
  id: number;
  slug: string;
  title: string;
  summary: string | null;
  status: LiveStatus;
  startedAt: string;
  endedAt: string | null;
  streamUrl: string | null;
  timeZone: string;
  city: string;
  createdBy: number | null;
  lastEventId: number;
}

export interface LiveEntry {
  id: number;
  coverageId: number;
  createdAt: string;
  authorIds: number[];
  blocks: Block[];
  keyEvent: boolean;
  pinned: boolean;
  editedAt: string | null;
  deletedAt: string | null;
}

/** One numbered change of a coverage, as replayed to a reconnecting reader. */
export interface LiveEvent {
  coverageId: number;
  eventId: number;
  type: LiveEventType;
  entryId: number | null;
  payload: Record<string, unknown>;
  createdAt: string;
}

/**
 * A stream a reader's page can play: an HLS playlist over https, or one YouTube video (a live
 * broadcast's `/live/<id>` page included). Channels and other sites are refused.
 */
export function isPlayableStream(raw: string): boolean {
  const provider = embedProvider(raw);
  if (provider === 'hls' || provider === 'youtube') return true;
  try {
    const u = new URL(raw);
    const host = u.hostname.toLowerCase().replace(/^(www\.|m\.)/, '');
    if (u.protocol !== 'https:' || u.username || u.password) return false;
    return host === 'youtube.com' && /^\/live\/[\w-]{6,20}\/?$/.test(u.pathname);
  } catch {
    return false;
  }
}

export const CoverageInputSchema = z.strictObject({
  title: z.string().trim().min(1, 'العنوان مطلوب').max(300),
  summary: z.string().trim().max(2000).optional(),
  streamUrl: z
    .string()
    .trim()
    .max(2000)
    .refine(isPlayableStream, 'رابط البث غير مدعوم (بث HLS بصيغة ‎.m3u8‎ عبر https أو فيديو يوتيوب)')
    .optional(),
  timeZone: z.string().refine(isValidTimeZone, 'منطقة زمنية غير معروفة').optional(),
  city: z.string().trim().min(1).max(100).optional(),
});
export type CoverageInput = z.input<typeof CoverageInputSchema>;

const Flags = {
  keyEvent: z.boolean().optional(),
  pinned: z.boolean().optional(),
};

/** Either typed blocks, or `{text}`: the quick form of a one-paragraph update. */
export const EntryInputSchema = z.union([
  z.strictObject({ blocks: BodySchema.min(1, 'المدخل فارغ'), ...Flags }),
  z.strictObject({ text: z.string().trim().min(1, 'المدخل فارغ'), ...Flags }),
]);
export type EntryInput = z.input<typeof EntryInputSchema>;

export const EntryFlagsSchema = z.strictObject(Flags);
export type EntryFlags = z.infer<typeof EntryFlagsSchema>;

/**
 * Refuses oversized input before zod walks it, so a huge payload costs a length check, not a
 * full validation. Exact limits are checked again on the parsed blocks.
 */
export function assertEntryNotTooLarge(raw: unknown): void {
  if (!raw || typeof raw !== 'object') return;
  const r = raw as { blocks?: unknown; text?: unknown };
  if (Array.isArray(r.blocks) && r.blocks.length > MAX_ENTRY_BLOCKS) throw tooManyBlocks();
  if (typeof r.text === 'string' && r.text.trim().length > MAX_ENTRY_CHARS) throw tooMuchText();
}

/** The entry's blocks, with the text shorthand expanded; throws TooLargeError over the limits. */
export function entryBlocks(input: z.output<typeof EntryInputSchema>): Block[] {
  const blocks: Block[] = 'blocks' in input ? input.blocks : [{ type: 'paragraph', spans: [{ text: input.text }] }];
  if (blocks.length > MAX_ENTRY_BLOCKS) throw tooManyBlocks();
  const chars = blocks.reduce((n, b) => n + blockText(b).length, 0);
  if (chars > MAX_ENTRY_CHARS) throw tooMuchText();
  return blocks;
}

function tooManyBlocks(): TooLargeError {
  return new TooLargeError(`المدخل أطول من المسموح: ${MAX_ENTRY_BLOCKS} كتلة على الأكثر`);
}

function tooMuchText(): TooLargeError {
  return new TooLargeError(`المدخل أطول من المسموح: ${MAX_ENTRY_CHARS} حرف على الأكثر`);
}
