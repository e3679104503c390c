import type { Kysely, Selectable } from 'kysely';
import type { Role, User } from '../domain/user.js';
import type { Database, UserTable } from './schema.js';

type Db = Kysely<Database>;

export function toUser(r: Pick<Selectable<UserTable>, 'id' | 'email' | 'display_name' | 'role' | 'disabled_at' | 'created_at'>): User {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    role: r.role as Role,
    disabledAt: r.disabled_at,
    createdAt: r.created_at,
  };
}

export interface NewUserRow {
  email: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  at: string;
}

export async function insertUser(db: Db, u: NewUserRow): Promise<number> {
  const { id } = await db
    .insertInto('users')
    .values({
      email: u.email,
      display_name: u.displayName,
      role: u.role,
      password_hash: u.passwordHash,
      disabled_at: null,
      created_at: u.at,
      password_changed_at: u.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** With the password hash: only the account service asks for it, to verify a password. */
export async function getUserCredentials(db: Db, by: { email: string } | { id: number }) {
  const q = db.selectFrom('users').selectAll();
  const row = await ('email' in by ? q.where('email', '=', by.email) : q.where('id', '=', by.id)).executeTakeFirst();
  return row ? { user: toUser(row), passwordHash: row.password_hash } : undefined;
}

export async function getUser(db: Db, id: number): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

export async function emailTaken(db: Db, email: string): Promise<boolean> {
  return !!(await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst());
}

export async function listUsers(db: Db): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('email').execute();
  return rows.map(toUser);
}

export async function getUsersByIds(db: Db, ids: number[]): Promise<Map<number, User>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('users').selectAll().where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, toUser(r)]));
}

export async function countActiveAdmins(db: Db): Promise<number> {
  const { n } = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(n);
}

export async function setUserRole(db: Db, id: number, role: Role): Promise<void> {
  await db.updateTable('users').set({ role }).where('id', '=', id).execute();
}

export async function setUserDisabledAt(db: Db, id: number, at: string | null): Promise<void> {
  await db.updateTable('users').set({ disabled_at: at }).where('id', '=', id).execute();
}

export async function setPasswordHash(db: Db, id: number, passwordHash: string, at: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash, password_changed_at: at }).where('id', '=', id).execute();
}
