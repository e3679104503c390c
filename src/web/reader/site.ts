import type { Services } from '../../services/index.js';
import type { Site } from './views/layout.js';

/** What every reader page's header and footer show: one source so no page misses the section menu or the static pages' footer links. */
export async function siteOf(services: Services): Promise<Site> {
  const { siteName, baseUrl } = services.config;
  const [sections, pages] = await Promise.all([services.reader.sections(), services.pages.published()]);
  return { name: siteName, baseUrl, sections, pages };
}
