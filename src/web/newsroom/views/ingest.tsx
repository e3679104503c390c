import type { IncomingItem, IngestSource } from '../../../services/ingest.js';
import { CsrfField, NewsroomLayout, NewsroomTime, Notice, type NewsroomContext } from './layout.js';

/** What the add form shows again after a refused post, so nothing typed is lost. */
export interface SourceFields {
  name: string;
  url: string;
  section: string;
  every: string;
}

export interface IngestPageProps {
  ctx: NewsroomContext;
  sources: IngestSource[];
  items: IncomingItem[];
  fields: SourceFields;
  error: string | null;
  done: string | null;
}

/** `/newsroom/ingest`: the incoming queue, then the sources with their health. Plain forms, no script. */
export function IngestPage(p: IngestPageProps) {
  return (
    <NewsroomLayout ctx={p.ctx} title="الوارد">
      {p.done && <Notice kind="ok">{p.done}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      <section aria-labelledby="ingest-queue">
        <h2 id="ingest-queue">أخبار واردة</h2>
        {p.items.length === 0 ? <p>لا أخبار واردة تنتظر قرارًا.</p> : <ul class="ingest-queue">{p.items.map((i) => <QueueItem key={i.id} ctx={p.ctx} item={i} />)}</ul>}
      </section>
      <section aria-labelledby="ingest-sources">
        <h2 id="ingest-sources">المصادر</h2>
        {p.sources.length === 0 ? <p>لا مصادر بعد.</p> : <SourceTable ctx={p.ctx} sources={p.sources} />}
        <AddSourceForm ctx={p.ctx} fields={p.fields} />
      </section>
    </NewsroomLayout>
  );
}

function QueueItem({ ctx, item }: { ctx: NewsroomContext; item: IncomingItem }) {
  return (
    <li class="ingest-item" id={`item-${item.id}`}>
      <h3>{item.title}</h3>
      <p class="nr-meta">
        <bdi>{item.sourceName}</bdi> · <NewsroomTime ctx={ctx} at={item.publishedAt ?? item.receivedAt} />
        {item.link && (
          <>
            {' · '}
            <a href={item.link} rel="noopener noreferrer nofollow" target="_blank">
              الأصل
            </a>
          </>
        )}
      </p>
      {item.excerpt && <p>{item.excerpt}</p>}
      <form method="post" action={`/newsroom/ingest/items/${item.id}/take`} class="nr-inline">
        <CsrfField ctx={ctx} />
        <button type="submit">تحرير كمسودة</button>
      </form>{' '}
      <form method="post" action={`/newsroom/ingest/items/${item.id}/dismiss`} class="nr-inline">
        <CsrfField ctx={ctx} />
        <button type="submit" class="nr-link">
          تجاهل
        </button>
      </form>
    </li>
  );
}

function Health({ ctx, s }: { ctx: NewsroomContext; s: IngestSource }) {
  const failing = s.lastError && s.failures > 0;
  return (
    <>
      {s.lastSuccessAt ? (
        <p>
          آخر نجاح: <NewsroomTime ctx={ctx} at={s.lastSuccessAt} />
        </p>
      ) : (
        <p>لم يُجلب بنجاح بعد.</p>
      )}
      {s.lastError && s.lastErrorAt && (
        <p class={failing ? 'nr-error' : undefined}>
          آخر خطأ: <bdi dir="ltr">{s.lastError}</bdi> (<NewsroomTime ctx={ctx} at={s.lastErrorAt} />){failing ? ` · ${s.failures} محاولات فاشلة متتالية` : ''}
        </p>
      )}
    </>
  );
}

function SourceTable({ ctx, sources }: { ctx: NewsroomContext; sources: IngestSource[] }) {
  return (
    <table class="nr-table ingest-sources">
      <thead>
        <tr>
          <th scope="col">المصدر</th>
          <th scope="col">الحالة</th>
          <th scope="col">الجلب التالي</th>
          <th scope="col">إجراء</th>
        </tr>
      </thead>
      <tbody>
        {sources.map((s) => (
          <tr key={s.id}>
            <td>
              <bdi>{s.name}</bdi>
              <br />
              <bdi dir="ltr" class="nr-meta">
                {s.url}
              </bdi>
              {s.section && <p class="nr-meta">القسم: {s.section}</p>}
            </td>
            <td>
              <Health ctx={ctx} s={s} />
            </td>
            <td>
              <NewsroomTime ctx={ctx} at={s.nextPollAt} />
              <p class="nr-meta">كل {Math.round(s.everySeconds / 60)} دقيقة</p>
            </td>
            <td>
              <form method="post" action={`/newsroom/ingest/sources/${s.id}/remove`} class="nr-inline">
                <CsrfField ctx={ctx} />
                <button type="submit" class="nr-link">
                  حذف المصدر
                </button>
              </form>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AddSourceForm({ ctx, fields: f }: { ctx: NewsroomContext; fields: SourceFields }) {
  return (
    <form method="post" action="/newsroom/ingest/sources" class="nr-form ingest-add">
      <h3>مصدر جديد</h3>
      <CsrfField ctx={ctx} />
      <label for="is-name">الاسم (يظهر مصدرًا للمسودات)</label>
      <input id="is-name" name="name" required maxLength={100} value={f.name} />
      <label for="is-url">رابط التغذية (RSS أو Atom أو JSON Feed)</label>
      <input id="is-url" name="url" type="url" dir="ltr" required maxLength={2000} value={f.url} />
      <label for="is-section">القسم (اختياري)</label>
      <input id="is-section" name="section" maxLength={200} value={f.section} />
      <label for="is-every">الفاصل بين مرتين (مثل 5m أو 1h)</label>
      <input id="is-every" name="every" dir="ltr" maxLength={10} value={f.every} />
      <button type="submit">إضافة المصدر</button>
    </form>
  );
}
