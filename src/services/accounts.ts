import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { EmailSchema, ROLES, type Actor, type Role, type User } from '../domain/user.js';
import { appendAudit, auditBy, listAudit, type AuditQuery, type AuditRecord } from '../store/audit.js';
import type { Store } from '../store/db.js';
import { deleteSessionsOfUser, ensureSecret } from '../store/sessions.js';
import {
  countActiveAdmins,
  emailTaken,
  getUser,
  getUserCredentials,
  getUsersByIds,
  insertUser,
  listUsers,
  setPasswordHash,
  setUserDisabledAt,
  setUserRole,
} from '../store/users.js';
import { assertAdmin, parseInput } from './accountHelpers.js';
import { ApiTokens, type TokenInput, type TokenRecord, type TokenScope } from './apiTokens.js';
import { assertStrongPassword, hashPassword, verifyPassword } from './passwords.js';
import { Sessions, type ActiveSession, type LoginInput, type LoginResult, type SessionInfo } from './sessions.js';

export type { ActiveSession, LoginInput, LoginResult, SessionInfo, TokenInput, TokenRecord, TokenScope };

export const RoleInputSchema = z.enum(ROLES, { message: 'دور غير معروف' });

const NewUserSchema = z.object({
  email: EmailSchema,
  displayName: z.string().trim().max(100, 'الاسم طويل: 100 حرف على الأكثر').optional(),
  role: RoleInputSchema,
  password: z.string({ message: 'كلمة المرور مطلوبة' }),
});
export type NewUserInput = z.input<typeof NewUserSchema>;

export interface AccountOptions {
  /** The clock; tests pass their own instead of sleeping through throttles and expiries. */
  now?: () => Date;
}

export interface AuditEntryView extends AuditRecord {
  /** The acting user's current email, when the row names a user that still exists. */
  userEmail: string | null;
}

/** Accounts, sign-in and sessions, roles, API tokens, and reading the audit log. */
export class AccountService {
  private readonly now: () => Date;
  private readonly sessions: Sessions;
  private readonly tokens: ApiTokens;
  private secret: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    opts: AccountOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.sessions = new Sessions(store, this.now);
    this.tokens = new ApiTokens(store, this.now);
  }

  async createUser(input: NewUserInput, actor: Actor): Promise<User> {
    assertAdmin(actor);
    const v = parseInput(NewUserSchema, input);
    assertStrongPassword(v.password, v.email);
    const passwordHash = await hashPassword(v.password);
    const at = this.now().toISOString();
    const db = this.store.db;
    const id = await db.transaction().execute(async (trx) => {
      if (await emailTaken(trx, v.email)) throw new ValidationError('يوجد حساب بهذا البريد الإلكتروني', [{ path: 'email', message: 'مستخدم' }]);
      const displayName = v.displayName || v.email.split('@')[0]!;
      const id = await insertUser(trx, { email: v.email, displayName, role: v.role, passwordHash, at });
      await appendAudit(trx, { ...auditBy(actor), action: 'user.create', targetType: 'user', targetId: id, at, details: { email: v.email, role: v.role } });
      return id;
    });
    return (await getUser(db, id))!;
  }

  login(input: LoginInput): Promise<LoginResult> {
    return this.sessions.login(input);
  }

  sessionUser(sessionId: string): Promise<ActiveSession | null> {
    return this.sessions.resolve(sessionId);
  }

  logout(sessionId: string, ip: string | null = null): Promise<void> {
    return this.sessions.logout(sessionId, ip);
  }

  listSessions(userId: number): Promise<SessionInfo[]> {
    return this.sessions.list(userId);
  }

  /** A user ends one of their own sessions; false when it was not theirs or already gone. */
  endSession(userId: number, sessionIdHash: string, ip: string | null = null): Promise<boolean> {
    return this.sessions.end(userId, sessionIdHash, ip);
  }

  /** Ends the user's other sessions: whoever else had the old password is signed out. */
  async changePassword(userId: number, current: string, next: string, opts: { keepSessionIdHash?: string; ip?: string | null } = {}) {
    const found = await getUserCredentials(this.store.db, { id: userId });
    if (!found) throw new NotFoundError('المستخدم غير موجود');
    if (!(await verifyPassword(found.passwordHash, current))) {
      throw new ValidationError('كلمة المرور الحالية غير صحيحة', [{ path: 'current', message: 'غير صحيحة' }]);
    }
    if (next === current) throw new ValidationError('كلمة المرور الجديدة هي الحالية نفسها', [{ path: 'password', message: 'مطابقة' }]);
    assertStrongPassword(next, found.user.email);
    const passwordHash = await hashPassword(next);
    const at = this.now().toISOString();
    await this.store.db.transaction().execute(async (trx) => {
      await setPasswordHash(trx, userId, passwordHash, at);
      const ended = await deleteSessionsOfUser(trx, userId, opts.keepSessionIdHash);
      await appendAudit(trx, {
        userId,
        actor: found.user.email,
        ip: opts.ip ?? null,
        action: 'user.password',
        targetType: 'user',
        targetId: userId,
        at,
        details: { endedSessions: ended },
      });
    });
  }

  /** Disabling ends every session of the user at once; their tokens stop working too (checked per use). */
  async setDisabled(actor: Actor, userId: number, disabled: boolean): Promise<User> {
    assertAdmin(actor);
    const db = this.store.db;
    const at = this.now().toISOString();
    await db.transaction().execute(async (trx) => {
      const user = await getUser(trx, userId);
      if (!user) throw new NotFoundError('المستخدم غير موجود');
      if (!!user.disabledAt === disabled) return;
      if (disabled && actor.user?.id === userId) throw new ForbiddenError('لا يمكنك تعطيل حسابك');
      if (disabled && user.role === 'admin' && (await countActiveAdmins(trx)) <= 1) throw new ForbiddenError('لا يمكن تعطيل آخر مشرف');
      await setUserDisabledAt(trx, userId, disabled ? at : null);
      const ended = disabled ? await deleteSessionsOfUser(trx, userId) : 0;
      await appendAudit(trx, {
        ...auditBy(actor),
        action: disabled ? 'user.disable' : 'user.enable',
        targetType: 'user',
        targetId: userId,
        at,
        details: { email: user.email, ...(disabled ? { endedSessions: ended } : {}) },
      });
    });
    return (await getUser(db, userId))!;
  }

  async setRole(actor: Actor, userId: number, role: Role): Promise<User> {
    assertAdmin(actor);
    const next = parseInput(RoleInputSchema, role);
    const db = this.store.db;
    const at = this.now().toISOString();
    await db.transaction().execute(async (trx) => {
      const user = await getUser(trx, userId);
      if (!user) throw new NotFoundError('المستخدم غير موجود');
      if (user.role === next) return;
      // Someone must always be able to manage accounts from the web.
      if (user.role === 'admin' && !user.disabledAt && (await countActiveAdmins(trx)) <= 1) {
        throw new ForbiddenError('لا يمكن تغيير دور آخر مشرف');
      }
      await setUserRole(trx, userId, next);
      await appendAudit(trx, { ...auditBy(actor), action: 'user.role', targetType: 'user', targetId: userId, at, details: { email: user.email, from: user.role, to: next } });
    });
    return (await getUser(db, userId))!;
  }

  listUsers(): Promise<User[]> {
    return listUsers(this.store.db);
  }

  async getUser(id: number): Promise<User | null> {
    return (await getUser(this.store.db, id)) ?? null;
  }

  async userByEmail(email: string): Promise<User | null> {
    const parsed = EmailSchema.safeParse(email);
    if (!parsed.success) return null;
    return (await getUserCredentials(this.store.db, { email: parsed.data }))?.user ?? null;
  }

  createToken(userId: number, input: TokenInput, actor?: Actor): Promise<{ token: string; record: TokenRecord }> {
    return this.tokens.create(userId, input, actor);
  }

  tokenUser(token: string): Promise<{ user: User; scope: TokenScope; tokenId: number } | null> {
    return this.tokens.resolve(token);
  }

  /** `userId` null revokes whoever's token it is (CLI, admins); otherwise only the user's own. */
  revokeToken(userId: number | null, tokenId: number, actor: Actor): Promise<boolean> {
    return this.tokens.revoke(userId, tokenId, actor);
  }

  listTokens(userId: number): Promise<TokenRecord[]> {
    return this.tokens.list(userId);
  }

  /** Newest first; each row with its user's email for display. */
  async auditLog(q: AuditQuery): Promise<AuditEntryView[]> {
    const rows = await listAudit(this.store.db, q);
    const users = await getUsersByIds(this.store.db, rows.flatMap((r) => (r.userId != null ? [r.userId] : [])));
    return rows.map((r) => ({ ...r, userEmail: (r.userId != null && users.get(r.userId)?.email) || null }));
  }

  /** The key that signs pre-session (login form) CSRF tokens; the same for every instance. */
  formSecret(): Promise<string> {
    this.secret ??= ensureSecret(this.store.db, 'form_secret', () => randomBytes(32).toString('base64url')).catch((e: unknown) => {
      this.secret = undefined; // a failed read is tried again by the next request
      throw e;
    });
    return this.secret;
  }
}
