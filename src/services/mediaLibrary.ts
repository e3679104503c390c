import type { Config } from '../config.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { MediaMetaSchema, MediaSearchSchema, type MediaMetaInput, type MediaRecord } from '../domain/media.js';
import { hasRole, type Actor, type User } from '../domain/user.js';
import { appendAudit, auditBy } from '../store/audit.js';
import type { Store } from '../store/db.js';
import { findMediaByStorageKey, getMedia, searchMedia, updateMediaMeta } from '../store/media.js';
import { bumpContentVersion } from '../store/siteState.js';
import type { ContentEvents } from './events.js';
import { prepareImage, saveImageIn } from './media.js';
import { validate } from './validate.js';

export const MEDIA_PAGE_SIZE = 24;

export interface MediaUpload extends MediaMetaInput {
  data: Buffer;
  /** Shown in the library and searched; never used to name a file. */
  filename: string;
}

export interface MediaPage {
  items: MediaRecord[];
  page: number;
  hasMore: boolean;
}

function signedIn(actor: Actor): User {
  if (!actor.user) throw new ForbiddenError('يلزم تسجيل الدخول لإدارة الصور');
  return actor.user;
}

/** The newsroom's picture library: upload once, describe once, reuse in any article. */
export class MediaLibrary {
  constructor(
    private readonly store: Store,
    private readonly config: Config,
    private readonly events: ContentEvents,
  ) {}

  /**
   * Any signed-in member of the newsroom may add pictures. The files are checked and written
   * before the transaction (encoding takes long; a transaction must not wait on it) and removed
   * again if the row or its audit entry cannot be written. The same bytes uploaded twice give
   * the existing picture back, its empty caption, credit or alt filled from this upload.
   */
  async upload(actor: Actor, input: MediaUpload): Promise<MediaRecord> {
    const user = signedIn(actor);
    const { data, filename, ...rest } = input;
    if (!Buffer.isBuffer(data)) throw new ValidationError('file: no file was sent', [{ path: 'file', message: 'لم يُرسل ملف' }]);
    const meta = validate(MediaMetaSchema, rest, 'media');
    const img = await prepareImage(this.config.mediaDir, data, typeof filename === 'string' ? filename : '');
    let changedExisting = false;
    let media: MediaRecord;
    try {
      media = await this.store.db.transaction().execute(async (trx) => {
        const before = await findMediaByStorageKey(trx, img.storageKey);
        const saved = await saveImageIn(trx, img, { ...meta, uploadedBy: user.id });
        // An existing picture may have gained a caption or its variants: pages showing it change.
        changedExisting = !!before && JSON.stringify(before) !== JSON.stringify(saved);
        if (changedExisting) await bumpContentVersion(trx);
        await appendAudit(trx, {
          ...auditBy(actor),
          action: 'media.upload',
          targetType: 'media',
          targetId: saved.id,
          details: { name: img.originalName, mime: img.mime, width: img.width, height: img.height, bytes: img.bytes, existing: !!before },
        });
        return saved;
      });
    } catch (e) {
      await img.discard();
      throw e;
    }
    if (changedExisting) this.events.emit({ type: 'site' });
    return media;
  }

  /**
   * Caption, credit and alt text. Editors and admins may describe any picture, a contributor
   * the ones they uploaded. Pages that show the picture without their own caption change, so
   * the content version moves with the edit.
   */
  async update(actor: Actor, id: number, input: MediaMetaInput): Promise<MediaRecord> {
    const user = signedIn(actor);
    const meta = validate(MediaMetaSchema, input, 'media');
    const media = await this.store.db.transaction().execute(async (trx) => {
      const current = await getMedia(trx, id);
      if (!current) throw new NotFoundError(`الصورة ${id} غير موجودة`);
      if (!hasRole(user, 'editor') && current.uploadedBy !== user.id) {
        throw new ForbiddenError('يعدّل المحرر وصف الصور التي لم ترفعها');
      }
      const updated = (await updateMediaMeta(trx, id, meta))!;
      await bumpContentVersion(trx);
      await appendAudit(trx, {
        ...auditBy(actor),
        action: 'media.update',
        targetType: 'media',
        targetId: id,
        details: { fields: Object.keys(meta).filter((k) => meta[k as keyof typeof meta] !== undefined) },
      });
      return updated;
    });
    this.events.emit({ type: 'site' });
    return media;
  }

  /** Newest first; `q` matches part of the file name, caption, credit or alt text. */
  async search(q: string = '', page: number = 1): Promise<MediaPage> {
    const s = validate(MediaSearchSchema, { q, page }, 'search');
    const rows = await searchMedia(this.store.db, {
      q: s.q,
      limit: MEDIA_PAGE_SIZE + 1,
      offset: (s.page - 1) * MEDIA_PAGE_SIZE,
    });
    return { items: rows.slice(0, MEDIA_PAGE_SIZE), page: s.page, hasMore: rows.length > MEDIA_PAGE_SIZE };
  }

  get(id: number): Promise<MediaRecord | undefined> {
    return getMedia(this.store.db, id);
  }
}
