import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createServices } from '../../src/services/index.js';
import { openStore } from '../../src/store/db.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'nashra-cli-user-'));
/** Several process starts per test; a loaded CI machine takes seconds for each. */
const SLOW = 90_000;

/** The real command from source, with `stdin` piped in: exit code, stdout, stderr. */
function nashra(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent', NASHRA_DATA_DIR: dataDir, DATABASE_URL: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Checks a password the way the site does: by signing in. */
async function canSignIn(email: string, password: string): Promise<boolean> {
  const store = openStore({ dataDir });
  try {
    const services = createServices(store, loadConfig({ NASHRA_DATA_DIR: dataDir }));
    return await services.accounts.login({ email, password, ip: null, userAgent: null }).then(
      () => true,
      () => false,
    );
  } finally {
    await store.close();
  }
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('nashra user add', () => {
  it('adds a user with the password from stdin, dropping one trailing newline', async () => {
    const r = await nashra(['user', 'add', 'Editor@Nashra.example', '--role', 'editor', '--password-stdin', '--name', 'رئيس التحرير'], 'ورد الشام في الربيع\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^created user editor@nashra\.example \(id \d+, role editor\)\n$/);
    expect(await canSignIn('editor@nashra.example', 'ورد الشام في الربيع')).toBe(true);

    const crlf = await nashra(['user', 'add', 'admin@nashra.example', '--role', 'admin', '--password-stdin'], 'حديقة الياسمين الدمشقي\r\n');
    expect(crlf.code).toBe(0);
    expect(await canSignIn('admin@nashra.example', 'حديقة الياسمين الدمشقي')).toBe(true);
  }, SLOW);

  it('fails with one line and a non-zero exit on bad input', async () => {
    const cases: [string[], string, RegExp][] = [
      [['user', 'add', 'a@nashra.example', '--role', 'editor'], 'ورد الشام في الربيع', /^nashra: user add: give the password on standard input with --password-stdin\n$/],
      [['user', 'add', 'a@nashra.example', '--role', 'editor', '--password-stdin'], '', /^nashra: user add: no password on standard input\n$/],
      [['user', 'add', 'a@nashra.example', '--role', 'editor', '--password-stdin'], 'short\n', /^nashra: user add: كلمة المرور قصيرة[^\n]*\n$/],
      [['user', 'add', 'a@nashra.example', '--role', 'editor', '--password-stdin'], 'password1234\n', /^nashra: user add: [^\n]*شيوعاً[^\n]*\n$/],
      [['user', 'add', 'EDITOR@nashra.example', '--role', 'editor', '--password-stdin'], 'أشجار الزيتون العتيقة', /^nashra: user add: يوجد حساب[^\n]*\n$/],
      [['user', 'add', 'not-an-email', '--role', 'editor', '--password-stdin'], 'أشجار الزيتون العتيقة', /^nashra: user add: بريد إلكتروني غير صالح\n$/],
    ];
    // In parallel: each is a whole process start (tsx compiling the sources), and none writes.
    const results = await Promise.all(cases.map(([args, stdin]) => nashra(args, stdin)));
    results.forEach((r, i) => {
      const [args, , stderr] = cases[i]!;
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(stderr);
      expect(r.stdout).toBe('');
    });
    const role = await nashra(['user', 'add', 'a@nashra.example', '--role', 'owner', '--password-stdin'], 'أشجار الزيتون العتيقة');
    expect(role.code).not.toBe(0);
    expect(role.stderr.split('\n')[0]).toMatch(/argument 'owner' is invalid/);
  }, SLOW);
});

describe('nashra token', () => {
  it('prints a new token on stdout only, once, and revokes it by id', async () => {
    const r = await nashra(['token', 'create', 'editor@nashra.example', '--scope', 'write', '--name', 'wire importer']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^nsh_[A-Za-z0-9_-]{43}\n$/);
    const id = /^token (\d+) for editor@nashra\.example \(scope write\)/.exec(r.stderr)?.[1];
    expect(id).toBeDefined();

    const store = openStore({ dataDir });
    const accounts = createServices(store, loadConfig({ NASHRA_DATA_DIR: dataDir })).accounts;
    try {
      expect((await accounts.tokenUser(r.stdout.trim()))?.scope).toBe('write');
      expect((await nashra(['token', 'revoke', id!])).code).toBe(0);
      expect(await accounts.tokenUser(r.stdout.trim())).toBeNull();
    } finally {
      await store.close();
    }
    expect((await nashra(['token', 'create', 'editor@nashra.example'])).stderr).toContain('(scope read)');
    const missing = await nashra(['token', 'create', 'nobody@nashra.example']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('nashra: token create: no user with the email nobody@nashra.example\n');
    expect((await nashra(['token', 'revoke', '99999'])).code).toBe(1);
  }, SLOW);
});
