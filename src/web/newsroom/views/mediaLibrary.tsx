import type { MediaRecord } from '../../../domain/media.js';
import { Img } from '../../reader/views/picture.js';
import { CsrfField, NewsroomLayout, Notice, type NewsroomContext } from './layout.js';

export interface MediaLibraryProps {
  ctx: NewsroomContext;
  q: string;
  page: number;
  items: MediaRecord[];
  hasMore: boolean;
  error?: string | null;
  done?: string | null;
}

const pageHref = (q: string, page: number) => `/newsroom/media?${new URLSearchParams({ ...(q ? { q } : {}), page: String(page) })}`;

/** The picture library: upload once, describe once (caption, credit, alt), find again by any of them. */
export function MediaLibrary({ ctx, q, page, items, hasMore, error, done }: MediaLibraryProps) {
  return (
    <NewsroomLayout ctx={ctx} title="مكتبة الصور">
      {error && <Notice kind="error">{error}</Notice>}
      {done && <Notice kind="ok">{done}</Notice>}
      <form method="post" action="/newsroom/media" enctype="multipart/form-data" class="media-upload">
        <CsrfField ctx={ctx} />
        <fieldset>
          <legend>رفع صورة</legend>
          <label>
            الملف (JPEG أو PNG أو WebP أو AVIF أو GIF، حتى 20 ميغابايت)
            <input type="file" name="file" accept="image/jpeg,image/png,image/webp,image/avif,image/gif" required />
          </label>
          <label>
            التعليق <input name="caption" maxLength={500} />
          </label>
          <label>
            المصدر <input name="credit" maxLength={200} />
          </label>
          <label>
            النص البديل <input name="alt" maxLength={500} />
          </label>
          <button type="submit">رفع</button>
        </fieldset>
      </form>
      <form method="get" action="/newsroom/media" role="search" class="media-search">
        <label>
          بحث في الاسم والتعليق والمصدر والنص البديل <input type="search" name="q" value={q} maxLength={200} />
        </label>
        <button type="submit">بحث</button>
      </form>
      {items.length === 0 ? (
        <p>لا توجد صور{q ? ' تطابق البحث' : ''}.</p>
      ) : (
        <ul class="media-grid">
          {items.map((m) => (
            <li key={m.id}>
              {m.storageKey && <Img media={m} alt={m.alt ?? m.caption ?? ''} lazy sizes="12rem" />}
              <form method="post" action={`/newsroom/media/${m.id}`}>
                <CsrfField ctx={ctx} />
                <p class="media-id">
                  رقم الصورة: <bdi>{m.id}</bdi> · <bdi>{m.originalName}</bdi>
                  {m.width && m.height ? (
                    <>
                      {' '}
                      · <bdi dir="ltr">{`${m.width}×${m.height}`}</bdi>
                    </>
                  ) : null}
                </p>
                <label>
                  التعليق <input name="caption" value={m.caption ?? ''} maxLength={500} />
                </label>
                <label>
                  المصدر <input name="credit" value={m.credit ?? ''} maxLength={200} />
                </label>
                <label>
                  النص البديل <input name="alt" value={m.alt ?? ''} maxLength={500} />
                </label>
                <button type="submit">حفظ</button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <nav class="pager" aria-label="الصفحات">
        {page > 1 && <a href={pageHref(q, page - 1)}>الأحدث</a>}
        {hasMore && <a href={pageHref(q, page + 1)}>الأقدم</a>}
      </nav>
    </NewsroomLayout>
  );
}
