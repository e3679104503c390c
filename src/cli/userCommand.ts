import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { Actor } from '../domain/user.js';
import type { Services } from '../services/index.js';
import { openServices } from './context.js';

/** Whoever runs the command on the server: recorded as `cli` in the audit log. */
export const CLI_ACTOR: Actor = { user: null, label: 'cli', ip: null };

/** Errors the person at the terminal can fix: one line, no stack. */
export function isInputError(e: unknown): e is Error {
  return e instanceof ValidationError || e instanceof NotFoundError || e instanceof ForbiddenError;
}

/** Runs `work` on open services, closing them after; input errors become one line and exit code 1. */
export async function withServices(what: string, work: (s: Services) => Promise<number>): Promise<number> {
  const services = await openServices();
  try {
    return await work(services);
  } catch (e) {
    if (!isInputError(e)) throw e;
    process.stderr.write(`nashra: ${what}: ${e.message}\n`);
    return 1;
  } finally {
    await services.store.close();
  }
}

/** All of standard input, minus one trailing newline (what `echo` and here-strings add). */
async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export interface AddUserOptions {
  role: string;
  passwordStdin?: boolean;
  name?: string;
}

/** `nashra user add EMAIL --role ROLE --password-stdin`: the password never appears in argv (ps, shell history). */
export async function addUser(email: string, opts: AddUserOptions): Promise<number> {
  if (!opts.passwordStdin) {
    process.stderr.write('nashra: user add: give the password on standard input with --password-stdin\n');
    return 1;
  }
  const password = await readPassword();
  if (!password) {
    process.stderr.write('nashra: user add: no password on standard input\n');
    return 1;
  }
  return withServices('user add', async ({ accounts }) => {
    const user = await accounts.createUser({ email, role: opts.role as never, password, displayName: opts.name }, CLI_ACTOR);
    process.stdout.write(`created user ${user.email} (id ${user.id}, role ${user.role})\n`);
    return 0;
  });
}
