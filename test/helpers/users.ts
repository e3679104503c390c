import type { Actor, Role, User } from '../../src/domain/user.js';
import type { Store } from '../../src/store/db.js';

let seq = 0;

/**
 * A user row written straight to the table, for tests of services that only need someone to
 * act as. The password hash is a placeholder no login can match; tests of logging in go
 * through the account service instead.
 */
export async function insertTestUser(store: Store, role: Role, name = `${role} ${++seq}`): Promise<User> {
  const at = new Date().toISOString();
  const email = `${role}-${process.pid}-${++seq}@test.nashra.invalid`;
  const { id } = await store.db
    .insertInto('users')
    .values({
      email,
      display_name: name,
      role,
      password_hash: 'test-only:not-a-hash',
      disabled_at: null,
      created_at: at,
      password_changed_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, email, displayName: name, role, disabledAt: null, createdAt: at };
}

/** The actor a signed-in session of `user` would make. */
export function actorFor(user: User): Actor {
  return { user, label: user.email, ip: '127.0.0.1' };
}
