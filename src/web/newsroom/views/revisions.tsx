import type { RevisionInfo } from '../../../domain/revision.js';
import { formatNewsTime, machineTime } from '../../../domain/time.js';
import type { FieldDiff } from '../../../services/diff.js';

export interface RevisionsProps {
  article: { id: number; headline: string; timeZone: string; city: string };
  revisions: (RevisionInfo & { staged: boolean })[];
  diff: { from: number; to: number; fields: FieldDiff[] } | null;
  csrfToken: string | null;
  notice: string | null;
}

function Stamp({ r, zone, city }: { r: RevisionInfo; zone: string; city: string }) {
  return <time datetime={machineTime(r.createdAt)}>{`${formatNewsTime(r.createdAt, zone)} ${city}`}</time>;
}

function DiffView({ diff }: { diff: NonNullable<RevisionsProps['diff']> }) {
  const changed = diff.fields.filter((f) => f.changed);
  return (
    <section class="diff" aria-labelledby="diff-title">
      <h2 id="diff-title">
        الفرق بين النسخة {diff.from} والنسخة {diff.to}
      </h2>
      {changed.length === 0 ? (
        <p>لا فرق في النص بين النسختين.</p>
      ) : (
        <ol class="diff-fields">
          {changed.map((f, i) => (
            <li key={i}>
              <h3>
                {f.label}
                {f.field === 'body' && f.after != null && ` ${f.after + 1}`}
              </h3>
              <p dir="auto">
                {f.parts.map((part, k) =>
                  part.op === 'added' ? <ins key={k}>{part.text}</ins> : part.op === 'removed' ? <del key={k}>{part.text}</del> : part.text,
                )}
              </p>
            </li>
          ))}
        </ol>
      )}
      <p class="hint">
        {diff.fields.length - changed.length} من {diff.fields.length} حقلاً وكتلةً بلا تغيير.
      </p>
    </section>
  );
}

export function Revisions(p: RevisionsProps) {
  const { article: a } = p;
  const numbers = p.revisions.map((r) => r.number);
  const newest = numbers[0];
  const from = p.diff?.from ?? numbers[1] ?? newest;
  const to = p.diff?.to ?? newest;
  return (
    <section class="revisions">
      <p>
        <a href={`/newsroom/articles/${a.id}/edit`}>العودة إلى المحرر</a>
      </p>
      {p.notice && (
        <p class="notice" role="status">
          {p.notice}
        </p>
      )}
      {numbers.length > 1 && (
        <form method="get" action={`/newsroom/articles/${a.id}/revisions`} class="compare">
          <label for="rev-from">قارن النسخة</label>{' '}
          <select id="rev-from" name="from">
            {numbers.map((n) => (
              <option key={n} value={n} selected={n === from}>
                {n}
              </option>
            ))}
          </select>{' '}
          <label for="rev-to">بالنسخة</label>{' '}
          <select id="rev-to" name="to">
            {numbers.map((n) => (
              <option key={n} value={n} selected={n === to}>
                {n}
              </option>
            ))}
          </select>{' '}
          <button type="submit">اعرض الفرق</button>
        </form>
      )}
      {p.diff && <DiffView diff={p.diff} />}
      <table class="revision-list">
        <thead>
          <tr>
            <th scope="col">النسخة</th>
            <th scope="col">الوقت</th>
            <th scope="col">بواسطة</th>
            <th scope="col">ملاحظة</th>
            <th scope="col">
              <span class="visually-hidden">إجراءات</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {p.revisions.map((r) => (
            <tr key={r.id}>
              <td>
                {r.number}
                {r.staged && <small class="badge"> معلّقة</small>}
              </td>
              <td>
                <Stamp r={r} zone={a.timeZone} city={a.city} />
              </td>
              <td>{r.userName ?? '—'}</td>
              <td>{r.note ?? ''}</td>
              <td>
                {r.number !== newest && (
                  <form method="post" action={`/newsroom/articles/${a.id}/restore`}>
                    <input type="hidden" name="_csrf" value={p.csrfToken ?? ''} />
                    <input type="hidden" name="number" value={String(r.number)} />
                    <button type="submit">استعادة هذه النسخة</button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
