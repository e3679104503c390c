import type { FastifyReply } from 'fastify';
import { ConflictError, ForbiddenError, InsufficientStorageError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { isDatabaseUnavailable, UNAVAILABLE_MESSAGE } from '../unavailable.js';

/** RFC 9457 problem details: what every /api error answers with. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}

const TITLES: Record<number, string> = {
  400: 'طلب غير صالح',
  401: 'يلزم تسجيل الدخول',
  403: 'غير مسموح',
  404: 'غير موجود',
  409: 'تعارض مع حالة المقال',
  413: 'الملف أكبر من المسموح',
  415: 'نوع غير مدعوم',
  429: 'محاولات كثيرة',
  500: 'حدث خطأ في الخادم',
  503: 'الخدمة غير متاحة مؤقتاً',
  507: 'لا توجد مساحة كافية للتخزين',
};

export function problem(status: number, detail?: string, extra: Partial<Problem> = {}): Problem {
  return { type: 'about:blank', title: TITLES[status] ?? 'خطأ', status, ...(detail ? { detail } : {}), ...extra };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json; charset=utf-8').send(p);
}

/** Domain errors to HTTP: the services decide what is wrong, this only says it in HTTP. */
export function problemFor(err: unknown): Problem {
  const e = err as Error & { statusCode?: number; code?: string };
  // A refused upload says which way it failed: too big and wrong type have their own statuses.
  const reason = (e as { reason?: string }).reason;
  if (e instanceof ValidationError && reason === 'too_large') return problem(413, e.message, { errors: e.issues });
  if (e instanceof ValidationError && reason === 'unsupported_type') return problem(415, e.message, { errors: e.issues });
  if (e instanceof ValidationError) return problem(400, e.message, e.issues.length ? { errors: e.issues } : {});
  if (e instanceof NotFoundError) return problem(404, e.message);
  if (e instanceof ForbiddenError) return problem(403, e.message);
  if (e instanceof ConflictError) return problem(409, e.message);
  if (e instanceof InsufficientStorageError) return problem(507, e.message);
  if (e?.code === 'FST_REQ_FILE_TOO_LARGE') return problem(413, 'الحد الأقصى 20 ميغابايت');
  if (e?.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return problem(415, 'أرسل الملف بصيغة multipart/form-data');
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return problem(415, e.message);
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return problem(e.statusCode, e.message);
  // The database out of reach: 503, and the handler adds Retry-After.
  if (isDatabaseUnavailable(e)) return problem(503, UNAVAILABLE_MESSAGE);
  return problem(500);
}
