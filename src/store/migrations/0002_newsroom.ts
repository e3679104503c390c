import { sql, type Kysely } from 'kysely';
import { idColumn, idConstraints } from './columns.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('contributor', 'editor', 'admin')`))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('password_changed_at', 'text', (c) => c.notNull())
    .execute();

  // Only a hash of the session id is stored: a leaked database does not hand out live sessions.
  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  // Failed logins per key (`ip:…`, `account:…`), in the database so every instance sees them.
  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'text', (c) => c.notNull())
    .addColumn('blocked_until', 'text')
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('read', 'write')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('actor', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await db.schema.createIndex('audit_log_action').on('audit_log').columns(['action', 'at']).execute();

  // Every save of an article is a revision: the whole editable content as JSON.
  await db.schema
    .createTable('article_revisions')
    .addColumn('id', idColumn(db), idConstraints(db))
    .addColumn('article_id', 'integer', (c) => c.notNull().references('articles.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addUniqueConstraint('article_revisions_number', ['article_id', 'number'])
    .execute();

  await db.schema.alterTable('articles').addColumn('owner_id', 'integer', (c) => c.references('users.id').onDelete('set null')).execute();
  await db.schema.alterTable('articles').addColumn('scheduled_at', 'text').execute();
  // A published article's pending edit: the revision that goes live on "update".
  await db.schema.alterTable('articles').addColumn('staged_revision_id', 'integer').execute();
  // When the live version last changed after first publication: the page's "آخر تحديث".
  await db.schema.alterTable('articles').addColumn('revised_at', 'text').execute();
  await db.schema.createIndex('articles_scheduled').on('articles').columns(['status', 'scheduled_at']).execute();

  // Caption, credit and alt text travel with the picture and are reused; variants lists the
  // generated files.
  await db.schema.alterTable('media').addColumn('caption', 'text').execute();
  await db.schema.alterTable('media').addColumn('credit', 'text').execute();
  await db.schema.alterTable('media').addColumn('variants', 'text').execute();
  await db.schema.alterTable('media').addColumn('uploaded_by', 'integer', (c) => c.references('users.id').onDelete('set null')).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['article_revisions', 'audit_log', 'api_tokens', 'login_throttle', 'sessions', 'users']) {
    await db.schema.dropTable(t).execute();
  }
}
