import type { StaticPage } from '../../../store/pages.js';
import { CsrfField, NewsroomLayout, NewsroomTime, Notice, type NewsroomContext } from './layout.js';

export interface PageForm {
  title: string;
  slug: string;
  text: string;
  status: 'draft' | 'published';
}

export function StaticPagesView(props: { ctx: NewsroomContext; pages: StaticPage[]; ok?: string | null }) {
  return (
    <NewsroomLayout ctx={props.ctx} title="الصفحات الثابتة">
      {props.ok && <Notice kind="ok">{props.ok}</Notice>}
      <p>
        <a href="/newsroom/pages/new">صفحة جديدة</a>
      </p>
      <table class="nr-table">
        <thead>
          <tr>
            <th>العنوان</th>
            <th>الرابط</th>
            <th>الحالة</th>
            <th>آخر تعديل</th>
          </tr>
        </thead>
        <tbody>
          {props.pages.map((p) => (
            <tr key={p.id}>
              <td>
                <a href={`/newsroom/pages/${p.id}`}>
                  <bdi>{p.title}</bdi>
                </a>
              </td>
              <td>
                <bdi dir="ltr">/page/{p.slug}</bdi>
              </td>
              <td>{p.status === 'published' ? 'منشورة' : 'مسودة'}</td>
              <td>
                <NewsroomTime ctx={props.ctx} at={p.updatedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </NewsroomLayout>
  );
}

/**
 * Title, slug, status and the text: paragraphs separated by a blank line, a line starting with
 * `## ` a subheading. Pages holding other blocks (pictures, lists, quotes, embeds: an imported
 * WordPress page can) are shown read-only here, so nothing is lost by saving.
 */
export function StaticPageEditView(props: { ctx: NewsroomContext; id: number | null; form: PageForm; readOnly?: string | null; error?: string | null }) {
  const { ctx, form } = props;
  const action = props.id === null ? '/newsroom/pages' : `/newsroom/pages/${props.id}`;
  return (
    <NewsroomLayout ctx={ctx} title={props.id === null ? 'صفحة جديدة' : 'تحرير صفحة'}>
      {props.error && <Notice kind="error">{props.error}</Notice>}
      {props.readOnly && <Notice kind="error">{props.readOnly}</Notice>}
      <form method="post" action={action} class="nr-form">
        <CsrfField ctx={ctx} />
        <p>
          <label for="page-title">العنوان</label>
          <input id="page-title" name="title" required maxLength={300} value={form.title} />
        </p>
        <p>
          <label for="page-slug">الرابط المختصر (يُشتق من العنوان إن تُرك فارغاً)</label>
          <input id="page-slug" name="slug" maxLength={200} value={form.slug} />
        </p>
        <p>
          <label for="page-text">النص: فقرات يفصل بينها سطر فارغ، والسطر الذي يبدأ بـ ## عنوان فرعي</label>
          <textarea id="page-text" name="text" rows={18} maxLength={200000} readOnly={!!props.readOnly}>
            {form.text}
          </textarea>
        </p>
        <p>
          <label for="page-status">الحالة</label>
          <select id="page-status" name="status">
            <option value="draft" selected={form.status === 'draft'}>
              مسودة
            </option>
            <option value="published" selected={form.status === 'published'}>
              منشورة
            </option>
          </select>
        </p>
        <button type="submit" disabled={!!props.readOnly}>
          حفظ
        </button>
      </form>
    </NewsroomLayout>
  );
}
