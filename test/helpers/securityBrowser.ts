import type { Browser, BrowserContext, Page } from 'playwright-core';

/**
 * Watching Chromium for script that should never run. `window.__xss(n)` is defined in every
 * frame before any page script (an init script forwarding to a binding, so a call made just
 * before a navigation still arrives), and dialogs are recorded and dismissed.
 *
 * The context bypasses CSP on purpose: the policy is the second line of defence, checked on its
 * own from the headers; with it in force a missing escape would go unnoticed.
 */
export interface XssHit {
  n: unknown;
  url: string;
}

export interface XssWatch {
  context: BrowserContext;
  page: Page;
  hits: XssHit[];
  dialogs: string[];
}

export async function xssWatch(browser: Browser, cookies: { name: string; value: string; url: string }[] = []): Promise<XssWatch> {
  const context = await browser.newContext({ bypassCSP: true, locale: 'ar', viewport: { width: 1200, height: 900 } });
  const hits: XssHit[] = [];
  const dialogs: string[] = [];
  await context.exposeBinding('__xssHit', ({ frame }, n: unknown) => void hits.push({ n, url: frame.url() }));
  await context.addInitScript(() => {
    const w = window as unknown as { __xss: (n: unknown) => void; __xssHit: (n: unknown) => void };
    w.__xss = (n) => void w.__xssHit(n);
  });
  if (cookies.length) await context.addCookies(cookies);
  const page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => {});
  });
  return { context, page, hits, dialogs };
}

/** Lets handlers that fire after `load` (autofocus, ontoggle, SVG animation begin) have their turn. */
export const settle = (page: Page) => page.evaluate(() => new Promise((r) => setTimeout(r, 60)));

/**
 * Markup in the document that could run script or load a document: event-handler attributes,
 * script-bearing URLs, frames, objects, <base>, meta refresh, inline <style>, and scripts that
 * are not the site's own. Empty on a page where everything typed stayed text.
 */
export function liveMarkup(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    const urlAttr = /^(href|src|action|formaction|data|xlink:href|srcdoc|poster|background)$/i;
    const scheme = /^[\s\u0000-\u001f]*(j[\s]*a[\s]*v[\s]*a[\s]*s[\s]*c[\s]*r[\s]*i[\s]*p[\s]*t|data|vbscript)\s*:/i;
    for (const el of Array.from(document.querySelectorAll('*'))) {
      const tag = el.tagName.toLowerCase();
      for (const a of Array.from(el.attributes)) {
        if (/^on/i.test(a.name)) bad.push(`<${tag} ${a.name}>`);
        else if (a.name === 'srcdoc' || (urlAttr.test(a.name) && scheme.test(a.value))) bad.push(`<${tag} ${a.name}="${a.value.slice(0, 40)}">`);
      }
      if (['iframe', 'frame', 'object', 'embed', 'base', 'style', 'applet'].includes(tag)) bad.push(`<${tag}>`);
      if (tag === 'meta' && el.getAttribute('http-equiv')) bad.push('<meta http-equiv>');
      // Structured data is data, not script, as long as it stays one JSON document (no `</script>` breakout).
      if (tag === 'script' && el.getAttribute('type') === 'application/ld+json' && !el.hasAttribute('src')) {
        try {
          JSON.parse(el.textContent ?? '');
        } catch {
          bad.push('<script type="application/ld+json"> that is not JSON');
        }
      } else if (tag === 'script' && !/^\/assets\/[\w.-]+\.js(\?v=\w+)?$/.test(el.getAttribute('src') ?? '')) bad.push(`<script src="${el.getAttribute('src') ?? ''}">`);
    }
    return bad;
  });
}

/** The page's visible text with whitespace runs made single spaces. */
export const visibleText = (page: Page) => page.evaluate(() => document.body.innerText).then(normalise);
export const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Script sources a CSP allows: script-src, else default-src. Inline or eval allowed is a failure. */
export function scriptPolicy(csp: string | undefined): { ok: boolean; why: string } {
  if (!csp) return { ok: false, why: 'no Content-Security-Policy header' };
  const directives = new Map(
    csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!.toLowerCase(), values] as const),
  );
  const script = directives.get('script-src') ?? directives.get('default-src');
  if (!script) return { ok: false, why: 'neither script-src nor default-src' };
  const unsafe = script.filter((v) => /^'unsafe-(inline|eval|hashes)'$|^\*$|^data:$|^https?:$/i.test(v));
  return unsafe.length ? { ok: false, why: `script-src allows ${unsafe.join(' ')}` } : { ok: true, why: '' };
}

/** Pages that put a payload, unescaped, into each context `Payload.live` names: the control for the detector. */
export const RAW_CONTEXTS: Record<string, (p: string) => string> = {
  html: (p) => `<body>${p}</body>`,
  'attr-dq': (p) => `<body><img src="x" alt="${p}"></body>`,
  'attr-sq': (p) => `<body><img src='x' alt='${p}'></body>`,
  'js-sq': (p) => `<body><script>var s = '${p}';</script></body>`,
  href: (p) => `<body><a id="l" href="${p}">x</a></body>`,
};

/** A throwaway origin serving whatever body was set last (no CSP, nothing escaped). */
export async function rawPageServer(): Promise<{ url: string; set(body: string): void; close(): void }> {
  const { createServer } = await import('node:http');
  let body = '';
  const server = createServer((_req, res) => res.setHeader('content-type', 'text/html; charset=utf-8').end(`<!doctype html><html><head></head>${body}</html>`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as import('node:net').AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, set: (b) => void (body = b), close: () => void server.close() };
}
