import { z } from 'zod';

export const ROLES = ['contributor', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  disabledAt: string | null;
  createdAt: string;
}

/** Who is acting, for role checks and the audit log. */
export interface Actor {
  user: User | null;
  /** `cli`, `scheduler`, `api`, or the session's user email. */
  label: string;
  ip: string | null;
}

const RANK: Record<Role, number> = { contributor: 1, editor: 2, admin: 3 };

/** Roles are nested: an editor may do all a contributor may, an admin all an editor may. */
export function hasRole(user: Pick<User, 'role'> | null | undefined, needed: Role): boolean {
  return !!user && RANK[user.role] >= RANK[needed];
}

export const EmailSchema = z.string().trim().toLowerCase().pipe(z.email({ message: 'بريد إلكتروني غير صالح' }));
export const RoleSchema = z.enum(ROLES);
