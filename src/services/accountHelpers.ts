import { createHash, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { ForbiddenError, ValidationError } from '../domain/errors.js';
import { hasRole, type Actor } from '../domain/user.js';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Compares secrets without an early exit, so timing does not reveal how much matched. */
export function sameSecret(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Like validate(), but the message is the first issue's own (Arabic) text, ready for a form. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new ValidationError(issues[0]!.message, issues);
}

/** Actors without a user that may manage accounts: whoever runs the command on the server. */
const SYSTEM_ACTORS = new Set(['cli']);

export function assertAdmin(actor: Actor): void {
  if (hasRole(actor.user, 'admin')) return;
  if (!actor.user && SYSTEM_ACTORS.has(actor.label)) return;
  throw new ForbiddenError('هذا الإجراء للمشرفين فقط');
}

/** The audit columns that say who acted. */
