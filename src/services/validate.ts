import type { z } from 'zod';
import { ValidationError } from '../domain/errors.js';

/** Parse at the boundary; zod's issues become one readable ValidationError. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0]!;
  throw new ValidationError(`${what}: ${first.path ? `${first.path}: ` : ''}${first.message}`, issues);
}
