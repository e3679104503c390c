import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { toLatinDigits } from '../../text/digits.js';
import { requireRole } from './auth.js';
import { doneMessage, newsroomContext, seeOther, sendNewsroomPage } from './page.js';
import { AuditView, type AuditFilter } from './views/audit.js';
import { UsersView, type NewUserForm } from './views/users.js';

const DONE: Record<string, string> = {
  created: 'أُضيف المستخدم.',
  role: 'تغيّر الدور.',
  disabled: 'عُطّل الحساب وأُنهيت جلساته.',
  enabled: 'فُعّل الحساب.',
};
const field = z.string().max(1024).optional().default('');
const NewUserBody = z.object({ email: field, displayName: field, role: field, password: field });
const RoleBody = z.object({ role: z.string().max(50) });
const ID = /^[1-9]\d{0,9}$/;
const PAGE_SIZE = 50;

const date = z
  .string()
  .transform(toLatinDigits)
  .refine((s) => s === '' || (/^\d{4}-\d{2}-\d{2}$/.test(s) && DateTime.fromISO(s).isValid), 'تاريخ غير صالح')
  .optional()
  .default('');
const AuditQuery = z.object({
  action: z.string().trim().max(100).optional().default(''),
  user: z.union([z.literal(''), z.string().regex(ID, 'مستخدم غير صالح')]).optional().default(''),
  from: date,
  to: date,
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});

/** Account errors shown on the page instead of the generic handler's JSON. */
function statusOf(e: unknown): number | null {
  if (e instanceof ValidationError) return 400;
  if (e instanceof ForbiddenError) return 403;
  if (e instanceof NotFoundError) return 404;
  return null;
}

export async function userAdminRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const { accounts } = services;
  const admin = { preHandler: requireRole('admin') };

  async function usersPage(req: FastifyRequest, reply: FastifyReply, status = 200, error: string | null = null, form?: NewUserForm) {
    const users = await accounts.listUsers();
    const ctx = newsroomContext(req, services);
    return sendNewsroomPage(reply, UsersView, { ctx, users, form, ok: error ? null : doneMessage(req, DONE), error }, status);
  }

  app.get('/newsroom/users', admin, (req, reply) => usersPage(req, reply));

  app.post('/newsroom/users', admin, async (req, reply) => {
    const parsed = NewUserBody.safeParse(req.body ?? {});
    if (!parsed.success) return usersPage(req, reply, 400, 'بيانات المستخدم غير صالحة.');
    const { email, displayName, role, password } = parsed.data;
    try {
      await accounts.createUser({ email, displayName, role: role as never, password }, req.actor);
    } catch (e) {
      const status = statusOf(e);
      if (!status) throw e;
      return usersPage(req, reply, status, (e as Error).message, { email, displayName, role });
    }
    return seeOther(reply, '/newsroom/users?ok=created');
  });

  /** Runs one change on user `:id`, then back to the list; errors are shown on the list. */
  async function change(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, done: string, act: (id: number) => Promise<unknown>) {
    if (!ID.test(req.params.id)) return usersPage(req, reply, 404, 'المستخدم غير موجود');
    try {
      await act(Number(req.params.id));
    } catch (e) {
      const status = statusOf(e);
      if (!status) throw e;
      return usersPage(req, reply, status, (e as Error).message);
    }
    return seeOther(reply, `/newsroom/users?ok=${done}`);
  }

  app.post<{ Params: { id: string } }>('/newsroom/users/:id/role', admin, async (req, reply) => {
    const parsed = RoleBody.safeParse(req.body ?? {});
    if (!parsed.success) return usersPage(req, reply, 400, 'اختر دوراً.');
    return change(req, reply, 'role', (id) => accounts.setRole(req.actor, id, parsed.data.role as never));
  });
  app.post<{ Params: { id: string } }>('/newsroom/users/:id/disable', admin, (req, reply) =>
    change(req, reply, 'disabled', (id) => accounts.setDisabled(req.actor, id, true)),
  );
  app.post<{ Params: { id: string } }>('/newsroom/users/:id/enable', admin, (req, reply) =>
    change(req, reply, 'enabled', (id) => accounts.setDisabled(req.actor, id, false)),
  );

  app.get('/newsroom/audit', admin, async (req, reply) => {
    const users = await accounts.listUsers();
    const ctx = newsroomContext(req, services);
    const parsed = AuditQuery.safeParse(req.query ?? {});
    if (!parsed.success) {
      const filter: AuditFilter = { action: '', user: '', from: '', to: '' };
      const error = `تصفية غير صالحة: ${parsed.error.issues[0]!.message}`;
      return sendNewsroomPage(reply, AuditView, { ctx, entries: [], users, filter, page: 1, hasNext: false, error }, 400);
    }
    const q = parsed.data;
    // Days as the newsroom counts them: "from" its midnight, "to" inclusive up to the next midnight.
    const zone = services.config.timeZone;
    const startOf = (d: string) => DateTime.fromISO(d, { zone }).startOf('day').toUTC().toISO()!;
    const rows = await accounts.auditLog({
      action: q.action || undefined,
      userId: q.user ? Number(q.user) : undefined,
      since: q.from ? startOf(q.from) : undefined,
      until: q.to ? DateTime.fromISO(q.to, { zone }).plus({ days: 1 }).startOf('day').toUTC().toISO()! : undefined,
      limit: PAGE_SIZE + 1,
      offset: (q.page - 1) * PAGE_SIZE,
    });
    const filter = { action: q.action, user: q.user, from: q.from, to: q.to };
    const entries = rows.slice(0, PAGE_SIZE);
    return sendNewsroomPage(reply, AuditView, { ctx, entries, users, filter, page: q.page, hasNext: rows.length > PAGE_SIZE });
  });
}
