import type { ArticleStatus } from '../../../domain/article.js';
import { toLocalInput } from '../articleFields.js';
import type { EditorArticle } from './articleEditor.js';

export const STATUS_NAMES: Record<ArticleStatus, string> = {
  draft: 'مسودة',
  in_review: 'قيد المراجعة',
  scheduled: 'مجدول',
  published: 'منشور',
  unpublished: 'غير منشور',
};

/**
 * The editor's toolbar. It comes first in the form on purpose: Enter in a text box submits
 * with the form's first submit button, which must be "save", never "move block" or "publish".
 * Workflow buttons post the whole form to their own URL (formaction): the edits are saved, then
 * the step is taken, so nothing typed is lost by pressing "publish".
 */
export function EditorActions({ article: a, canPublish, timeZone }: { article: EditorArticle | null; canPublish: boolean; timeZone: string }) {
  const act = (step: string) => (a ? `/newsroom/articles/${a.id}/${step}` : undefined);
  const live = a?.status === 'published' || a?.status === 'scheduled';
  return (
    <div class="editor-actions" role="toolbar" aria-label="إجراءات المقال">
      <button type="submit" name="op" value="save" class="primary" data-save="">
        {live ? 'حفظ التعديل (بانتظار التطبيق)' : 'حفظ'}
      </button>
      {a && (
        <>
          <button type="submit" name="op" value="preview" formTarget="_blank">
            معاينة
          </button>
          {(a.status === 'draft' || a.status === 'unpublished') && (
            <button type="submit" formAction={act('submit')}>
              إرسال للمراجعة
            </button>
          )}
          {canPublish && a.status !== 'published' && (
            <button type="submit" formAction={act('publish')} class="primary">
              نشر
            </button>
          )}
          {canPublish && a.hasStagedEdit && (
            <button type="submit" formAction={act('update')} class="primary">
              تطبيق التعديلات على الصفحة المنشورة
            </button>
          )}
          {canPublish && a.status !== 'published' && (
            <span class="schedule">
              <label for="f-scheduleAt">جدولة في</label>{' '}
              <input id="f-scheduleAt" name="scheduleAt" type="datetime-local" dir="ltr" value={toLocalInput(a.scheduledAt, timeZone)} />{' '}
              <button type="submit" formAction={act('schedule')}>
                جدولة
              </button>
            </span>
          )}
          {canPublish && live && (
            <button type="submit" formAction={act('unpublish')}>
              إلغاء النشر
            </button>
          )}
          <a href={`/newsroom/articles/${a.id}/revisions`}>النسخ السابقة</a>
          {a.publicPath && a.status === 'published' && (
            <a href={a.publicPath} target="_blank" rel="noopener">
              الصفحة المنشورة
            </a>
          )}
          {canPublish && (
            <button type="submit" formAction={act('delete')} class="danger" data-confirm="حذف المقال نهائياً؟">
              حذف المقال
            </button>
          )}
        </>
      )}
    </div>
  );
}
