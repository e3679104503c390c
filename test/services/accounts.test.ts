import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Role } from '../../src/domain/user.js';
import { InvalidCredentialsError, LoginThrottledError } from '../../src/services/accountErrors.js';
import { AccountService } from '../../src/services/accounts.js';
import type { Store } from '../../src/store/db.js';
import { storeTargets } from '../helpers/services.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const cli: Actor = { user: null, label: 'cli', ip: null };
const PASSWORD = 'ورد الشام في الربيع';

for (const target of storeTargets()) {
  describe(`accounts (${target.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let clock = Date.parse('2024-03-01T09:00:00Z');
    let accounts: AccountService;
    const tick = (ms: number) => (clock += ms);
    let n = 0;
    /** A fresh user per test, so throttles and sessions of one test never meet another's. */
    async function newUser(role: Role = 'editor', password = PASSWORD) {
      const email = `writer${++n}@nashra.example`;
      return { user: await accounts.createUser({ email, role, password, displayName: `كاتب ${n}` }, cli), email, password };
    }
    const login = (email: string, password: string, ip = '198.51.100.7') =>
      accounts.login({ email, password, ip, userAgent: 'vitest' });
    const audit = async (action: string) => accounts.auditLog({ action, limit: 500 });

    beforeAll(async () => {
      ({ store, dispose } = await target.open());
      accounts = new AccountService(store, { now: () => new Date(clock) });
    });
    afterAll(() => dispose());

    it('hashes passwords with argon2id and records who created the user', async () => {
      const { user, email } = await newUser('admin');
      const row = await store.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(row.password_hash).not.toContain(PASSWORD);
      const [entry] = (await audit('user.create')).filter((e) => e.targetId === String(user.id));
      expect(entry).toMatchObject({ actor: 'cli', details: { email, role: 'admin' } });
    });

    it('refuses short, common, repetitive and email-like passwords, bad emails, roles and duplicates', async () => {
      const create = (email: string, password: string, role = 'editor') => accounts.createUser({ email, role: role as Role, password }, cli);
      await expect(create('a1@nashra.example', 'short1')).rejects.toThrow(/قصيرة/);
      await expect(create('a1@nashra.example', 'Password123')).rejects.toThrow(/شيوعاً/);
      await expect(create('a1@nashra.example', 'qwertyuiop')).rejects.toThrow(/شيوعاً/);
      await expect(create('a1@nashra.example', 'aaaaabbbbbaaaaa')).rejects.toThrow(/مكررة/);
      await expect(create('leila.hassan@nashra.example', 'Leila.Hassan-2024')).rejects.toThrow(/البريد/);
      await expect(create('not-an-email', PASSWORD)).rejects.toThrow(/بريد إلكتروني غير صالح/);
      await expect(create('a2@nashra.example', PASSWORD, 'owner')).rejects.toThrow(/دور غير معروف/);
      const { email } = await newUser();
      await expect(create(email.toUpperCase(), PASSWORD)).rejects.toThrow(/يوجد حساب/);
    });

    it('lets only admins (or the CLI) manage accounts', async () => {
      const { user: editor } = await newUser('editor');
      const asEditor: Actor = { user: editor, label: editor.email, ip: null };
      await expect(accounts.createUser({ email: 'x9@nashra.example', role: 'admin', password: PASSWORD }, asEditor)).rejects.toThrow(/للمشرفين/);
      await expect(accounts.setRole(asEditor, editor.id, 'admin')).rejects.toThrow(/للمشرفين/);
      await expect(accounts.setDisabled({ user: null, label: 'api', ip: null }, editor.id, true)).rejects.toThrow(/للمشرفين/);
    });

    it('signs in with a new random session each time, stored only as a hash, and rotates away the old one', async () => {
      const { user, email, password } = await newUser();
      const a = await login(email, password);
      expect(a.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const rows = await store.db.selectFrom('sessions').selectAll().where('user_id', '=', user.id).execute();
      expect(rows.map((r) => r.id_hash)).toEqual([sha256(a.sessionId)]);
      expect(JSON.stringify(rows)).not.toContain(a.sessionId);
      expect((await accounts.sessionUser(a.sessionId))?.user.id).toBe(user.id);

      const b = await accounts.login({ email, password, ip: null, userAgent: null, replacesSessionId: a.sessionId });
      expect(b.sessionId).not.toBe(a.sessionId);
      expect(b.csrfToken).not.toBe(a.csrfToken);
      expect(await accounts.sessionUser(a.sessionId)).toBeNull();
      expect((await accounts.sessionUser(b.sessionId))?.session.csrfToken).toBe(b.csrfToken);
      expect(await accounts.sessionUser('nonsense')).toBeNull();
    });

    it('refuses wrong passwords, unknown emails and disabled users alike, and audits without secrets', async () => {
      const { user, email, password } = await newUser();
      await expect(login(email, 'كلمة خاطئة تماماً', '203.0.113.1')).rejects.toBeInstanceOf(InvalidCredentialsError);
      await expect(login('nobody@nashra.example', password, '203.0.113.1')).rejects.toBeInstanceOf(InvalidCredentialsError);
      await accounts.setDisabled(cli, user.id, true);
      await expect(login(email, password, '203.0.113.1')).rejects.toBeInstanceOf(InvalidCredentialsError);
      const failed = (await audit('login.failed')).filter((e) => e.ip === '203.0.113.1');
      expect(failed.map((e) => e.details?.reason).sort()).toEqual(['disabled', 'password', 'unknown']);
      expect(failed.find((e) => e.details?.reason === 'password')).toMatchObject({ userId: user.id, actor: email });
      const all = JSON.stringify(await accounts.auditLog({ limit: 1000 }));
      expect(all).not.toContain(password);
      expect(all).not.toContain('كلمة خاطئة');
    });

    it('blocks an account after 5 failures, for growing times, whatever the password, then lets it in', async () => {
      const { email, password } = await newUser();
      for (let i = 0; i < 5; i++) await expect(login(email, `wrong-${i}-password`, `192.0.2.${i}`)).rejects.toBeInstanceOf(InvalidCredentialsError);
      const sixth = await login(email, 'wrong-6-password', '192.0.2.99').catch((e: unknown) => e);
      expect(sixth).toBeInstanceOf(LoginThrottledError);
      expect((sixth as LoginThrottledError).retryAfterSeconds).toBe(15);
      await expect(login(email, password, '192.0.2.99')).rejects.toBeInstanceOf(LoginThrottledError);
      tick(10_000);
      expect(((await login(email, password).catch((e: unknown) => e)) as LoginThrottledError).retryAfterSeconds).toBe(5);
      tick(5_000);
      await expect(login(email, 'wrong-7-password')).rejects.toBeInstanceOf(InvalidCredentialsError);
      expect(((await login(email, password).catch((e: unknown) => e)) as LoginThrottledError).retryAfterSeconds).toBe(30);
      tick(30_000);
      await expect(login(email, 'wrong-8-password')).rejects.toBeInstanceOf(InvalidCredentialsError);
      expect(((await login(email, password).catch((e: unknown) => e)) as LoginThrottledError).retryAfterSeconds).toBe(60);
      tick(60_000);
      expect((await login(email, password)).user.email).toBe(email);
      // A success clears the account's count: the next mistake is not blocked.
      await expect(login(email, 'wrong-9-password')).rejects.toBeInstanceOf(InvalidCredentialsError);
      await expect(login(email, password)).resolves.toBeTruthy();
      const blocked = (await audit('login.blocked')).filter((e) => e.details?.key === `account:${email}`);
      expect(blocked.map((e) => e.details?.seconds)).toEqual([60, 30, 15]);
      tick(60 * 60_000);
    });

    it('blocks an IP after 20 failures across accounts, but not other IPs', async () => {
      const ip = '198.18.0.1';
      for (let i = 0; i < 20; i++) await expect(login(`ghost${i}@nashra.example`, 'wrong-password!', ip)).rejects.toBeInstanceOf(InvalidCredentialsError);
      const { email, password } = await newUser();
      await expect(login(email, password, ip)).rejects.toBeInstanceOf(LoginThrottledError);
      await expect(login(email, password, '198.18.0.2')).resolves.toBeTruthy();
      tick(15_000);
      await expect(login(email, password, ip)).resolves.toBeTruthy();
      tick(60 * 60_000);
    });

    it('does not let a parallel burst of guesses slip past the threshold', async () => {
      const { email } = await newUser();
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => login(email, `burst-guess-${i}`, `10.0.0.${i}`)));
      const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as Error).name : 'ok'));
      expect(reasons.filter((r) => r === 'InvalidCredentialsError')).toHaveLength(5);
      expect(reasons.filter((r) => r === 'LoginThrottledError')).toHaveLength(7);
      tick(60 * 60_000);
    });

    it('ends every session of a user at once when disabled, and their tokens stop working', async () => {
      const { user, email, password } = await newUser();
      const s1 = await login(email, password);
      const s2 = await login(email, password);
      const { token } = await accounts.createToken(user.id, { name: 'wire', scope: 'write' }, cli);
      expect(await accounts.listSessions(user.id)).toHaveLength(2);
      await accounts.setDisabled(cli, user.id, true);
      expect(await accounts.sessionUser(s1.sessionId)).toBeNull();
      expect(await accounts.sessionUser(s2.sessionId)).toBeNull();
      expect(await accounts.listSessions(user.id)).toHaveLength(0);
      expect(await accounts.tokenUser(token)).toBeNull();
      const [entry] = (await audit('user.disable')).filter((e) => e.targetId === String(user.id));
      expect(entry?.details).toMatchObject({ endedSessions: 2 });
      await accounts.setDisabled(cli, user.id, false);
      expect((await accounts.tokenUser(token))?.user.id).toBe(user.id);
      await expect(login(email, password)).resolves.toBeTruthy();
      expect((await audit('user.enable')).some((e) => e.targetId === String(user.id))).toBe(true);
    });

    it('expires sessions after 14 days without use, sliding with use noted at most once a minute', async () => {
      const { email, password } = await newUser();
      const { sessionId } = await login(email, password);
      tick(30_000);
      expect((await accounts.sessionUser(sessionId))?.refreshed).toBe(false);
      tick(31_000);
      expect((await accounts.sessionUser(sessionId))?.refreshed).toBe(true);
      tick(10 * 86_400_000);
      const later = await accounts.sessionUser(sessionId);
      expect(Date.parse(later!.session.expiresAt)).toBe(clock + 14 * 86_400_000);
      tick(14 * 86_400_000 + 1);
      expect(await accounts.sessionUser(sessionId)).toBeNull();
      const left = await store.db.selectFrom('sessions').select('id_hash').where('id_hash', '=', sha256(sessionId)).execute();
      expect(left).toHaveLength(0);
    });

    it('changing the password ends the other sessions; users end only their own sessions', async () => {
      const { user, email, password } = await newUser();
      const keep = await login(email, password);
      const other = await login(email, password);
      const keepHash = sha256(keep.sessionId);
      await expect(accounts.changePassword(user.id, 'not my password', 'أشجار الزيتون العتيقة')).rejects.toThrow(/الحالية غير صحيحة/);
      await expect(accounts.changePassword(user.id, password, 'password1234')).rejects.toThrow(/شيوعاً/);
      await accounts.changePassword(user.id, password, 'أشجار الزيتون العتيقة', { keepSessionIdHash: keepHash });
      expect(await accounts.sessionUser(other.sessionId)).toBeNull();
      expect(await accounts.sessionUser(keep.sessionId)).not.toBeNull();
      await expect(login(email, password)).rejects.toBeInstanceOf(InvalidCredentialsError);
      const fresh = await login(email, 'أشجار الزيتون العتيقة');

      const { user: stranger } = await newUser();
      expect(await accounts.endSession(stranger.id, keepHash)).toBe(false);
      expect(await accounts.endSession(user.id, keepHash)).toBe(true);
      expect(await accounts.sessionUser(keep.sessionId)).toBeNull();
      expect(await accounts.sessionUser(fresh.sessionId)).not.toBeNull();
      await accounts.logout(fresh.sessionId);
      expect(await accounts.sessionUser(fresh.sessionId)).toBeNull();
      tick(60 * 60_000);
    });

    it('changes roles with an audit row, and never removes the last admin', async () => {
      const admins = (await accounts.listUsers()).filter((u) => u.role === 'admin' && !u.disabledAt);
      for (const a of admins) await accounts.setRole(cli, a.id, 'editor').catch(() => {});
      const [last] = (await accounts.listUsers()).filter((u) => u.role === 'admin' && !u.disabledAt);
      const asLast: Actor = { user: last!, label: last!.email, ip: '127.0.0.1' };
      await expect(accounts.setRole(asLast, last!.id, 'editor')).rejects.toThrow(/آخر مشرف/);
      await expect(accounts.setDisabled(asLast, last!.id, true)).rejects.toThrow(/تعطيل حسابك/);
      const { user } = await newUser('contributor');
      expect((await accounts.setRole(asLast, user.id, 'admin')).role).toBe('admin');
      const [entry] = (await audit('user.role')).filter((e) => e.targetId === String(user.id));
      expect(entry).toMatchObject({ userId: last!.id, actor: last!.email, ip: '127.0.0.1', details: { from: 'contributor', to: 'admin' } });
      expect(entry?.userEmail).toBe(last!.email);
    });

    it('issues API tokens shown once, hashed at rest, scoped, and revocable by their owner', async () => {
      const { user } = await newUser();
      const { user: other } = await newUser();
      const { token, record } = await accounts.createToken(user.id, { name: 'تطبيق الهاتف', scope: 'read' });
      expect(token).toMatch(/^nsh_[A-Za-z0-9_-]{43}$/);
      const row = await store.db.selectFrom('api_tokens').selectAll().where('id', '=', record.id).executeTakeFirstOrThrow();
      expect(row.token_hash).toBe(sha256(token));
      expect(JSON.stringify(row)).not.toContain(token.slice(4));
      expect(await accounts.tokenUser(token)).toMatchObject({ user: { id: user.id }, scope: 'read' });
      expect((await accounts.listTokens(user.id))[0]?.lastUsedAt).toBe(new Date(clock).toISOString());
      // One character off (never the character it already ends with: that would be the same token).
      expect(await accounts.tokenUser(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
      expect(await accounts.tokenUser('Bearer nonsense')).toBeNull();

      const asOther: Actor = { user: other, label: other.email, ip: null };
      await expect(accounts.revokeToken(other.id, record.id, asOther)).rejects.toThrow(/غير موجود/);
      expect(await accounts.revokeToken(user.id, record.id, { user, label: user.email, ip: null })).toBe(true);
      expect(await accounts.revokeToken(null, record.id, cli)).toBe(false);
      expect(await accounts.tokenUser(token)).toBeNull();
      expect((await audit('token.create')).some((e) => e.targetId === String(record.id))).toBe(true);
      expect((await audit('token.revoke')).filter((e) => e.targetId === String(record.id))).toHaveLength(1);

      await expect(accounts.createToken(user.id, { name: 'x', scope: 'admin' as 'read' })).rejects.toThrow(/read أو write/);
      const write = await accounts.createToken(user.id, { name: 'CMS', scope: 'write' }, cli);
      expect((await accounts.tokenUser(write.token))?.scope).toBe('write');
    });
  });
}
