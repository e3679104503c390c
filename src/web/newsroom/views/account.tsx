import type { SessionInfo } from '../../../services/accounts.js';
import { MIN_PASSWORD_LENGTH } from '../../../services/passwords.js';
import { CsrfField, NewsroomLayout, NewsroomTime, Notice, type NewsroomContext } from './layout.js';

export function SessionsView(props: { ctx: NewsroomContext; sessions: SessionInfo[]; currentIdHash: string | null; ok?: string | null; error?: string | null }) {
  const { ctx } = props;
  return (
    <NewsroomLayout ctx={ctx} title="جلساتي">
      {props.ok && <Notice kind="ok">{props.ok}</Notice>}
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <p>الأجهزة والمتصفحات التي سجّلت الدخول منها. أنهِ أي جلسة لا تعرفها ثم غيّر كلمة المرور.</p>
      <table class="nr-table">
        <thead>
          <tr>
            <th>بدأت</th>
            <th>آخر نشاط</th>
            <th>العنوان</th>
            <th>المتصفح</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {props.sessions.map((s) => (
            <tr key={s.idHash}>
              <td>
                <NewsroomTime ctx={ctx} at={s.createdAt} />
              </td>
              <td>
                <NewsroomTime ctx={ctx} at={s.lastSeenAt} />
                {s.idHash === props.currentIdHash && <strong class="nr-tag"> (هذه الجلسة)</strong>}
              </td>
              <td>
                <bdi dir="ltr">{s.ip ?? '—'}</bdi>
              </td>
              <td>
                <bdi dir="ltr">{s.userAgent ?? '—'}</bdi>
              </td>
              <td>
                <form method="post" action={`/newsroom/sessions/${s.idHash}/end`}>
                  <CsrfField ctx={ctx} />
                  <button type="submit">إنهاء</button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </NewsroomLayout>
  );
}

export function PasswordView(props: { ctx: NewsroomContext; ok?: string | null; error?: string | null }) {
  return (
    <NewsroomLayout ctx={props.ctx} title="تغيير كلمة المرور">
      {props.ok && <Notice kind="ok">{props.ok}</Notice>}
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <form method="post" action="/newsroom/password" class="nr-form nr-narrow">
        <CsrfField ctx={props.ctx} />
        <label for="current">كلمة المرور الحالية</label>
        <input id="current" name="current" type="password" dir="ltr" autocomplete="current-password" required />
        <label for="password">كلمة المرور الجديدة</label>
        <input id="password" name="password" type="password" dir="ltr" autocomplete="new-password" required minLength={MIN_PASSWORD_LENGTH} />
        <label for="confirm">أعد كتابة كلمة المرور الجديدة</label>
        <input id="confirm" name="confirm" type="password" dir="ltr" autocomplete="new-password" required minLength={MIN_PASSWORD_LENGTH} />
        <p class="nr-hint">{MIN_PASSWORD_LENGTH} أحرف على الأقل؛ تصلح عبارة من عدة كلمات. ستُنهى جلساتك على الأجهزة الأخرى.</p>
        <button type="submit">تغيير كلمة المرور</button>
      </form>
    </NewsroomLayout>
  );
}
