import { DateTime } from 'luxon';
import { z } from 'zod';
import { ArticleInputSchema, type ArticleInput } from '../../domain/article.js';
import { embedProvider, type BlockInput } from '../../domain/blocks.js';
import { isValidTimeZone } from '../../domain/time.js';
import { markupToSpans } from './inlineMarkup.js';

/**
 * The editor form ⇄ ArticleInput. The form is kept as the strings the writer typed
 * (`ArticleFields`), so a rejected save shows their text back untouched with the errors.
 * The same flat names (`blocks[3][text]`) come from a plain form post and from the autosave's
 * JSON, so both paths go through one parser.
 */

export const BLOCK_TYPES = ['paragraph', 'subheading', 'quote', 'image', 'list', 'embed'] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];
export const BLOCK_FIELDS = ['type', 'text', 'speaker', 'mediaId', 'caption', 'credit', 'items', 'ordered', 'url'] as const;

export interface BlockFields {
  type: BlockType;
  text: string;
  speaker: string;
  mediaId: string;
  caption: string;
  credit: string;
  /** List items, one per line. */
  items: string;
  ordered: boolean;
  url: string;
}

export interface ArticleFields {
  headline: string;
  summary: string;
  section: string;
  tags: string;
  authors: string;
  datelinePlace: string;
  sourceLabel: string;
  city: string;
  timeZone: string;
  /** `yyyy-MM-ddTHH:mm` in `timeZone`, as `<input type="datetime-local">` sends it. */
  publishedAt: string;
  leadMediaId: string;
  leadCaption: string;
  leadCredit: string;
  blocks: BlockFields[];
}

/** Field name (`headline`, `blocks[2][url]`) → Arabic message. */
export type FieldErrors = Record<string, string>;

export const SCALARS = ['headline', 'summary', 'section', 'tags', 'authors', 'datelinePlace', 'sourceLabel', 'city', 'timeZone', 'publishedAt', 'leadMediaId', 'leadCaption', 'leadCredit'] as const;
const MAX_BLOCKS = 2000;
const BLOCK_KEY = /^blocks\[(\d{1,4})\]\[([a-zA-Z]+)\]$/;

/** What a form post or the autosave JSON may hold: strings (or repeated strings), nothing nested. */
export const FlatFormSchema = z.record(
  z.string().max(200),
  z.union([z.string().max(200_000), z.array(z.string().max(200_000)).max(50)]),
);
export type FlatForm = z.infer<typeof FlatFormSchema>;

const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

export function emptyBlock(type: BlockType = 'paragraph'): BlockFields {
  return { type, text: '', speaker: '', mediaId: '', caption: '', credit: '', items: '', ordered: false, url: '' };
}

/** The fields each type uses; the others may hold leftovers from a type change and are ignored. */
export const FIELDS_OF: Record<BlockType, readonly (keyof BlockFields)[]> = {
  paragraph: ['text'],
  subheading: ['text'],
  quote: ['text', 'speaker'],
  image: ['mediaId', 'caption', 'credit'],
  list: ['items', 'ordered'],
  embed: ['url'],
};

export function isBlankBlock(b: BlockFields): boolean {
  return FIELDS_OF[b.type].every((k) => k === 'ordered' || !(b[k] as string).trim());
}

/** An empty slot left on "automatic" (no JavaScript to switch fields) takes the type its fields say. */
function inferType(b: BlockFields): BlockType {
  if (b.url.trim()) return 'embed';
  if (b.mediaId.trim() || b.caption.trim() || b.credit.trim()) return 'image';
  if (b.items.trim()) return 'list';
  if (b.speaker.trim()) return 'quote';
  return 'paragraph';
}

export function readFields(form: FlatForm): ArticleFields {
  const fields = Object.fromEntries(SCALARS.map((k) => [k, one(form[k])])) as Omit<ArticleFields, 'blocks'>;
  // The free-text box beside the sections list names a new section.
  if (one(form.sectionNew).trim()) fields.section = one(form.sectionNew).trim();
  const byIndex = new Map<number, BlockFields>();
  const types = new Map<number, string>();
  for (const [key, value] of Object.entries(form)) {
    const m = BLOCK_KEY.exec(key);
    if (!m || Number(m[1]) >= MAX_BLOCKS) continue;
    const i = Number(m[1]);
    const block = byIndex.get(i) ?? emptyBlock();
    byIndex.set(i, block);
    const v = one(value);
    const name = m[2]!;
    if (name === 'type') types.set(i, v);
    else if (name === 'ordered') block.ordered = v !== '' && v !== '0' && v !== 'false';
    else if ((BLOCK_FIELDS as readonly string[]).includes(name)) (block as unknown as Record<string, string>)[name] = v;
  }
  for (const [i, b] of byIndex) {
    const t = types.get(i) ?? '';
    b.type = (BLOCK_TYPES as readonly string[]).includes(t) ? (t as BlockType) : inferType(b);
  }
  const blocks = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, b]) => b);
  return { ...fields, blocks };
}

/** Wall-clock `datetime-local` text in `zone` to a UTC instant; null when it is not a time. */
export function fromLocalInput(local: string, zone: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(local.trim())) return null;
  const dt = DateTime.fromISO(local.trim(), { zone });
  return dt.isValid ? dt.toUTC().toISO({ suppressMilliseconds: true }) : null;
}

/** Tags and authors: Latin or Arabic commas (`،`) between names. */
export function splitNames(text: string): string[] {
  return [...new Set(text.split(/[,،]/).map((s) => s.trim()).filter(Boolean))];
}


export interface FormDefaults {
  city: string;
  timeZone: string;
  section: string;
}
export type ParsedForm = { ok: true; input: ArticleInput } | { ok: false; errors: FieldErrors };

const positiveInt = (s: string): number | null => (/^\s*[1-9]\d{0,9}\s*$/.test(s) ? Number(s) : null);
const opt = (s: string): string | undefined => s.trim() || undefined;

function blockFromFields(b: BlockFields): BlockInput | { field: keyof BlockFields; message: string } {
  switch (b.type) {
    case 'paragraph':
    case 'quote': {
      const spans = markupToSpans(b.text.trim());
      if (!spans.length) return { field: 'text', message: b.type === 'quote' ? 'اكتب نص الاقتباس' : 'اكتب نص الفقرة' };
      return b.type === 'quote' ? { type: 'quote', spans, speaker: opt(b.speaker) } : { type: 'paragraph', spans };
    }
    case 'subheading':
      return b.text.trim() ? { type: 'subheading', text: b.text.trim().replace(/\s+/g, ' ') } : { field: 'text', message: 'اكتب العنوان الفرعي' };
    case 'image': {
      const mediaId = positiveInt(b.mediaId);
      if (!mediaId) return { field: 'mediaId', message: 'اختر صورة من المكتبة (رقمها) أو ارفع ملفاً' };
      return { type: 'image', mediaId, caption: opt(b.caption), credit: opt(b.credit) };
    }
    case 'list': {
      const items = b.items.split(/\r?\n/).map((l) => markupToSpans(l.trim())).filter((s) => s.length > 0);
      return items.length ? { type: 'list', ordered: b.ordered, items } : { field: 'items', message: 'اكتب عنصراً واحداً على الأقل، كل عنصر في سطر' };
    }
    case 'embed': {
      const provider = embedProvider(b.url.trim());
      if (!provider) return { field: 'url', message: 'رابط غير مدعوم: فيديو يوتيوب، أو منشور على إكس/تويتر، أو بث ‎.m3u8 عبر https' };
      return { type: 'embed', url: b.url.trim(), provider };
    }
  }
}

/** zod's issues in Arabic, for the limits the form itself does not check. */
function arabicIssue(iss: { code?: string; origin?: string; maximum?: unknown; minimum?: unknown }): string | undefined {
  const many = iss.origin === 'array' || iss.origin === 'set';
  if (iss.code === 'too_big') return many ? `أكثر من المسموح (${String(iss.maximum)} على الأكثر)` : `أطول من المسموح (${String(iss.maximum)} حرفاً على الأكثر)`;
  if (iss.code === 'too_small') return many ? 'مطلوب عنصر واحد على الأقل' : 'حقل مطلوب';
  if (iss.code === 'invalid_format') return 'صيغة غير صالحة';
  return 'قيمة غير صالحة';
}

const SPAN_FIELDS: Record<string, keyof BlockFields> = { spans: 'text', items: 'items' };
const LEAD_FIELDS: Record<string, string> = { mediaId: 'leadMediaId', caption: 'leadCaption', credit: 'leadCredit' };

/** Checks the writer's fields and builds the service input; errors are keyed by field name. */
export function fieldsToInput(f: ArticleFields, d: FormDefaults): ParsedForm {
  const errors: FieldErrors = {};
  const timeZone = f.timeZone.trim() || d.timeZone;
  if (!isValidTimeZone(timeZone)) errors.timeZone = 'منطقة زمنية غير معروفة (مثال: Asia/Damascus)';
  let publishedAt: string | undefined;
  if (f.publishedAt.trim() && !errors.timeZone) {
    publishedAt = fromLocalInput(f.publishedAt, timeZone) ?? undefined;
    if (!publishedAt) errors.publishedAt = 'وقت النشر غير صالح';
  }
  let lead: ArticleInput['lead'];
  const leadId = positiveInt(f.leadMediaId);
  if (leadId) lead = { mediaId: leadId, caption: opt(f.leadCaption), credit: opt(f.leadCredit) };
  else if (f.leadMediaId.trim() || opt(f.leadCaption) || opt(f.leadCredit)) errors.leadMediaId = 'اختر الصورة الرئيسية (رقمها في المكتبة) أو ارفع ملفاً';

  const body: BlockInput[] = [];
  const formIndex: number[] = [];
  f.blocks.forEach((b, i) => {
    if (isBlankBlock(b)) return;
    const r = blockFromFields(b);
    if ('field' in r) errors[`blocks[${i}][${r.field}]`] = r.message;
    else {
      body.push(r);
      formIndex.push(i);
    }
  });

  const input: ArticleInput = {
    headline: f.headline,
    summary: opt(f.summary),
    body,
    lead,
    datelinePlace: opt(f.datelinePlace),
    sourceLabel: opt(f.sourceLabel),
    section: f.section.trim() || d.section,
    tags: splitNames(f.tags),
    authors: splitNames(f.authors),
    publishedAt,
    timeZone,
    city: f.city.trim() || d.city,
  };
  const checked = ArticleInputSchema.safeParse(input, { error: arabicIssue });
  if (!checked.success) {
    for (const iss of checked.error.issues) {
      const [head, second, third] = iss.path.map(String);
      let name = head ?? 'headline';
      if (head === 'body' && second !== undefined) name = `blocks[${formIndex[Number(second)] ?? 0}][${SPAN_FIELDS[third ?? ''] ?? third ?? 'text'}]`;
      else if (head === 'lead') name = LEAD_FIELDS[second ?? ''] ?? 'leadMediaId';
      errors[name] ??= iss.message;
    }
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, input };
}
