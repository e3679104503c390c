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
