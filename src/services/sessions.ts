import { randomBytes } from 'node:crypto';
import { EmailSchema, type User } from '../domain/user.js';
import { appendAudit } from '../store/audit.js';
import type { Store } from '../store/db.js';
import {
  deleteExpiredSessions,
  deleteSession,
  getSessionWithUser,
  insertSession,
  listSessionsOfUser,
  touchSession,
  type SessionRecord,
} from '../store/sessions.js';
import { getUserCredentials } from '../store/users.js';
import { sha256 } from './accountHelpers.js';
import { InvalidCredentialsError } from './accountErrors.js';
import { recordFailure, recordSuccess, reserveAttempt } from './loginThrottle.js';
import { dummyHash, verifyPassword } from './passwords.js';

/** Sliding: each use (noted at most once a minute) pushes the end this far ahead again. */
export const SESSION_TTL_MS = 14 * 24 * 60 * 60_000;
const TOUCH_INTERVAL_MS = 60_000;
/** 32 random bytes, base64url: what the cookie carries. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export interface LoginInput {
  email: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
  /** The session cookie this browser had, if any: it is ended, never carried over (session fixation). */
  replacesSessionId?: string | null | undefined;
}

export interface LoginResult {
  user: User;
  /** The cookie value; only its SHA-256 is stored. */
  sessionId: string;
  csrfToken: string;
  expiresAt: string;
}

export type SessionInfo = Omit<SessionRecord, 'csrfToken'>;

export interface ActiveSession {
  user: User;
  session: SessionRecord;
  /** The expiry moved: the cookie's Max-Age should follow. */
  refreshed: boolean;
}

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
  ) {}

  async login(input: LoginInput): Promise<LoginResult> {
    const db = this.store.db;
    const parsed = EmailSchema.safeParse(input.email);
    const email = parsed.success ? parsed.data : null;
    const reservation = await reserveAttempt(db, { account: email, ip: input.ip }, this.now());

    const found = email ? await getUserCredentials(db, { email }) : undefined;
    // An unknown email costs one hash check too, so timing does not reveal who has an account.
    const passwordOk = await verifyPassword(found?.passwordHash ?? (await dummyHash()), String(input.password ?? ''));
    const now = this.now();
    const at = now.toISOString();
    const reason = !found ? 'unknown' : !passwordOk ? 'password' : found.user.disabledAt ? 'disabled' : null;
    if (reason || !found) {
      await db.transaction().execute(async (trx) => {
        await recordFailure(trx, reservation, now);
        await appendAudit(trx, {
          action: 'login.failed',
          userId: found?.user.id ?? null,
          actor: email,
          ip: input.ip,
          targetType: found ? 'user' : null,
          targetId: found?.user.id ?? null,
          at,
          details: { reason },
        });
      });
      throw new InvalidCredentialsError();
    }

    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
    const user = found.user;
    await db.transaction().execute(async (trx) => {
      await recordSuccess(trx, reservation);
      if (input.replacesSessionId && SESSION_ID.test(input.replacesSessionId)) {
        await deleteSession(trx, sha256(input.replacesSessionId));
      }
      await deleteExpiredSessions(trx, at);
      await insertSession(trx, {
        idHash: sha256(sessionId),
        userId: user.id,
        csrfToken,
        createdAt: at,
        lastSeenAt: at,
        expiresAt,
        ip: input.ip,
        userAgent: input.userAgent?.slice(0, 300) ?? null,
      });
      await appendAudit(trx, { action: 'login', userId: user.id, actor: user.email, ip: input.ip, targetType: 'user', targetId: user.id, at });
    });
    return { user, sessionId, csrfToken, expiresAt };
  }

  /** The live session for a cookie value; null when unknown, expired, or its user is disabled. */
  async resolve(sessionId: string): Promise<ActiveSession | null> {
    if (!SESSION_ID.test(sessionId)) return null;
    const db = this.store.db;
    const idHash = sha256(sessionId);
    const found = await getSessionWithUser(db, idHash);
    if (!found) return null;
    const now = this.now();
    if (Date.parse(found.session.expiresAt) <= now.getTime()) {
      await deleteSession(db, idHash);
      return null;
    }
    if (found.user.disabledAt) return null;
    // At most once a minute: reading pages in the newsroom should not be a write per request.
    if (now.getTime() - Date.parse(found.session.lastSeenAt) < TOUCH_INTERVAL_MS) return { ...found, refreshed: false };
    const lastSeenAt = now.toISOString();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
    await touchSession(db, idHash, lastSeenAt, expiresAt);
    return { user: found.user, session: { ...found.session, lastSeenAt, expiresAt }, refreshed: true };
  }

  async logout(sessionId: string, ip: string | null): Promise<void> {
    if (!SESSION_ID.test(sessionId)) return;
    const db = this.store.db;
    const idHash = sha256(sessionId);
    await db.transaction().execute(async (trx) => {
      const found = await getSessionWithUser(trx, idHash);
      if (!found || !(await deleteSession(trx, idHash))) return;
      await appendAudit(trx, { action: 'logout', userId: found.user.id, actor: found.user.email, ip, targetType: 'user', targetId: found.user.id });
    });
  }

  async list(userId: number): Promise<SessionInfo[]> {
    const now = this.now().getTime();
    const rows = await listSessionsOfUser(this.store.db, userId);
    return rows.filter((s) => Date.parse(s.expiresAt) > now).map(({ csrfToken: _, ...s }) => s);
  }

  async end(userId: number, idHash: string, ip: string | null): Promise<boolean> {
    if (!/^[0-9a-f]{64}$/.test(idHash)) return false;
    return this.store.db.transaction().execute(async (trx) => {
      if (!(await deleteSession(trx, idHash, userId))) return false;
      const user = await getUserCredentials(trx, { id: userId });
      await appendAudit(trx, { action: 'session.end', userId, actor: user?.user.email ?? null, ip, targetType: 'user', targetId: userId });
      return true;
    });
  }
}
