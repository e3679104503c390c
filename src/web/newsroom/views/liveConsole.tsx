import { renderToString } from 'preact-render-to-string';
import type { LiveCoverage, LiveEntry } from '../../../domain/live.js';
import type { EntryContext } from '../../../services/liveReader.js';
import { assetUrl } from '../../reader/assets.js';
import { TimeLine } from '../../reader/views/components.js';
import { LiveEntryView } from '../../reader/views/liveEntry.js';
import { blocksToText } from '../liveText.js';
import { CsrfField, NewsroomLayout, Notice, type NewsroomContext } from './layout.js';
import { LIVE_STATUS_NAMES } from './liveList.js';

/** Who is looking, for which controls an entry shows: the service checks again on every post. */
export interface ConsoleViewer {
  userId: number;
  isEditor: boolean;
  csrfToken: string | null;
}

export interface LiveConsoleProps {
  ctx: NewsroomContext;
  coverage: LiveCoverage;
  entries: LiveEntry[];
  entryCtx: EntryContext;
  olderBefore: number | null;
  viewer: ConsoleViewer;
  done: string | null;
  error: string | null;
  /** Text a refused post carried, put back in its box: the compose box (`entryId` null) or an entry's edit box. */
  draft: { entryId: number | null; text: string; keyEvent?: boolean; pinned?: boolean } | null;
}

const base = (c: LiveCoverage) => `/newsroom/live/${c.id}`;
export const canChange = (v: ConsoleViewer, e: LiveEntry) => v.isEditor || e.authorIds[0] === v.userId;

export function LiveConsolePage(p: LiveConsoleProps) {
  const c = p.coverage;
  const live = c.status === 'live';
  return (
    <NewsroomLayout ctx={p.ctx} title={`التغطية الحية: ${c.title}`}>
      <script src={assetUrl('liveConsole.js')} defer></script>
      <header class="lc-head">
        <p>
          <span class={`live-status live-status-${c.status}`}>{LIVE_STATUS_NAMES[c.status]}</span>{' '}
          بدأت <TimeLine at={c.startedAt} zone={c.timeZone} city={c.city} />
          {c.endedAt && (
            <>
              {' '}
              · انتهت <TimeLine at={c.endedAt} zone={c.timeZone} city={c.city} />
            </>
          )}
        </p>
        <p>
          <a href={`/live/${encodeURIComponent(c.slug)}`} target="_blank" rel="noopener">
            صفحة القراء
          </a>{' '}
          · <a href="/newsroom/live">كل التغطيات</a>
        </p>
      </header>
      {p.done && <Notice kind="ok">{p.done}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {live ? <Compose {...p} /> : <p class="nr-muted">انتهت هذه التغطية: لا تقبل مدخلات ولا تعديلات.</p>}
      <h2 id="lc-entries-title">المدخلات</h2>
      <p class="lc-live-note nr-hint" role="status" aria-live="polite" hidden></p>
      <ol
        class="lc-entries"
        aria-labelledby="lc-entries-title"
        data-coverage-id={c.id}
        data-status={c.status}
        data-last-event-id={c.lastEventId}
        data-events-url={`/live/${c.id}/events`}
        data-entry-url={`${base(c)}/entries/`}
      >
        {p.entries.map((e) => (
          <ConsoleEntry key={e.id} coverage={c} entry={e} entryCtx={p.entryCtx} viewer={p.viewer} draft={p.draft?.entryId === e.id ? p.draft.text : null} />
        ))}
      </ol>
      {p.entries.length === 0 && <p class="lc-empty">لا مدخلات بعد.</p>}
      {p.olderBefore != null && (
        <p class="nr-pager">
          <a href={`${base(c)}?before=${p.olderBefore}`}>مدخلات أقدم</a>
        </p>
      )}
      {live && p.viewer.isEditor && <EndCoverage coverage={c} viewer={p.viewer} />}
    </NewsroomLayout>
  );
}

function Compose(p: LiveConsoleProps) {
  const c = p.coverage;
  const d = p.draft?.entryId === null ? p.draft : null;
  return (
    <form method="post" action={`${base(c)}/entries`} class="nr-form lc-compose" data-api={`/api/v1/live/${c.id}/entries`} data-csrf={p.viewer.csrfToken ?? ''}>
      <CsrfField token={p.viewer.csrfToken} />
      <label for="lc-text">مدخل جديد</label>
      <textarea id="lc-text" name="text" rows={6} required aria-describedby="lc-syntax">
        {d?.text ?? ''}
      </textarea>
      <p id="lc-syntax" class="nr-hint">
        سطر فارغ بين الفقرات · رابط وحده في سطر يصبح تضميناً (يوتيوب، إكس، بث) · «&gt; » في أول السطر اقتباس، و«— الاسم» بعده قائله · «## » عنوان فرعي ·
        «- » قائمة · **عريض** و_مائل_ و[نص](https://…) · Ctrl+Enter للنشر
      </p>
      <p class="lc-flags">
        <label>
          <input type="checkbox" name="keyEvent" value="1" checked={d?.keyEvent} /> حدث رئيسي
        </label>{' '}
        {p.viewer.isEditor && (
          <label>
            <input type="checkbox" name="pinned" value="1" checked={d?.pinned} /> تثبيت في أعلى الصفحة
          </label>
        )}
      </p>
      <p class="lc-compose-error nr-error" role="alert" hidden></p>
      <button type="submit">نشر المدخل</button>
    </form>
  );
}

/**
 * One entry in the console: the readers' markup, then the controls the viewer may use. Served
 * alone too (`GET …/entries/:id`), so the console script shows other editors' entries with
 * exactly these controls instead of building its own copy of them.
 */
export function ConsoleEntry({ coverage: c, entry: e, entryCtx, viewer, draft }: { coverage: LiveCoverage; entry: LiveEntry; entryCtx: EntryContext; viewer: ConsoleViewer; draft?: string | null }) {
  const act = `${base(c)}/entries/${e.id}`;
  const mayChange = c.status === 'live' && canChange(viewer, e);
  return (
    <li class="lc-entry" data-entry-id={e.id}>
      <LiveEntryView entry={e} ctx={entryCtx} coverage={c} />
      {mayChange && (
        <div class="lc-controls">
          <details class="lc-edit" open={draft != null}>
            <summary>تعديل</summary>
            <form method="post" action={`${act}/edit`} class="nr-form">
              <CsrfField token={viewer.csrfToken} />
              <label for={`lc-edit-${e.id}`}>نص المدخل</label>
              <textarea id={`lc-edit-${e.id}`} name="text" rows={5} required>
                {draft ?? blocksToText(e.blocks)}
              </textarea>
              <button type="submit">حفظ التعديل</button>
            </form>
          </details>
          <FlagButton act={act} viewer={viewer} name="keyEvent" on={e.keyEvent} label={['حدث رئيسي', 'إلغاء الحدث الرئيسي']} />
          {viewer.isEditor && <FlagButton act={act} viewer={viewer} name="pinned" on={e.pinned} label={['تثبيت', 'إلغاء التثبيت']} />}
          {/* A second click inside <details> confirms, with or without JavaScript. */}
          <details class="lc-delete">
            <summary>حذف</summary>
            <form method="post" action={`${act}/delete`} class="nr-inline">
              <CsrfField token={viewer.csrfToken} />
              <button type="submit" class="danger">
                تأكيد حذف المدخل
              </button>
            </form>
          </details>
        </div>
      )}
    </li>
  );
}

function FlagButton({ act, viewer, name, on, label }: { act: string; viewer: ConsoleViewer; name: 'keyEvent' | 'pinned'; on: boolean; label: [string, string] }) {
  return (
    <form method="post" action={`${act}/flags`} class="nr-inline">
      <CsrfField token={viewer.csrfToken} />
      <input type="hidden" name={name} value={on ? '0' : '1'} />
      <button type="submit" class="nr-link" aria-pressed={on ? 'true' : 'false'}>
        {on ? label[1] : label[0]}
      </button>
    </form>
  );
}

function EndCoverage({ coverage: c, viewer }: { coverage: LiveCoverage; viewer: ConsoleViewer }) {
  return (
    <details class="lc-end">
      <summary>إنهاء التغطية</summary>
      <p>بعد الإنهاء لا تقبل التغطية مدخلات ولا تعديلات، ويتوقف البث عند القراء. لا يمكن التراجع.</p>
      <form method="post" action={`${base(c)}/end`} class="nr-inline">
        <CsrfField token={viewer.csrfToken} />
        <button type="submit" class="danger">
          تأكيد إنهاء التغطية
        </button>
      </form>
    </details>
  );
}

/** The entry's console markup alone, for the script that keeps the list live. */
export function renderConsoleEntry(props: { coverage: LiveCoverage; entry: LiveEntry; entryCtx: EntryContext; viewer: ConsoleViewer }): string {
  return renderToString(<ConsoleEntry {...props} />);
}
