import type { OutgoingHttpHeaders } from 'node:http';
import type {} from '@fastify/helmet'; // reply.helmet()
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/**
 * @fastify/helmet, used globally, builds helmet's middleware anew on every request (re-parsing
 * the CSP each time): about a quarter of a cached page's CPU. Our policy is the same for every
 * request (no nonces), so this hook takes the headers once from `reply.helmet()` and copies them
 * onto every reply. The policy itself stays written in one place, app.ts.
 */
export function fixedSecurityHeaders() {
  let headers: OutgoingHttpHeaders | undefined;
  return function securityHeaders(_req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    if (!headers) {
      // Replies made by the router's own error path are not decorated; the next one will be.
      if (typeof reply.helmet !== 'function') return done();
      const before = new Set(reply.raw.getHeaderNames());
      reply.helmet();
      headers = Object.fromEntries(Object.entries(reply.raw.getHeaders()).filter(([name]) => !before.has(name)));
    } else {
      reply.headers(headers);
    }
    done();
  };
}

/**
 * The site policy with sources added to some directives, for the one kind of page that needs a
 * third party (a live coverage's video stream). A directive the policy lacks starts from
 * `'self'`, as `default-src` would have given it. Everything else stays as app.ts wrote it.
 */
export function extendCsp(policy: string, extra: Record<string, readonly string[]>): string {
  const directives = policy
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean);
  for (const [name, sources] of Object.entries(extra)) {
    if (sources.length === 0) continue;
    const i = directives.findIndex((d) => d === name || d.startsWith(`${name} `));
    if (i < 0) directives.push([name, "'self'", ...sources].join(' '));
    else directives[i] = [directives[i], ...sources.filter((s) => !directives[i]!.split(' ').includes(s))].join(' ');
  }
  return directives.join(';');
}
