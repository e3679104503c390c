import type { ComponentChildren } from 'preact';
import { hasRole, type User } from '../../../domain/user.js';
import { formatNewsTime, machineTime } from '../../../domain/time.js';
import { assetUrl } from '../../reader/assets.js';

/** What every newsroom page needs besides its own content; built by `newsroomContext(req, services)`. */
export interface NewsroomContext {
  siteName: string;
  /** The signed-in user; null on the login page and for anonymous error pages. */
  user: User | null;
  /** The session's CSRF token, for every POST form (`<CsrfField ctx={ctx} />`). */
  csrfToken: string | null;
  /** The request path, to mark the current nav entry. */
  path: string;
  timeZone: string;
  city: string;
}

/** The hidden field every state-changing form carries. */
export function CsrfField({ ctx, token }: { ctx?: NewsroomContext; token?: string | null }) {
  const value = token ?? ctx?.csrfToken;
  return value ? <input type="hidden" name="_csrf" value={value} /> : null;
}

/** `2024.03.01 | 12:00 دمشق`: the newsroom's city time, as the reader site writes it. */
export function NewsroomTime({ ctx, at }: { ctx: NewsroomContext; at: string }) {
  return <time datetime={machineTime(at)}>{`${formatNewsTime(at, ctx.timeZone)} ${ctx.city}`}</time>;
}

const NAV: { href: string; label: string; admin?: boolean; editor?: boolean }[] = [
  { href: '/newsroom/articles', label: 'المقالات' },
  { href: '/newsroom/media', label: 'المكتبة' },
  { href: '/newsroom/live', label: 'البث الحي' },
  { href: '/newsroom/ingest', label: 'الوارد', editor: true },
  { href: '/newsroom/pages', label: 'الصفحات', editor: true },
  { href: '/newsroom/users', label: 'المستخدمون', admin: true },
  { href: '/newsroom/audit', label: 'سجل التدقيق', admin: true },
  { href: '/newsroom/sessions', label: 'جلساتي' },
];

export function NewsroomLayout(props: { ctx: NewsroomContext; title: string; children: ComponentChildren }) {
  const { ctx } = props;
  const current = (href: string) => ctx.path === href || ctx.path.startsWith(`${href}/`);
  return (
    <html lang="ar" dir="rtl">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{`${props.title} | غرفة الأخبار | ${ctx.siteName}`}</title>
        <link rel="stylesheet" href={assetUrl('newsroom.css')} />
        <link rel="icon" type="image/svg+xml" href={assetUrl('icon.svg')} />
      </head>
      <body class="newsroom">
        <header class="nr-header">
          <a class="nr-brand" href="/newsroom">
            غرفة الأخبار · {ctx.siteName}
          </a>
          {ctx.user && (
            <nav class="nr-nav" aria-label="غرفة الأخبار">
              <ul>
                {NAV.filter((n) => (!n.admin || hasRole(ctx.user, 'admin')) && (!n.editor || hasRole(ctx.user, 'editor'))).map((n) => (
                  <li key={n.href}>
                    <a href={n.href} aria-current={current(n.href) ? 'page' : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
                <li>
                  <form method="post" action="/newsroom/logout" class="nr-inline">
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="nr-link">
                      تسجيل الخروج
                    </button>
                  </form>
                </li>
              </ul>
              <p class="nr-who">
                <bdi>{ctx.user.displayName}</bdi> · <bdi dir="ltr">{ctx.user.email}</bdi>
              </p>
            </nav>
          )}
        </header>
        <main id="main" class="nr-main">
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** A notice above a form: `error` for what went wrong, `ok` for what was done. */
export function Notice({ kind, children }: { kind: 'error' | 'ok'; children: ComponentChildren }) {
  return (
    <p class={`nr-notice nr-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}

/** A short page saying why a request was refused (403, CSRF, …). */
export function MessageView(props: { ctx: NewsroomContext; title: string; message: string; back?: string }) {
  return (
    <NewsroomLayout ctx={props.ctx} title={props.title}>
      <Notice kind="error">{props.message}</Notice>
      <p>
        <a href={props.back ?? '/newsroom'}>العودة إلى غرفة الأخبار</a>
      </p>
    </NewsroomLayout>
  );
}
