import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { Media } from '../../domain/article.js';
import { ValidationError } from '../../domain/errors.js';
import type { Actor } from '../../domain/user.js';
import type { Services } from '../../services/index.js';
import { BLOCK_TYPES, emptyBlock, FlatFormSchema, type ArticleFields, type BlockType, type FieldErrors, type FlatForm } from './articleForm.js';

/** Reading the editor's posts: plain forms, multipart forms with pictures, and the autosave's JSON. */

export interface Upload {
  filename: string;
  data: Buffer;
}
export interface EditorPost {
  form: FlatForm;
  files: Map<string, Upload>;
  /** The autosave: it posts JSON, or multipart when a picture waits to be uploaded, and wants JSON back. */
  json: boolean;
}

const isFilePart = (v: unknown): v is { type: 'file'; filename: string; toBuffer(): Promise<Buffer> } =>
  typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'file';
const isFieldPart = (v: unknown): v is { type: 'field'; value: unknown } =>
  typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'field';

async function add(form: Record<string, string | string[]>, files: Map<string, Upload>, name: string, v: unknown): Promise<void> {
  if (Array.isArray(v)) {
    for (const x of v) await add(form, files, name, x);
    return;
  }
  if (isFilePart(v)) {
    const data = await v.toBuffer();
    // An empty file box still sends a part: no name, no bytes.
    if (data.length > 0) files.set(name, { filename: v.filename || 'upload', data });
    return;
  }
  const value = isFieldPart(v) ? v.value : v;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return;
  const prev = form[name];
  form[name] = prev === undefined ? String(value) : [...(Array.isArray(prev) ? prev : [prev]), String(value)];
}

/**
 * One shape for every way the form arrives. Multipart bodies are attached to `req.body` by the
 * parser (so the auth hook can read `_csrf` before the handler); when a parser registered
 * elsewhere left the parts unread, they are read here.
 */
export async function readEditorPost(req: FastifyRequest): Promise<EditorPost> {
  const form: Record<string, string | string[]> = {};
  const files = new Map<string, Upload>();
  const json = (req.headers['content-type'] ?? '').includes('application/json') || (req.headers.accept ?? '').startsWith('application/json');
  if (req.body && typeof req.body === 'object') {
    for (const [name, v] of Object.entries(req.body as Record<string, unknown>)) await add(form, files, name, v);
  } else if (req.isMultipart?.()) {
    for await (const part of req.parts() as AsyncIterableIterator<Multipart>) await add(form, files, part.fieldname, part);
  }
  const parsed = FlatFormSchema.safeParse(form);
  if (!parsed.success) throw new ValidationError('بيانات النموذج غير صالحة');
  return { form: parsed.data, files, json };
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

/**
 * The buttons that rearrange blocks without JavaScript (`op=up:3`); null for any other op.
 * Rearranging does not save: the page comes back with the change, to be saved with the rest.
 */
export function applyBlockOp(fields: ArticleFields, form: FlatForm): string | null {
  const op = one(form.op);
  const blocks = fields.blocks;
  if (op === 'add') {
    const t = one(form.addType);
    blocks.push(emptyBlock((BLOCK_TYPES as readonly string[]).includes(t) ? (t as BlockType) : 'paragraph'));
    return 'أُضيفت كتلة في آخر المتن. لم يُحفظ المقال بعد.';
  }
  const m = /^(up|down|remove):(\d{1,4})$/.exec(op);
  if (!m) return null;
  const i = Number(m[2]);
  if (i >= blocks.length) return 'لم يتغير شيء.';
  if (m[1] === 'remove') blocks.splice(i, 1);
  else {
    const j = m[1] === 'up' ? i - 1 : i + 1;
    if (j < 0 || j >= blocks.length) return 'لم يتغير شيء.';
    [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
  }
  return m[1] === 'remove' ? 'حُذفت الكتلة. لم يُحفظ المقال بعد.' : 'نُقلت الكتلة. لم يُحفظ المقال بعد.';
}

const mediaId = (s: string) => (/^\s*[1-9]\d{0,9}\s*$/.test(s) ? Number(s) : null);

/**
 * Uploads first (a chosen file must not be lost when the rest of the form has an error; the
 * library keeps it either way), then pictures' stored caption and credit fill the boxes the
 * writer left empty, and an id that is not in the library is reported on its own field.
 */
export async function resolveMedia(
  services: Services,
  actor: Actor,
  f: ArticleFields,
  files: Map<string, Upload>,
): Promise<{ errors: FieldErrors; lead: Media | null; uploaded: Record<string, string> }> {
  const errors: FieldErrors = {};
  /** Field name → id of the picture just uploaded for it, so the autosave can fill the id box. */
  const uploaded: Record<string, string> = {};
  const upload = async (name: string, file: Upload, caption: string, credit: string): Promise<string | null> => {
    try {
      const m = await services.media.upload(actor, { data: file.data, filename: file.filename, caption: caption.trim() || null, credit: credit.trim() || null });
      uploaded[name] = String(m.id);
      return String(m.id);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      errors[name] = `تعذّر رفع الصورة: ${e.issues[0]?.message ?? e.message}`;
      return null;
    }
  };
  const leadFile = files.get('leadFile');
  if (leadFile) f.leadMediaId = (await upload('leadMediaId', leadFile, f.leadCaption, f.leadCredit)) ?? f.leadMediaId;
  for (const [i, b] of f.blocks.entries()) {
    const file = files.get(`blocks[${i}][file]`);
    if (file) {
      b.mediaId = (await upload(`blocks[${i}][mediaId]`, file, b.caption, b.credit)) ?? b.mediaId;
      if (b.type === 'paragraph' && !b.text.trim()) b.type = 'image';
    }
  }

  const fill = async (name: string, raw: string, caption: { v: string }, credit: { v: string }) => {
    const id = mediaId(raw);
    if (id == null) return null;
    const m = await services.media.get(id);
    if (!m) {
      errors[name] ??= 'لا توجد صورة بهذا الرقم في المكتبة';
      return null;
    }
    if (!caption.v.trim()) caption.v = m.caption ?? '';
    if (!credit.v.trim()) credit.v = m.credit ?? '';
    return m;
  };
  const cap = { v: f.leadCaption };
  const cred = { v: f.leadCredit };
  const lead = await fill('leadMediaId', f.leadMediaId, cap, cred);
  f.leadCaption = cap.v;
  f.leadCredit = cred.v;
  for (const [i, b] of f.blocks.entries()) {
    if (b.type !== 'image') continue;
    const c = { v: b.caption };
    const r = { v: b.credit };
    await fill(`blocks[${i}][mediaId]`, b.mediaId, c, r);
    b.caption = c.v;
    b.credit = r.v;
  }
  return { errors, lead, uploaded };
}

const LEAD: Record<string, string> = { mediaId: 'leadMediaId', caption: 'leadCaption', credit: 'leadCredit' };

/** A service's ValidationError on the form's fields; what names no field goes to the form as a whole. */
export function serviceErrors(e: ValidationError): FieldErrors {
  const errors: FieldErrors = {};
  for (const iss of e.issues.length ? e.issues : [{ path: '', message: e.message }]) {
    const [head, second] = iss.path.split('.');
    const name = head === 'lead' ? (LEAD[second ?? ''] ?? 'leadMediaId') : head === 'body' ? 'form' : head || 'form';
    errors[name] ??= iss.message;
  }
  return errors;
}
