import { resolve } from 'node:path';
import { z } from 'zod';
import { isValidTimeZone } from './domain/time.js';

const seconds = z.coerce.number().int().min(0).max(31_536_000);

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  NASHRA_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave it unset for the embedded SQLite)')
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  // Keys and channels start with it, so several sites (and test runs) can share one Redis.
  NASHRA_REDIS_PREFIX: z.string().min(1).max(100).regex(/^\S+$/, 'must not contain spaces').default('nashra:'),
  NASHRA_TIMEZONE: z.string().refine(isValidTimeZone, 'not an IANA time zone').default('Asia/Damascus'),
  NASHRA_CITY: z.string().min(1).default('دمشق'),
  NASHRA_SITE_NAME: z.string().min(1).default('نشرة'),
  NASHRA_BASE_URL: z.string().url().optional(),
  NASHRA_DEFAULT_SECTION: z.string().min(1).default('أخبار'),
  // Whose X-Forwarded-For to believe: the client IP drives login throttling and the audit log.
  NASHRA_TRUST_PROXY: z.string().min(1).default('loopback'),
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
  NASHRA_PURGE_TOKEN: z.string().min(1).optional(),
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
}

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
  };
}

/** Words of a list separated by Latin or Arabic commas. */
function splitWords(v: string): string[] {
  return v.split(/[,،]/).map((w) => w.trim()).filter(Boolean);
}

function parseTrustProxy(v: string): boolean | string {
  return v === 'true' || v === 'false' ? v === 'true' : v;
}
