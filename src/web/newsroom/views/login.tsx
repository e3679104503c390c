import { CsrfField, NewsroomLayout, Notice, type NewsroomContext } from './layout.js';

export function LoginView(props: { ctx: NewsroomContext; formToken: string; email?: string; next?: string; error?: string | null }) {
  return (
    <NewsroomLayout ctx={props.ctx} title="تسجيل الدخول">
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <form method="post" action="/newsroom/login" class="nr-form nr-narrow">
        <CsrfField token={props.formToken} />
        {props.next && <input type="hidden" name="next" value={props.next} />}
        <label for="email">البريد الإلكتروني</label>
        <input id="email" name="email" type="email" dir="ltr" autocomplete="username" required value={props.email ?? ''} />
        <label for="password">كلمة المرور</label>
        <input id="password" name="password" type="password" dir="ltr" autocomplete="current-password" required />
        <button type="submit">دخول</button>
      </form>
    </NewsroomLayout>
  );
}
