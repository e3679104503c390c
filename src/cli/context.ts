import { loadConfig, type Config } from '../config.js';
import { createServices, type Services } from '../services/index.js';
import { migrateToLatest, openStore } from '../store/db.js';

/** Config, an open migrated store and the services over it: what every command starts from. */
export async function openServices(config: Config = loadConfig()): Promise<Services> {
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(store.db);
  } catch (e) {
    await store.close();
    throw e;
  }
  return createServices(store, config);
}
