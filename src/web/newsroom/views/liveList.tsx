import type { LiveCoverage } from '../../../domain/live.js';
import { CsrfField, NewsroomLayout, NewsroomTime, Notice, type NewsroomContext } from './layout.js';

export const LIVE_STATUS_NAMES = { live: 'مباشر', ended: 'انتهت' } as const;

/** What the create form shows again after a refused post, so nothing typed is lost. */
export interface CoverageFields {
  title: string;
  summary: string;
  streamUrl: string;
  city: string;
  timeZone: string;
}

export interface LiveListProps {
  ctx: NewsroomContext;
  coverages: LiveCoverage[];
  /** Editors and admins open coverages; the form is not shown to others. */
  canCreate: boolean;
  fields: CoverageFields;
  timeZones: readonly string[];
  error: string | null;
  done: string | null;
}

export function LiveListPage(p: LiveListProps) {
  return (
    <NewsroomLayout ctx={p.ctx} title="التغطيات الحية">
      {p.done && <Notice kind="ok">{p.done}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {p.coverages.length === 0 ? (
        <p>لا تغطيات حية بعد.</p>
      ) : (
        <table class="nr-table live-list">
          <thead>
            <tr>
              <th scope="col">التغطية</th>
              <th scope="col">الحالة</th>
              <th scope="col">البداية</th>
              <th scope="col">صفحة القراء</th>
            </tr>
          </thead>
          <tbody>
            {p.coverages.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={`/newsroom/live/${c.id}`}>{c.title}</a>
                </td>
                <td>
                  <span class={`live-status live-status-${c.status}`}>{LIVE_STATUS_NAMES[c.status]}</span>
                </td>
                <td>
                  <NewsroomTime ctx={{ ...p.ctx, timeZone: c.timeZone, city: c.city }} at={c.startedAt} />
                </td>
                <td>
                  <a href={`/live/${encodeURIComponent(c.slug)}`}>عرض</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p.canCreate && <CreateForm {...p} />}
    </NewsroomLayout>
  );
}

function CreateForm({ ctx, fields: f, timeZones }: LiveListProps) {
  return (
    <section aria-labelledby="live-new">
      <h2 id="live-new">تغطية حية جديدة</h2>
      <form method="post" action="/newsroom/live" class="nr-form live-create">
        <CsrfField ctx={ctx} />
        <label for="lc-title">العنوان</label>
        <input id="lc-title" name="title" required maxLength={300} value={f.title} />
        <label for="lc-summary">الملخص</label>
        <textarea id="lc-summary" name="summary" rows={3} maxLength={2000}>
          {f.summary}
        </textarea>
        <label for="lc-stream">رابط البث (اختياري)</label>
        <input id="lc-stream" name="streamUrl" type="url" dir="ltr" maxLength={2000} value={f.streamUrl} />
        <p class="nr-hint">بث HLS بصيغة ‎.m3u8‎ عبر https، أو فيديو أو بث على يوتيوب.</p>
        <label for="lc-city">المدينة</label>
        <input id="lc-city" name="city" maxLength={100} value={f.city} />
        <label for="lc-zone">المنطقة الزمنية</label>
        <select id="lc-zone" name="timeZone" dir="ltr">
          {timeZones.map((z) => (
            <option key={z} value={z} selected={z === f.timeZone}>
              {z}
            </option>
          ))}
        </select>
        <button type="submit">بدء التغطية</button>
      </form>
    </section>
  );
}
