import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/** One migration set for both engines: only the auto-increment key differs in spelling. */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export function idColumn(db: Kysely<unknown>): 'integer' | 'serial' {
  return isPostgres(db) ? 'serial' : 'integer';
}

/** SQLite needs AUTOINCREMENT so that ids of deleted rows are never reused (URLs carry ids). */
export function idConstraints(db: Kysely<unknown>) {
  return (c: ColumnDefinitionBuilder) => (isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement());
}
