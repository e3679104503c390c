import { hasRole } from '../../../domain/user.js';
import { NewsroomLayout, type NewsroomContext } from './layout.js';

const ROLE_NAMES = { contributor: 'كاتب', editor: 'محرر', admin: 'مشرف' } as const;
export const roleName = (role: keyof typeof ROLE_NAMES) => ROLE_NAMES[role];

export function DashboardView({ ctx }: { ctx: NewsroomContext }) {
  const admin = hasRole(ctx.user, 'admin');
  return (
    <NewsroomLayout ctx={ctx} title="غرفة الأخبار">
      <p>
        مرحباً <bdi>{ctx.user?.displayName}</bdi>. دورك: {ctx.user && roleName(ctx.user.role)}.
      </p>
      <ul class="nr-cards">
        <li>
          <a href="/newsroom/articles">المقالات</a>
          <p>كتابة المقالات ومراجعتها وجدولتها ونشرها.</p>
        </li>
        <li>
          <a href="/newsroom/media">المكتبة</a>
          <p>الصور وتعليقاتها وحقوقها.</p>
        </li>
        <li>
          <a href="/newsroom/live">التغطيات الحية</a>
          <p>فتح تغطية حية ونشر مدخلاتها وتصحيحها وإنهاؤها.</p>
        </li>
        {admin && (
          <li>
            <a href="/newsroom/users">المستخدمون</a>
            <p>إضافة الحسابات وتغيير الأدوار وتعطيل الحسابات.</p>
          </li>
        )}
        {admin && (
          <li>
            <a href="/newsroom/audit">سجل التدقيق</a>
            <p>من فعل ماذا ومتى.</p>
          </li>
        )}
        <li>
          <a href="/newsroom/sessions">جلساتي</a>
          <p>الأجهزة التي سجّلت الدخول منها.</p>
        </li>
        <li>
          <a href="/newsroom/password">كلمة المرور</a>
          <p>تغيير كلمة المرور.</p>
        </li>
      </ul>
    </NewsroomLayout>
  );
}
