import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { Actor, User } from '../domain/user.js';
import { appendAudit } from '../store/audit.js';
import type { Store } from '../store/db.js';
import { getToken, getTokenByHash, insertToken, listTokensOfUser, revokeTokenRow, touchToken, type TokenRecord, type TokenScope } from '../store/tokens.js';
import { getUser } from '../store/users.js';
import { parseInput, sha256 } from './accountHelpers.js';
import { auditBy } from '../store/audit.js';

export type { TokenRecord, TokenScope };

/** `nsh_` marks our tokens (secret scanners can look for it); 32 random bytes follow. */
const TOKEN = /^nsh_[A-Za-z0-9_-]{43}$/;
const TOUCH_INTERVAL_MS = 60_000;

const TokenInputSchema = z.object({
  name: z.string().trim().min(1, 'اسم الرمز مطلوب').max(100, 'اسم الرمز طويل: 100 حرف على الأكثر').default('رمز API'),
  scope: z.enum(['read', 'write'], { message: 'النطاق إما read أو write' }).default('read'),
});
export type TokenInput = z.input<typeof TokenInputSchema>;

/** API tokens: the plaintext is shown once; only its SHA-256 is kept (it is random, so no slow hash is needed). */
export class ApiTokens {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
  ) {}

  async create(userId: number, input: TokenInput, actor?: Actor): Promise<{ token: string; record: TokenRecord }> {
    const v = parseInput(TokenInputSchema, input);
    const db = this.store.db;
    const user = await getUser(db, userId);
    if (!user) throw new NotFoundError('المستخدم غير موجود');
    if (user.disabledAt) throw new ValidationError('الحساب معطّل');
    const token = `nsh_${randomBytes(32).toString('base64url')}`;
    const at = this.now().toISOString();
    const id = await db.transaction().execute(async (trx) => {
      const id = await insertToken(trx, { userId, name: v.name, tokenHash: sha256(token), scope: v.scope, at });
      await appendAudit(trx, {
        ...auditBy(actor ?? { user, label: user.email, ip: null }),
        action: 'token.create',
        targetType: 'token',
        targetId: id,
        at,
        details: { name: v.name, scope: v.scope, owner: user.email },
      });
      return id;
    });
    return { token, record: { id, userId, name: v.name, scope: v.scope, createdAt: at, lastUsedAt: null, revokedAt: null } };
  }

  /** The user a bearer token acts for; null for anything not a live token of an enabled user. */
  async resolve(token: string): Promise<{ user: User; scope: TokenScope; tokenId: number } | null> {
    if (!TOKEN.test(token)) return null;
    const found = await getTokenByHash(this.store.db, sha256(token));
    if (!found || found.token.revokedAt || found.user.disabledAt) return null;
    const now = this.now();
    // Once a minute at most: a busy API client should not turn every read into a write.
    const last = found.token.lastUsedAt ? Date.parse(found.token.lastUsedAt) : 0;
    if (now.getTime() - last >= TOUCH_INTERVAL_MS) await touchToken(this.store.db, found.token.id, now.toISOString());
    return { user: found.user, scope: found.token.scope, tokenId: found.token.id };
  }

  /** `userId` null: any owner's token (an admin, the CLI). False when it was already revoked. */
  async revoke(userId: number | null, tokenId: number, actor: Actor): Promise<boolean> {
    const db = this.store.db;
    const token = await getToken(db, tokenId);
    if (!token || (userId != null && token.userId !== userId)) throw new NotFoundError('الرمز غير موجود');
    const at = this.now().toISOString();
    return db.transaction().execute(async (trx) => {
      if (!(await revokeTokenRow(trx, tokenId, at))) return false;
      await appendAudit(trx, { ...auditBy(actor), action: 'token.revoke', targetType: 'token', targetId: tokenId, at, details: { name: token.name } });
      return true;
    });
  }

  list(userId: number): Promise<TokenRecord[]> {
    return listTokensOfUser(this.store.db, userId);
  }
}
