import type { Kysely } from 'kysely';
import type { Actor } from '../domain/user.js';
import type { Database } from './schema.js';

export interface AuditEntry {
  action: string;
  userId?: number | null;
  actor?: string | null;
  targetType?: string | null;
  targetId?: string | number | null;
  ip?: string | null;
  details?: Record<string, unknown> | null;
  at?: string;
}

export interface AuditRecord {
  id: number;
  at: string;
  userId: number | null;
  actor: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
}

/** Who did it, as every audit row records it. */
export const auditBy = (a: Actor) => ({ userId: a.user?.id ?? null, actor: a.label, ip: a.ip });

/** Append-only: call it inside the transaction of the change it records, so both land or neither. */
export async function appendAudit(db: Kysely<Database>, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: e.at ?? new Date().toISOString(),
      user_id: e.userId ?? null,
      actor: e.actor ?? null,
      action: e.action,
      target_type: e.targetType ?? null,
      target_id: e.targetId == null ? null : String(e.targetId),
      ip: e.ip ?? null,
      details: e.details ? JSON.stringify(e.details) : null,
    })
    .execute();
}

export interface AuditQuery {
  action?: string;
  userId?: number;
  since?: string;
  until?: string;
  limit: number;
  offset?: number;
}

export async function listAudit(db: Kysely<Database>, q: AuditQuery): Promise<AuditRecord[]> {
  let query = db.selectFrom('audit_log').selectAll();
  if (q.action) query = query.where('action', '=', q.action);
  if (q.userId != null) query = query.where('user_id', '=', q.userId);
  if (q.since) query = query.where('at', '>=', q.since);
  if (q.until) query = query.where('at', '<', q.until);
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset ?? 0).execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    userId: r.user_id,
    actor: r.actor,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    ip: r.ip,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
  }));
}
