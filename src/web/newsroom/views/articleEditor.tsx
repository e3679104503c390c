import type { ComponentChildren } from 'preact';
import type { ArticleStatus, Media } from '../../../domain/article.js';
import { BLOCK_TYPES, emptyBlock, type ArticleFields, type FieldErrors } from '../articleForm.js';
import { BLOCK_TYPE_NAMES, BlockFieldset, TEMPLATE_INDEX } from './blockFields.js';
import { EditorActions, STATUS_NAMES } from './editorActions.js';
import { readingTimeText } from './stats.js';

export interface EditorArticle {
  id: number;
  status: ArticleStatus;
  /** Public address once published. */
  publicPath: string | null;
  hasStagedEdit: boolean;
  scheduledAt: string | null;
}

export interface EditorProps {
  article: EditorArticle | null;
  fields: ArticleFields;
  errors: FieldErrors;
  notice: string | null;
  csrfToken: string | null;
  sections: string[];
  timeZones: readonly string[];
  leadMedia: Media | null;
  canPublish: boolean;
  words: number;
}

const LABELS: Record<string, string> = {
  headline: 'العنوان',
  summary: 'الملخص',
  section: 'القسم',
  tags: 'الوسوم',
  authors: 'الكتّاب',
  datelinePlace: 'مكان الخبر',
  sourceLabel: 'المصدر',
  city: 'المدينة',
  timeZone: 'المنطقة الزمنية',
  publishedAt: 'وقت النشر',
  leadMediaId: 'الصورة الرئيسية',
  leadCaption: 'تعليق الصورة الرئيسية',
  leadCredit: 'حقوق الصورة الرئيسية',
};

const fieldId = (name: string) => {
  const m = /^blocks\[(\d+)\]\[(\w+)\]$/.exec(name);
  return m ? `b${m[1]}-${m[2]}` : `f-${name}`;
};

function Row(props: { name: string; label: string; hint?: string; errors: FieldErrors; children: (a: Record<string, string | undefined>) => ComponentChildren }) {
  const id = fieldId(props.name);
  const error = props.errors[props.name];
  const described = [error && `${id}-error`, props.hint && `${id}-hint`].filter(Boolean).join(' ');
  return (
    <div class={`field f-${props.name}`}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <small id={`${id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
      {error && (
        <strong id={`${id}-error`} class="error">
          {error}
        </strong>
      )}
      {props.children({ id, name: props.name, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described || undefined })}
    </div>
  );
}

function ErrorSummary({ errors }: { errors: FieldErrors }) {
  const entries = Object.entries(errors);
  if (!entries.length) return null;
  const label = (name: string) => {
    const m = /^blocks\[(\d+)\]/.exec(name);
    return m ? `الكتلة ${Number(m[1]) + 1}` : (LABELS[name] ?? name);
  };
  return (
    <div class="error-summary" role="alert" tabIndex={-1} id="errors">
      <h2>لم يُحفظ المقال: صحّح ما يلي</h2>
      <ul>
        {entries.map(([name, message]) => (
          <li key={name}>
            <a href={`#${fieldId(name)}`}>
              {label(name)}: {message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ArticleEditor(p: EditorProps) {
  const f = p.fields;
  const action = p.article ? `/newsroom/articles/${p.article.id}` : '/newsroom/articles';
  const sections = p.sections.includes(f.section) || !f.section ? p.sections : [f.section, ...p.sections];
  return (
    <form
      method="post"
      action={action}
      enctype="multipart/form-data"
      class="editor"
      data-editor=""
      data-paste-url="/newsroom/paste"
      data-csrf={p.csrfToken ?? ''}
      novalidate
    >
      <input type="hidden" name="_csrf" value={p.csrfToken ?? ''} />
      <EditorActions article={p.article} canPublish={p.canPublish} timeZone={f.timeZone} />
      <p class="save-status" role="status" aria-live="polite">
        {p.notice ?? (p.article ? `الحالة: ${STATUS_NAMES[p.article.status]}` : 'مقال جديد لم يُحفظ بعد')}
      </p>
      <ErrorSummary errors={p.errors} />

      <fieldset class="group">
        <legend>النص الأساسي</legend>
        <Row name="headline" label="العنوان" errors={p.errors}>
          {(a) => <input {...a} type="text" value={f.headline} required maxLength={300} dir="auto" class="headline" />}
        </Row>
        <Row name="summary" label="الملخص" hint="يظهر في البطاقات ونتائج البحث؛ يُشتق من الفقرة الأولى إن تُرك فارغاً" errors={p.errors}>
          {(a) => (
            <textarea {...a} rows={2} maxLength={1000} dir="auto">
              {f.summary}
            </textarea>
          )}
        </Row>
      </fieldset>

      <fieldset class="group">
        <legend>التصنيف</legend>
        <Row name="section" label="القسم" errors={p.errors}>
          {(a) => (
            <select {...a}>
              {sections.map((s) => (
                <option key={s} value={s} selected={s === f.section}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Row>
        <Row name="sectionNew" label="أو قسم جديد" errors={p.errors}>
          {(a) => <input {...a} type="text" value="" maxLength={200} />}
        </Row>
        <Row name="tags" label="الوسوم" hint="افصل بينها بفاصلة (، أو ,)" errors={p.errors}>
          {(a) => <input {...a} type="text" value={f.tags} />}
        </Row>
        <Row name="authors" label="الكتّاب" hint="افصل بين الأسماء بفاصلة" errors={p.errors}>
          {(a) => <input {...a} type="text" value={f.authors} />}
        </Row>
      </fieldset>

      <fieldset class="group">
        <legend>المكان والزمان</legend>
        <Row name="datelinePlace" label="مكان الخبر" hint="مثل: إسطنبول" errors={p.errors}>
          {(a) => <input {...a} type="text" value={f.datelinePlace} maxLength={100} />}
        </Row>
        <Row name="sourceLabel" label="المصدر" hint="مثل: متابعات" errors={p.errors}>
          {(a) => <input {...a} type="text" value={f.sourceLabel} maxLength={100} />}
        </Row>
        <Row name="city" label="المدينة المعروضة مع الوقت" errors={p.errors}>
          {(a) => <input {...a} type="text" value={f.city} maxLength={100} />}
        </Row>
        <Row name="timeZone" label="المنطقة الزمنية" hint="اسم IANA، مثل Asia/Damascus" errors={p.errors}>
          {(a) => <input {...a} type="text" value={f.timeZone} list="time-zones" dir="ltr" autocomplete="off" />}
        </Row>
        <datalist id="time-zones">
          {p.timeZones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <Row name="publishedAt" label="وقت النشر" hint="بتوقيت المنطقة الزمنية أعلاه؛ يُترك فارغاً ليأخذ وقت النشر الفعلي" errors={p.errors}>
          {(a) => <input {...a} type="datetime-local" value={f.publishedAt} dir="ltr" />}
        </Row>
      </fieldset>

      <fieldset class="group lead">
        <legend>الصورة الرئيسية</legend>
        {p.leadMedia?.storageKey && (
          <p class="lead-preview">
            <img src={`/media/${p.leadMedia.storageKey}`} alt="" width={160} loading="lazy" /> <bdi dir="ltr">{p.leadMedia.originalName}</bdi>
          </p>
        )}
        <Row name="leadMediaId" label="رقم الصورة في المكتبة" errors={p.errors}>
          {(a) => <input {...a} type="text" inputMode="numeric" pattern="[0-9]*" value={f.leadMediaId} dir="ltr" />}
        </Row>
        <p class="hint">
          <a href="/newsroom/media" target="_blank" rel="noopener">
            تصفّح مكتبة الصور
          </a>
        </p>
        <Row name="leadFile" label="أو ارفع صورة جديدة" errors={p.errors}>
          {(a) => <input {...a} type="file" accept="image/jpeg,image/png,image/webp,image/avif,image/gif" />}
        </Row>
        <Row name="leadCaption" label="التعليق" hint="يُؤخذ من بيانات الصورة في المكتبة إن تُرك فارغاً" errors={p.errors}>
          {(a) => <input {...a} type="text" value={f.leadCaption} maxLength={500} />}
        </Row>
        <Row name="leadCredit" label="حقوق الصورة" hint="مثل: رويترز" errors={p.errors}>
          {(a) => <input {...a} type="text" value={f.leadCredit} maxLength={200} />}
        </Row>
      </fieldset>

      <fieldset class="group body">
        <legend>المتن</legend>
        <p class="stats" data-stats="">
          <span>عدد الكلمات: <output data-words="">{p.words}</output></span> ·{' '}
          <span>
            مدة القراءة: <output data-minutes="">{readingTimeText(p.words)}</output>
          </span>
        </p>
        <ol class="blocks" data-blocks="">
          {f.blocks.map((b, i) => (
            <BlockFieldset key={i} index={i} block={b} count={f.blocks.length} errors={p.errors} />
          ))}
        </ol>
        <div class="add-block">
          <label for="f-addType">إضافة كتلة:</label>{' '}
          <select id="f-addType" name="addType">
            {BLOCK_TYPES.map((t) => (
              <option key={t} value={t}>
                {BLOCK_TYPE_NAMES[t]}
              </option>
            ))}
          </select>{' '}
          <button type="submit" name="op" value="add" formNoValidate data-add-block="">
            إضافة
          </button>
        </div>
        <template id="block-template">
          <BlockFieldset index={TEMPLATE_INDEX} block={emptyBlock()} count={0} errors={{}} />
        </template>
      </fieldset>
    </form>
  );
}
