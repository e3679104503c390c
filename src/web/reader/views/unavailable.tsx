import { Layout, type Site } from './layout.js';

/**
 * The 503 page while the database is out of reach. It is rendered without the database: the
 * section list is empty, and nothing on it needs a query.
 */
export function UnavailableView({ site, retryAfter }: { site: Site; retryAfter: number }) {
  return (
    <Layout site={site} title="الخدمة غير متاحة مؤقتاً">
      <h1>الخدمة غير متاحة مؤقتاً</h1>
      <p>تعذّر علينا الوصول إلى قاعدة البيانات. يعود الموقع خلال لحظات؛ أعد تحميل الصفحة بعد {retryAfter} ثوانٍ.</p>
      <p>
        <a href="/">العودة إلى الصفحة الرئيسية</a>
      </p>
    </Layout>
  );
}
