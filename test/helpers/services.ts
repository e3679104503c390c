import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.js';
import { createServices, type Services } from '../../src/services/index.js';
import { migrateToLatest, openStore, type Store } from '../../src/store/db.js';

export const inCI = process.env.CI === 'true';

/**
 * Whether a test needing an outside part may run. Absent parts skip the test with a printed
 * reason, except in CI, where an absent part is a failure: CI must exercise everything.
 */
export function available(part: string, present: boolean, reason: string): boolean {
  if (present) return true;
  if (inCI) throw new Error(`${part} is required under CI=true but ${reason}`);
  console.warn(`[skip] ${part}: ${reason}`);
  return false;
}

export const SEED_PATH = fileURLToPath(new URL('../../../shared/seeds/000_dae4cb50e85c2d6a.txt', import.meta.url));
export const hasSeed = () => available('seed page', existsSync(SEED_PATH), `${SEED_PATH} not found`);

export interface StoreTarget {
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated, empty store; `dispose` drops it. */
  open(): Promise<{ store: Store; dataDir: string; dispose(): Promise<void> }>;
}

const sqliteTarget: StoreTarget = {
  name: 'sqlite',
  async open() {
    const dataDir = mkdtempSync(join(tmpdir(), 'nashra-test-'));
    const store = openStore({ dataDir });
    await migrateToLatest(store.db);
    return {
      store,
      dataDir,
      dispose: async () => {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

function postgresTarget(url: string): StoreTarget {
  return {
    name: 'postgres',
    async open() {
      const dataDir = mkdtempSync(join(tmpdir(), 'nashra-test-'));
      // One schema per store: parallel test files and CI runs never see each other's rows.
      const schema = `nashra_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      const store = openStore({ databaseUrl: url, dataDir, pgSchema: schema });
      await migrateToLatest(store.db);
      return {
        store,
        dataDir,
        dispose: async () => {
          await store.close();
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          await c.query(`drop schema ${schema} cascade`);
          await c.end();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** SQLite always; PostgreSQL too when DATABASE_URL_TEST is set. Store tests loop over these. */
export function storeTargets(): StoreTarget[] {
  const url = process.env.DATABASE_URL_TEST;
  const targets = [sqliteTarget];
  if (available('PostgreSQL', !!url, 'DATABASE_URL_TEST is not set')) targets.push(postgresTarget(url!));
  return targets;
}

export interface TestSite {
  services: Services;
  config: Config;
  dispose(): Promise<void>;
}

export async function openTestSite(target: StoreTarget = sqliteTarget, env: Record<string, string> = {}): Promise<TestSite> {
  const { store, dataDir, dispose } = await target.open();
  const config = loadConfig({ NASHRA_DATA_DIR: dataDir, ...env });
  return { services: createServices(store, config), config, dispose };
}
