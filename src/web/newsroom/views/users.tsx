import { ROLES, type User } from '../../../domain/user.js';
import { MIN_PASSWORD_LENGTH } from '../../../services/passwords.js';
import { roleName } from './dashboard.js';
import { CsrfField, NewsroomLayout, NewsroomTime, Notice, type NewsroomContext } from './layout.js';

export interface NewUserForm {
  email: string;
  displayName: string;
  role: string;
}

function RoleSelect({ name, value, id }: { name: string; value: string; id?: string }) {
  return (
    <select name={name} id={id}>
      {ROLES.map((r) => (
        <option key={r} value={r} selected={r === value}>
          {roleName(r)}
        </option>
      ))}
    </select>
  );
}

export function UsersView(props: { ctx: NewsroomContext; users: User[]; form?: NewUserForm; ok?: string | null; error?: string | null }) {
  const { ctx } = props;
  const form = props.form ?? { email: '', displayName: '', role: 'contributor' };
  return (
    <NewsroomLayout ctx={ctx} title="المستخدمون">
      {props.ok && <Notice kind="ok">{props.ok}</Notice>}
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <table class="nr-table">
        <thead>
          <tr>
            <th>الاسم</th>
            <th>البريد الإلكتروني</th>
            <th>الدور</th>
            <th>الحالة</th>
            <th>أُنشئ</th>
          </tr>
        </thead>
        <tbody>
          {props.users.map((u) => (
            <tr key={u.id} class={u.disabledAt ? 'nr-muted' : undefined}>
              <td>
                <bdi>{u.displayName}</bdi>
              </td>
              <td>
                <bdi dir="ltr">{u.email}</bdi>
              </td>
              <td>
                <form method="post" action={`/newsroom/users/${u.id}/role`} class="nr-inline">
                  <CsrfField ctx={ctx} />
                  <RoleSelect name="role" value={u.role} />
                  <button type="submit">تغيير</button>
                </form>
              </td>
              <td>
                <form method="post" action={`/newsroom/users/${u.id}/${u.disabledAt ? 'enable' : 'disable'}`} class="nr-inline">
                  <CsrfField ctx={ctx} />
                  {u.disabledAt ? 'معطّل ' : 'فعّال '}
                  <button type="submit">{u.disabledAt ? 'تفعيل' : 'تعطيل'}</button>
                </form>
              </td>
              <td>
                <NewsroomTime ctx={ctx} at={u.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>إضافة مستخدم</h2>
      <form method="post" action="/newsroom/users" class="nr-form nr-narrow">
        <CsrfField ctx={ctx} />
        <label for="new-email">البريد الإلكتروني</label>
        <input id="new-email" name="email" type="email" dir="ltr" required value={form.email} autocomplete="off" />
        <label for="new-name">الاسم الظاهر</label>
        <input id="new-name" name="displayName" value={form.displayName} maxLength={100} />
        <label for="new-role">الدور</label>
        <RoleSelect name="role" value={form.role} id="new-role" />
        <label for="new-password">كلمة المرور الأولى</label>
        <input id="new-password" name="password" type="password" dir="ltr" required minLength={MIN_PASSWORD_LENGTH} autocomplete="new-password" />
        <p class="nr-hint">سلّمها لصاحب الحساب بطريقة آمنة، وليغيّرها من صفحة «كلمة المرور» بعد أول دخول.</p>
        <button type="submit">إضافة</button>
      </form>
    </NewsroomLayout>
  );
}
