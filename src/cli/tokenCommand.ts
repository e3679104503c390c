import { NotFoundError } from '../domain/errors.js';
import { CLI_ACTOR, withServices } from './userCommand.js';

export interface CreateTokenOptions {
  scope: 'read' | 'write';
  name?: string;
}

/** Prints the token on stdout, the only time it is ever shown; the rest goes to stderr. */
export function createToken(email: string, opts: CreateTokenOptions): Promise<number> {
  return withServices('token create', async ({ accounts }) => {
    const user = await accounts.userByEmail(email);
    if (!user) throw new NotFoundError(`no user with the email ${email}`);
    const { token, record } = await accounts.createToken(user.id, { scope: opts.scope, ...(opts.name ? { name: opts.name } : {}) }, CLI_ACTOR);
    process.stdout.write(`${token}\n`);
    process.stderr.write(`token ${record.id} for ${user.email} (scope ${record.scope}); it is not shown again — store it now\n`);
    return 0;
  });
}

export function revokeToken(id: string): Promise<number> {
  return withServices('token revoke', async ({ accounts }) => {
    if (!/^[1-9]\d{0,9}$/.test(id)) throw new NotFoundError(`no token with the id ${id}`);
    const revoked = await accounts.revokeToken(null, Number(id), CLI_ACTOR).catch((e: unknown) => {
      throw e instanceof NotFoundError ? new NotFoundError(`no token with the id ${id}`) : e;
    });
    process.stderr.write(revoked ? `revoked token ${id}\n` : `token ${id} was already revoked\n`);
    return 0;
  });
}
