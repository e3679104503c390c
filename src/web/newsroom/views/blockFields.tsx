import type { ComponentChildren, JSX } from 'preact';
import { BLOCK_TYPES, isBlankBlock, type BlockFields, type BlockType, type FieldErrors } from '../articleForm.js';

export const BLOCK_TYPE_NAMES: Record<BlockType, string> = {
  paragraph: 'فقرة',
  subheading: 'عنوان فرعي',
  quote: 'اقتباس',
  image: 'صورة',
  list: 'قائمة',
  embed: 'تضمين (يوتيوب، إكس، بث)',
};

/** Each sample isolated (bdi), or the marks' neutral characters would be reordered by the RTL text around them. */
const MARKS_HINT = (
  <>
    تنسيق: <bdi>**عريض**</bdi> · <bdi>_مائل_</bdi> · <bdi dir="ltr">[نص](https://…)</bdi>
  </>
);

/** Placeholder index in the client's block template; editor.ts replaces it when it adds a block. */
export const TEMPLATE_INDEX = '__i__';

function Field(props: {
  i: string;
  name: keyof BlockFields;
  label: string;
  hint?: ComponentChildren;
  error: string | undefined;
  children: (attrs: Record<string, string | boolean | undefined>) => JSX.Element;
}) {
  const id = `b${props.i}-${props.name}`;
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errId = props.error ? `${id}-error` : undefined;
  const attrs = {
    id,
    name: `blocks[${props.i}][${props.name}]`,
    'aria-invalid': props.error ? 'true' : undefined,
    'aria-describedby': [errId, hintId].filter(Boolean).join(' ') || undefined,
  };
  return (
    <div class={`field f-${props.name}`}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <small id={hintId} class="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <strong id={errId} class="error">
          {props.error}
        </strong>
      )}
      {props.children(attrs)}
    </div>
  );
}

/**
 * One body block as a fieldset. Every field is rendered for every type and CSS shows the ones
 * of `data-type` (editor.ts switches it as the type changes): without JavaScript a writer can
 * still fill a blank slot of any type, whose type is then read from the fields they filled.
 */
export function BlockFieldset(props: { index: number | typeof TEMPLATE_INDEX; block: BlockFields; count: number; errors: FieldErrors }) {
  const { block: b, errors } = props;
  const i = String(props.index);
  const auto = isBlankBlock(b) && b.type === 'paragraph';
  const err = (name: keyof BlockFields) => errors[`blocks[${i}][${name}]`];
  const number = typeof props.index === 'number' ? props.index + 1 : '';
  return (
    <li class="block-item">
      <fieldset class="block" data-type={auto ? '' : b.type}>
        <legend>
          <span class="block-number">{number}</span> <span class="block-kind">{auto ? 'كتلة جديدة' : BLOCK_TYPE_NAMES[b.type]}</span>
        </legend>
        <div class="field f-type">
          <label for={`b${i}-type`}>النوع</label>
          <select id={`b${i}-type`} name={`blocks[${i}][type]`}>
            {auto && (
              <option value="" selected>
                حسب الحقول المعبأة
              </option>
            )}
            {BLOCK_TYPES.map((t) => (
              <option key={t} value={t} selected={!auto && b.type === t}>
                {BLOCK_TYPE_NAMES[t]}
              </option>
            ))}
          </select>
        </div>
        <Field i={i} name="text" label="النص" hint={MARKS_HINT} error={err('text')}>
          {(a) => (
            <textarea {...a} rows={b.type === 'subheading' ? 1 : 4} dir="auto" data-paste="blocks">
              {b.text}
            </textarea>
          )}
        </Field>
        <Field i={i} name="speaker" label="القائل" error={err('speaker')}>
          {(a) => <input {...a} type="text" value={b.speaker} maxLength={200} />}
        </Field>
        <Field i={i} name="mediaId" label="رقم الصورة في المكتبة" error={err('mediaId')}>
          {(a) => <input {...a} type="text" inputMode="numeric" pattern="[0-9]*" value={b.mediaId} dir="ltr" />}
        </Field>
        <div class="field f-file">
          <label for={`b${i}-file`}>أو ارفع صورة</label>
          <input id={`b${i}-file`} name={`blocks[${i}][file]`} type="file" accept="image/jpeg,image/png,image/webp,image/avif,image/gif" />
        </div>
        <Field i={i} name="caption" label="تعليق الصورة" hint="يُؤخذ من المكتبة إن تُرك فارغاً" error={err('caption')}>
          {(a) => <input {...a} type="text" value={b.caption} maxLength={500} />}
        </Field>
        <Field i={i} name="credit" label="حقوق الصورة" error={err('credit')}>
          {(a) => <input {...a} type="text" value={b.credit} maxLength={200} />}
        </Field>
        <Field i={i} name="items" label="العناصر" hint="عنصر في كل سطر" error={err('items')}>
          {(a) => (
            <textarea {...a} rows={4} dir="auto">
              {b.items}
            </textarea>
          )}
        </Field>
        <div class="field f-ordered">
          <label>
            <input type="checkbox" name={`blocks[${i}][ordered]`} value="1" checked={b.ordered} /> قائمة مرقّمة
          </label>
        </div>
        <Field i={i} name="url" label="الرابط" hint="فيديو يوتيوب، أو منشور على إكس، أو بث ‎.m3u8 عبر https" error={err('url')}>
          {(a) => <input {...a} type="url" value={b.url} dir="ltr" maxLength={2000} />}
        </Field>
        <div class="block-ops">
          {/* Submit buttons, so moving and removing work without JavaScript too. */}
          <button type="submit" name="op" value={`up:${i}`} formNoValidate disabled={props.index === 0}>
            ↑ تقديم
          </button>
          <button type="submit" name="op" value={`down:${i}`} formNoValidate disabled={typeof props.index === 'number' && props.index >= props.count - 1}>
            ↓ تأخير
          </button>
          <button type="submit" name="op" value={`remove:${i}`} formNoValidate class="danger">
            حذف الكتلة
          </button>
        </div>
      </fieldset>
    </li>
  );
}
