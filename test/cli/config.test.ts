import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listenProblem } from '../../src/cli/listen.js';
import { ConfigError, loadConfig, SETTING_NAMES } from '../../src/config.js';
import { runNashra } from '../helpers/serverProcess.js';

/**
 * A wrong value for every setting. A setting added without an entry here fails the first test:
 * whoever adds one decides what a bad value of it looks like, and the start refuses it.
 */
const BAD: Record<(typeof SETTING_NAMES)[number], string> = {
  PORT: '70000',
  HOST: 'not a host!',
  NASHRA_DATA_DIR: 'data\u0007dir',
  DATABASE_URL: 'mysql://db/nashra',
  REDIS_URL: 'http://cache:6379',
  NASHRA_REDIS_PREFIX: 'two words',
  NASHRA_TIMEZONE: 'Mars/Base',
  NASHRA_CITY: 'دمشق\nحلب',
  NASHRA_SITE_NAME: 'نشرة\u0000',
  NASHRA_BASE_URL: 'ftp://news.example.org',
  NASHRA_DEFAULT_SECTION: '\u001b[31m',
  NASHRA_TRUST_PROXY: '2',
  NASHRA_STEM_EXCLUSIONS: 'two words, three more words',
  NASHRA_FEED_CONTENT: 'excerpt',
  NASHRA_CACHE_MAX_AGE: '-1',
  NASHRA_CACHE_S_MAXAGE: 'five minutes',
  NASHRA_CACHE_STALE_WHILE_REVALIDATE: '1.5',
  NASHRA_CACHE_STALE_IF_ERROR: '99999999999',
  NASHRA_PURGE_URL: 'cdn.example.org/purge',
  NASHRA_PURGE_TOKEN: 'has a space',
  NASHRA_METRICS: 'public',
  NASHRA_METRICS_TOKEN: 'short',
  NASHRA_METRICS_PORT: 'http',
  NASHRA_METRICS_HOST: 'in valid',
  LOG_LEVEL: 'loud',
};

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('settings validated at start', () => {
  it('has a bad value on file for every setting', () => {
    expect(SETTING_NAMES.filter((k) => !(k in BAD)), 'settings without a bad value in BAD').toEqual([]);
    expect(Object.keys(BAD).filter((k) => !(SETTING_NAMES as string[]).includes(k)), 'BAD names settings that no longer exist').toEqual([]);
  });

  it.each(Object.entries(BAD))('refuses a bad %s in one line naming it', (name, value) => {
    const message = refusal({ [name]: value });
    expect(message).toMatch(new RegExp(`^invalid setting ${name}: \\S`));
    expect(message).not.toContain('\n');
    // The line names the setting, not its value: a URL or a token may hold a password.
    if (value.length > 3) expect(message).not.toContain(value);
  });

  it('accepts the values operators write', () => {
    for (const env of [
      { HOST: '0.0.0.0' },
      { HOST: '::' },
      { HOST: 'localhost' },
      { HOST: 'news-1.internal' },
      { NASHRA_TRUST_PROXY: 'true' },
      { NASHRA_TRUST_PROXY: 'false' },
      { NASHRA_TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 203.0.113.7' },
      { DATABASE_URL: 'postgres://nashra:s3cret@db:5432/nashra' },
      { REDIS_URL: 'rediss://cache.internal:6380/0' },
      { NASHRA_METRICS: 'open', NASHRA_METRICS_PORT: '9464' },
      { NASHRA_METRICS_TOKEN: 'a-token-of-sixteen+' },
      { NASHRA_CITY: 'بيروت', NASHRA_SITE_NAME: 'نشرة الشام' },
    ]) {
      expect(() => loadConfig(env), JSON.stringify(env)).not.toThrow();
    }
    expect(loadConfig({}).metrics).toEqual({ mode: 'token', token: undefined, port: undefined, host: '127.0.0.1' });
  });

  it('refuses settings that are wrong only together, naming the one to fix', () => {
    expect(refusal({ NASHRA_METRICS: 'token' })).toBe('invalid setting NASHRA_METRICS_TOKEN: required when NASHRA_METRICS=token');
    expect(refusal({ PORT: '8080', NASHRA_METRICS_PORT: '8080' })).toBe('invalid setting NASHRA_METRICS_PORT: must differ from PORT');
    expect(refusal({ DATABASE_URL: 'postgres://db:port/nashra' })).toBe('invalid setting DATABASE_URL: not a valid URL');
  });

  it('turns listen failures into the setting to change', () => {
    const site = { host: '127.0.0.1', port: 80, hostName: 'HOST', portName: 'PORT' };
    const fail = (code: string) => listenProblem(Object.assign(new Error(code), { code }), site)?.message;
    expect(fail('EADDRINUSE')).toBe('invalid setting PORT: 127.0.0.1:80 is already in use (another server listens there)');
    // Tests run as root here, so this one cannot be provoked for real.
    expect(fail('EACCES')).toBe('invalid setting PORT: not permitted to listen on 127.0.0.1:80 (ports below 1024 need privileges)');
    expect(fail('EADDRNOTAVAIL')).toBe('invalid setting HOST: 127.0.0.1 is not an address of this machine');
    expect(fail('ECONNRESET')).toBeUndefined();
  });
});

describe('nashra refuses to start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nashra-config-'));
  // The embedded SQLite and no Redis, whatever the test environment sets.
  const env = { NASHRA_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'silent' };
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });
  const occupy = () =>
    new Promise<number>((resolve, reject) => {
      const s = createServer();
      servers.push(s);
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
    });

  it.each([
    ['NASHRA_TIMEZONE', 'Europe/Damascus', 'invalid setting NASHRA_TIMEZONE: not an IANA time zone'],
    ['NASHRA_BASE_URL', 'news.example.org', 'invalid setting NASHRA_BASE_URL: Invalid URL'],
    ['REDIS_URL', 'redis://cache:port', 'invalid setting REDIS_URL: not a valid URL'],
    ['PORT', '-1', 'invalid setting PORT: Too small: expected number to be >=0'],
  ])('with a bad %s: exit 2 and one line', async (name, value, line) => {
    const r = await runNashra(['serve'], { ...env, [name]: value });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`nashra: ${line}\n`);
    expect(r.stdout).toBe('');
  });

  it('when PORT is taken by another server: exit 2 and one line naming PORT, before touching the database', async () => {
    const port = await occupy();
    const dir = mkdtempSync(join(tmpdir(), 'nashra-port-'));
    const r = await runNashra(['serve'], { ...env, NASHRA_DATA_DIR: dir, PORT: String(port) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`nashra: invalid setting PORT: 127.0.0.1:${port} is already in use (another server listens there)\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'nashra.db'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('when NASHRA_METRICS_PORT is taken: names that one', async () => {
    const port = await occupy();
    const r = await runNashra(['serve'], { ...env, PORT: '0', NASHRA_METRICS: 'open', NASHRA_METRICS_PORT: String(port) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`nashra: invalid setting NASHRA_METRICS_PORT: 127.0.0.1:${port} is already in use (another server listens there)\n`);
  });

  it('when HOST is not an address of this machine: names HOST', async () => {
    const r = await runNashra(['serve'], { ...env, PORT: '0', HOST: '203.0.113.9' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('nashra: invalid setting HOST: 203.0.113.9 is not an address of this machine\n');
  });
});
