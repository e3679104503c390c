import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { isValidTimeZone } from './domain/time.js';

const seconds = z.coerce.number().int().min(0).max(31_536_000);
// Free text that ends up in pages, feeds and headers: a control character (a newline) there is a mistake.
const text = z.string().min(1).max(500).regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
const host = z.string().regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/, 'must be a host name or an IP address');
// Sent in an HTTP header: visible ASCII only, long enough not to be guessed.
const token = z.string().regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters without spaces');
const urlParses = (v: string) => URL.canParse(v);
const TRUST_WORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: host.default('127.0.0.1'),
  NASHRA_DATA_DIR: text.default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave it unset for the embedded SQLite)')
    .refine(urlParses, 'not a valid URL')
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').refine(urlParses, 'not a valid URL').optional(),
  // Keys and channels start with it, so several sites (and test runs) can share one Redis.
  NASHRA_REDIS_PREFIX: z.string().min(1).max(100).regex(/^\S+$/, 'must not contain spaces').default('nashra:'),
  NASHRA_TIMEZONE: z.string().refine(isValidTimeZone, 'not an IANA time zone').default('Asia/Damascus'),
  NASHRA_CITY: text.default('دمشق'),
  NASHRA_SITE_NAME: text.default('نشرة'),
  NASHRA_BASE_URL: z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
  NASHRA_DEFAULT_SECTION: text.default('أخبار'),
  // Whose X-Forwarded-For to believe: the client IP drives login throttling and the audit log.
  NASHRA_TRUST_PROXY: z
    .string()
    .refine(isTrustProxy, 'must be true, false, or comma-separated IP addresses, CIDR ranges, loopback, linklocal or uniquelocal')
    .default('loopback'),
  // Proper nouns the search stemmer keeps whole, beyond its built-in list: comma-separated words.
  NASHRA_STEM_EXCLUSIONS: z
    .string()
    .refine((v) => splitWords(v).every((w) => /^[^\s.;:!?"'()]{2,40}$/u.test(w)) && splitWords(v).length <= 1000, 'must be comma-separated single words (at most 1000)')
    .optional(),
  // Feeds carry each article whole (`full`) or its summary only (`summary`).
  NASHRA_FEED_CONTENT: z.enum(['full', 'summary']).default('full'),
  // Reader pages' Cache-Control, in seconds: browsers, shared caches (a CDN), and how long a
  // cache may serve a stale copy while it revalidates or while the origin fails.
  NASHRA_CACHE_MAX_AGE: seconds.default(60),
  NASHRA_CACHE_S_MAXAGE: seconds.default(300),
  NASHRA_CACHE_STALE_WHILE_REVALIDATE: seconds.default(60),
  NASHRA_CACHE_STALE_IF_ERROR: seconds.default(86400),
  // The CDN's purge API: POSTed the surrogate keys of what changed, after the commit.
  NASHRA_PURGE_URL: z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
  // Sent as `Authorization: Bearer …` with each purge call.
  NASHRA_PURGE_TOKEN: token.optional(),
  // `/metrics` (docs/operations.md): `token` answers only `Authorization: Bearer NASHRA_METRICS_TOKEN`
  // (no token set: not served at all), `open` answers anyone, `off` no one.
  NASHRA_METRICS: z.enum(['off', 'token', 'open']).default('token'),
  NASHRA_METRICS_TOKEN: token.min(16, 'must be at least 16 characters').optional(),
  // Serves `/metrics` on its own listener (NASHRA_METRICS_HOST, loopback by default) instead of the site's port.
  NASHRA_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  NASHRA_METRICS_HOST: host.default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  mediaDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisPrefix: string;
  timeZone: string;
  city: string;
  siteName: string;
  baseUrl: string;
  defaultSection: string;
  /** `loopback`, `false`, `true`, or comma-separated addresses/CIDRs (proxy-addr syntax). */
  trustProxy: boolean | string;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  feedContent: 'full' | 'summary';
  /** Reader pages' Cache-Control parts, in seconds. */
  cache: { maxAge: number; sMaxAge: number; staleWhileRevalidate: number; staleIfError: number };
  /** Where purges go (none: no CDN to tell), and the bearer token sent with them. */
  purgeUrl: string | undefined;
  purgeToken: string | undefined;
  /** Extra proper nouns for the search analyzer; changing them calls for `nashra search reindex`. */
  stemExclusions: string[];
  /** Who may read `/metrics`, and where it is served (its own port, or the site's when none). */
  metrics: { mode: 'off' | 'token' | 'open'; token: string | undefined; port: number | undefined; host: string };
}

/** Every setting's name, for the documentation table and the test that gives each a bad value. */
export const SETTING_NAMES = Object.keys(schema.shape) as (keyof typeof schema.shape)[];

export class ConfigError extends Error {}

/** Every setting validated at start; a bad one is named in a single line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "unset", as shells and .env files commonly write it.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid setting ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  // Settings that are wrong only together: named as the one to fix.
  if (cleaned.NASHRA_METRICS === 'token' && !e.NASHRA_METRICS_TOKEN) {
    throw new ConfigError('invalid setting NASHRA_METRICS_TOKEN: required when NASHRA_METRICS=token');
  }
  if (e.NASHRA_METRICS_PORT !== undefined && e.NASHRA_METRICS_PORT === e.PORT) {
    throw new ConfigError('invalid setting NASHRA_METRICS_PORT: must differ from PORT');
  }
  const dataDir = resolve(e.NASHRA_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    mediaDir: resolve(dataDir, 'media'),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.NASHRA_REDIS_PREFIX,
    timeZone: e.NASHRA_TIMEZONE,
    city: e.NASHRA_CITY,
    siteName: e.NASHRA_SITE_NAME,
    baseUrl: (e.NASHRA_BASE_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
    defaultSection: e.NASHRA_DEFAULT_SECTION,
    trustProxy: parseTrustProxy(e.NASHRA_TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    feedContent: e.NASHRA_FEED_CONTENT,
    cache: {
      maxAge: e.NASHRA_CACHE_MAX_AGE,
      sMaxAge: e.NASHRA_CACHE_S_MAXAGE,
      staleWhileRevalidate: e.NASHRA_CACHE_STALE_WHILE_REVALIDATE,
      staleIfError: e.NASHRA_CACHE_STALE_IF_ERROR,
    },
    purgeUrl: e.NASHRA_PURGE_URL,
    purgeToken: e.NASHRA_PURGE_TOKEN,
    stemExclusions: e.NASHRA_STEM_EXCLUSIONS ? splitWords(e.NASHRA_STEM_EXCLUSIONS) : [],
    metrics: { mode: e.NASHRA_METRICS, token: e.NASHRA_METRICS_TOKEN, port: e.NASHRA_METRICS_PORT, host: e.NASHRA_METRICS_HOST },
  };
}

/** Words of a list separated by Latin or Arabic commas. */
function splitWords(v: string): string[] {
  return v.split(/[,،]/).map((w) => w.trim()).filter(Boolean);
}

/** What Fastify's trustProxy (proxy-addr) accepts as a string; anything else would fail at start. */
function isTrustProxy(v: string): boolean {
  if (v === 'true' || v === 'false') return true;
  return v.split(',').every((part) => {
    const p = part.trim();
    if (TRUST_WORDS.has(p)) return true;
    const [address, bits, ...rest] = p.split('/');
    const family = isIP(address ?? '');
    if (!family || rest.length) return false;
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
}

function parseTrustProxy(v: string): boolean | string {
  return v === 'true' || v === 'false' ? v === 'true' : v;
}
