import type { Media } from '../../../domain/article.js';
import { pagePath } from '../../../services/redirects.js';
import type { StaticPage } from '../../../store/pages.js';
import { BodyBlock } from './article.js';
import { Layout, type Site } from './layout.js';

/** A static page (من نحن …): its title and body, in the site's chrome. */
export function StaticPageView({ site, page, media }: { site: Site; page: StaticPage; media: Map<number, Media> }) {
  const first = page.body.find((b) => b.type === 'paragraph');
  const description = first?.type === 'paragraph' ? first.spans.map((s) => s.text).join('').slice(0, 200) : null;
  return (
    <Layout site={site} title={page.title} description={description} canonical={pagePath(page.slug)}>
      <article class="story static-page">
        <h1>{page.title}</h1>
        <div class="story-body">
          {page.body.map((block, i) => (
            <BodyBlock key={i} block={block} media={media} />
          ))}
        </div>
      </article>
    </Layout>
  );
}
