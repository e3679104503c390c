import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * Every route the app registers, as Fastify's `onRoute` hook reports it. buildApp creates its
 * own Fastify instance, so a test file replaces the `fastify` module with one whose factory adds
 * the hook first:
 *
 *   vi.mock('fastify', async (orig) => (await import('../helpers/securityRoutes.js')).withRouteCollector(await orig()));
 *
 * Product code is untouched, and a route added tomorrow is seen without editing any list.
 */
export interface CollectedRoute {
  method: string;
  /** The full path pattern, prefixes included: `/api/v1/articles/:id`. */
  url: string;
  config: Record<string, unknown>;
}

const byApp = new WeakMap<object, CollectedRoute[]>();

export function withRouteCollector<M extends { default: unknown }>(mod: M): M {
  const original = (typeof mod.default === 'function' ? mod.default : (mod.default as { default: unknown }).default) as (
    ...args: unknown[]
  ) => FastifyInstance;
  const wrapped = Object.assign((...args: unknown[]) => {
    const app = original(...args);
    const routes: CollectedRoute[] = [];
    byApp.set(app, routes);
    app.addHook('onRoute', (r: RouteOptions) => {
      for (const method of [r.method].flat()) routes.push({ method, url: r.url, config: (r.config ?? {}) as Record<string, unknown> });
    });
    return app;
  }, original);
  return { ...mod, default: wrapped, fastify: wrapped };
}

/** The routes of an app built after `withRouteCollector` took effect; HEAD twins of GET routes left out. */
export function routesOf(app: FastifyInstance): CollectedRoute[] {
  const routes = byApp.get(app);
  if (!routes) throw new Error('routesOf: the app was not built through withRouteCollector (vi.mock the fastify module first)');
  const gets = new Set(routes.filter((r) => r.method === 'GET').map((r) => r.url));
  const seen = new Set<string>();
  return routes.filter((r) => {
    const key = `${r.method} ${r.url}`;
    if ((r.method === 'HEAD' && gets.has(r.url)) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const routeKey = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
export const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
