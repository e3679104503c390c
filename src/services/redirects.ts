import { articlePath } from '../domain/article.js';
import type { Store } from '../store/db.js';
import { findRedirect, redirectTargetState } from '../store/redirects.js';

/**
 * Old URLs (a WordPress site's permalinks) kept alive as 301s. Paths are compared decoded and
 * without a trailing slash; on the site root only `?p=N` and `?page_id=N` count, the form
 * WordPress' shortlinks take.
 */
export function redirectKey(pathname: string, search = ''): string | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  path = path.normalize('NFC');
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '');
  if (path === '/' || path === '') {
    const m = /^\?(?:.*&)?(p|page_id)=(\d{1,10})(?:&|$)/.exec(search);
    return m ? `/?${m[1]}=${m[2]}` : null;
  }
  return path;
}

export interface RedirectHit {
  location: string;
  /** Surrogate key of what it points at, so the page's purge also drops a cached redirect. */
  key: string;
}

export class RedirectService {
  constructor(private readonly store: Store) {}

  /** Where an old URL now lives; null when it is unknown or its target is not public. */
  async resolve(pathname: string, search = ''): Promise<RedirectHit | null> {
    const key = redirectKey(pathname, search);
    // PostgreSQL refuses a NUL in text; no stored path has control characters or lone surrogates.
    if (!key || key.length > 2000 || /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(key)) return null;
    const target = await findRedirect(this.store.db, key);
    if (!target) return null;
    const t = await redirectTargetState(this.store.db, target);
    if (t?.status !== 'published') return null;
    return target.target_type === 'article'
      ? { location: articlePath(t), key: `article-${t.id}` }
      : { location: pagePath(t.slug), key: `page-${t.id}` };
  }
}

export const pagePath = (slug: string) => `/page/${encodeURIComponent(slug)}`;

/** How an old path is stored: decoded (as given), NFC, no trailing slash; `/?p=N` as is. */
export function storedRedirectPath(decoded: string): string {
  if (decoded.startsWith('/?')) return decoded;
  const p = decoded.normalize('NFC').replace(/\/+$/, '');
  return p || '/';
}
