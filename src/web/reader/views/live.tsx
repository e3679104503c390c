import { Layout, type Site } from './layout.js';

/** A placeholder until live coverage lands; the nav links here from every page. */
export function LiveView({ site }: { site: Site }) {
  return (
    <Layout site={site} title="التغطية الحية" canonical="/live">
      <h1>التغطية الحية</h1>
      <p>لا توجد تغطية حية الآن</p>
      <p>
        <a href="/">العودة إلى الصفحة الرئيسية</a>
      </p>
    </Layout>
  );
}
