import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';
import { ValidationError } from '../domain/errors.js';
import { COMMON_PASSWORDS } from './commonPasswords.js';

// `Algorithm` is an ambient const enum: under isolatedModules it cannot be read at run time
// (the package's runtime object is even empty), so the value is spelled out.
const ARGON2ID = 2 as Algorithm;

/** OWASP's first argon2id setting: 19 MiB, 2 passes, 1 lane (about 30 ms per hash here). */
const HASH_OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 10;
/** Long enough for any passphrase; a cap keeps one request from being a lot of work. */
export const MAX_PASSWORD_LENGTH = 256;

/** The reason a password is refused, in Arabic for the form; null when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `كلمة المرور قصيرة: ${MIN_PASSWORD_LENGTH} أحرف على الأقل`;
  if (length > MAX_PASSWORD_LENGTH) return `كلمة المرور طويلة: ${MAX_PASSWORD_LENGTH} حرفاً على الأكثر`;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return 'كلمة المرور هذه من أكثر كلمات المرور شيوعاً؛ اختر غيرها';
  if (new Set(lower).size < 4) return 'كلمة المرور مكررة الأحرف؛ اختر كلمة أصعب تخميناً';
  const local = email?.split('@')[0]?.toLowerCase() ?? '';
  // Very short local parts (`a@…`) would refuse half the dictionary for nothing.
  if (email && (lower === email.toLowerCase() || (local.length >= 3 && lower.includes(local)))) {
    return 'يجب ألا تحتوي كلمة المرور على البريد الإلكتروني أو اسم المستخدم';
  }
  return null;
}

export function assertStrongPassword(password: string, email?: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw new ValidationError(problem, [{ path: 'password', message: problem }]);
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, HASH_OPTIONS);
}

/** A stored hash that is not argon2 (or is damaged) verifies as false, never throws. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/**
 * Verifying against this when the email is unknown makes a wrong email cost what a wrong
 * password costs, so response times do not tell which emails have accounts.
 */
export function dummyHash(): Promise<string> {
  return (dummy ??= hash(randomBytes(24).toString('base64url'), HASH_OPTIONS));
}
