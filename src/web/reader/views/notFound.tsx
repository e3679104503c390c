import { Layout, sectionPath, type Site } from './layout.js';

export function NotFoundView({ site }: { site: Site }) {
  return (
    <Layout site={site} title="الصفحة غير موجودة">
      <h1>الصفحة غير موجودة</h1>
      <p>لم نعثر على ما تبحث عنه. ربما نُقلت الصفحة أو حُذفت، أو أن الرابط غير صحيح.</p>
      <p>
        <a href="/">العودة إلى الصفحة الرئيسية</a>
      </p>
      {site.sections.length > 0 && (
        <>
          <h2>الأقسام</h2>
          <ul>
            {site.sections.map((s) => (
              <li key={s.id}>
                <a href={sectionPath(s.slug)}>{s.name}</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </Layout>
  );
}
