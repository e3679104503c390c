import type { User } from '../../../domain/user.js';
import type { AuditEntryView } from '../../../services/accounts.js';
import { NewsroomLayout, NewsroomTime, Notice, type NewsroomContext } from './layout.js';

export interface AuditFilter {
  action: string;
  user: string;
  from: string;
  to: string;
}

/** Actions recorded so far; others (articles, media) show up as they are written. */
const KNOWN_ACTIONS = ['login', 'login.failed', 'login.blocked', 'logout', 'session.end', 'user.create', 'user.role', 'user.disable', 'user.enable', 'user.password', 'token.create', 'token.revoke'];

export function AuditView(props: {
  ctx: NewsroomContext;
  entries: AuditEntryView[];
  users: User[];
  filter: AuditFilter;
  page: number;
  hasNext: boolean;
  error?: string | null;
}) {
  const { ctx, filter } = props;
  const link = (page: number) => {
    const q = new URLSearchParams(Object.entries({ ...filter, page: String(page) }).filter(([, v]) => v && v !== '1'));
    return `/newsroom/audit${q.size ? `?${q}` : ''}`;
  };
  return (
    <NewsroomLayout ctx={ctx} title="سجل التدقيق">
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <form method="get" action="/newsroom/audit" class="nr-form nr-filters">
        <label>
          الإجراء
          <input name="action" list="audit-actions" dir="ltr" value={filter.action} />
        </label>
        <datalist id="audit-actions">
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <label>
          المستخدم
          <select name="user">
            <option value="">الجميع</option>
            {props.users.map((u) => (
              <option key={u.id} value={String(u.id)} selected={String(u.id) === filter.user}>
                {u.email}
              </option>
            ))}
          </select>
        </label>
        <label>
          من
          <input name="from" type="date" value={filter.from} />
        </label>
        <label>
          إلى
          <input name="to" type="date" value={filter.to} />
        </label>
        <button type="submit">تصفية</button>
      </form>
      <p class="nr-hint">التواريخ بتوقيت {ctx.city}.</p>
      <table class="nr-table">
        <thead>
          <tr>
            <th>الوقت</th>
            <th>المنفّذ</th>
            <th>الإجراء</th>
            <th>الهدف</th>
            <th>العنوان</th>
            <th>التفاصيل</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((e) => (
            <tr key={e.id}>
              <td>
                <NewsroomTime ctx={ctx} at={e.at} />
              </td>
              <td>
                <bdi dir="ltr">{e.userEmail ?? e.actor ?? '—'}</bdi>
              </td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                <bdi dir="ltr">{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : '—'}</bdi>
              </td>
              <td>
                <bdi dir="ltr">{e.ip ?? '—'}</bdi>
              </td>
              <td>
                <code dir="ltr">{e.details ? JSON.stringify(e.details) : ''}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!props.entries.length && <p>لا توجد سجلات مطابقة.</p>}
      <nav class="nr-pager" aria-label="الصفحات">
        {props.page > 1 && <a href={link(props.page - 1)}>الأحدث</a>}
        {props.hasNext && <a href={link(props.page + 1)}>الأقدم</a>}
      </nav>
    </NewsroomLayout>
  );
}
