import type { ArticleSummary } from '../../../domain/article.js';
import type { SectionGroup } from '../../../services/reader.js';
import { Cards } from './components.js';
import { Layout, sectionPath, type Site } from './layout.js';
import { webSiteJsonLd } from '../structuredData/jsonLd.js';

export function HomeView({ site, latest, groups }: { site: Site; latest: ArticleSummary[]; groups: SectionGroup[] }) {
  return (
    <Layout
      site={site}
      title={site.name}
      description={`${site.name}: آخر الأخبار`}
      canonical="/"
      head={<script type="application/ld+json" dangerouslySetInnerHTML={{ __html: webSiteJsonLd(site) }}></script>}
    >
      <h1 class="section-title">آخر الأخبار</h1>
      {latest.length ? <Cards items={latest} images eagerFirst /> : <p>لا توجد أخبار منشورة بعد.</p>}
      {groups.map((g) => (
        <section key={g.section.id} aria-labelledby={`s-${g.section.id}`}>
          <h2 id={`s-${g.section.id}`} class="section-title">
            <a href={sectionPath(g.section.slug)}>{g.section.name}</a>
          </h2>
          <Cards items={g.articles} images="first" />
        </section>
      ))}
    </Layout>
  );
}
