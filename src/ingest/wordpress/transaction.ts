import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';

type Db = Kysely<Database>;

/** Thrown out of a dry run's transaction so that nothing it wrote is kept. */
class DryRunRollback<T> extends Error {
  constructor(readonly value: T) {
    super('dry run');
  }
}

/**
 * Runs `write` in its own transaction: one item's failure rolls back that item only. In a dry
 * run the transaction is always rolled back, so the report says what would change while
 * nothing is written.
 */
export async function itemTransaction<T>(db: Db, dryRun: boolean, write: (trx: Db) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(async (trx) => {
      const value = await write(trx);
      if (dryRun) throw new DryRunRollback(value);
      return value;
    });
  } catch (e) {
    if (e instanceof DryRunRollback) return e.value as T;
    throw e;
  }
}

export const hashOf = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 32);

