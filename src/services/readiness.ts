import { pendingMigrations, pingDatabase, type Store } from '../store/db.js';

export type Readiness =
  | { ready: true }
  /** `database`: it did not answer (in time); `migrations`: this code expects ones not run yet. */
  | { ready: false; reason: 'database' | 'migrations'; pending?: string[]; error?: unknown };

/** A database that takes longer than this to say `1` cannot serve pages either. */
const CHECK_TIMEOUT_MS = 3_000;

/**
 * Whether this instance can serve: the database answers a trivial query and has run every
 * migration this code knows. Checked afresh on every call (a load balancer asks every few
 * seconds; both queries are cheap), so an instance recovers readiness with its database.
 */
export async function checkReadiness(store: Store): Promise<Readiness> {
  try {
    await withTimeout(pingDatabase(store.db));
  } catch (error) {
    return { ready: false, reason: 'database', error };
  }
  try {
    const pending = await withTimeout(pendingMigrations(store.db));
    return pending.length ? { ready: false, reason: 'migrations', pending } : { ready: true };
  } catch (error) {
    return { ready: false, reason: 'database', error };
  }
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
