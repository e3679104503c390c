import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Block } from '../../domain/blocks.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import type { StaticPage } from '../../store/pages.js';
import { requireRole } from './auth.js';
import { doneMessage, newsroomContext, seeOther, sendNewsroomPage } from './page.js';
import { StaticPageEditView, StaticPagesView, type PageForm } from './views/staticPages.js';

const ID = /^[1-9]\d{0,9}$/;
const Body = z.object({
  title: z.string().max(1000).optional().default(''),
  slug: z.string().max(1000).optional().default(''),
  text: z.string().max(200_000).optional().default(''),
  status: z.enum(['draft', 'published']).optional().default('draft'),
});
const DONE: Record<string, string> = { saved: 'حُفظت الصفحة.' };
const READ_ONLY = 'تحوي هذه الصفحة صوراً أو قوائم أو اقتباسات لا يحررها هذا النموذج، فهي للعرض فقط هنا.';

/** The textarea's text → paragraph and subheading blocks. */
export function textToBlocks(text: string): Block[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p): Block => (p.startsWith('## ') ? { type: 'subheading', text: p.slice(3).trim() } : { type: 'paragraph', spans: [{ text: p }] }));
}

/** The reverse; null when the page has blocks the textarea cannot hold (or inline formatting it would lose). */
export function blocksToText(body: readonly Block[]): string | null {
  const out: string[] = [];
  for (const b of body) {
    if (b.type === 'subheading') out.push(`## ${b.text}`);
    else if (b.type === 'paragraph' && b.spans.every((s) => !s.bold && !s.italic && !s.href)) out.push(b.spans.map((s) => s.text).join(''));
    else return null;
  }
  return out.join('\n\n');
}

const formOf = (p: StaticPage): PageForm => ({ title: p.title, slug: p.slug, text: blocksToText(p.body) ?? '', status: p.status });

/** Newsroom: static pages (من نحن …), editors and admins. */
export async function pageRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const editor = { preHandler: requireRole('editor') };

  function edit(req: FastifyRequest, reply: FastifyReply, id: number | null, form: PageForm, status = 200, error: string | null = null, readOnly: string | null = null) {
    return sendNewsroomPage(reply, StaticPageEditView, { ctx: newsroomContext(req, services), id, form, error, readOnly }, status);
  }

  async function save(req: FastifyRequest, reply: FastifyReply, id: number | null) {
    const parsed = Body.safeParse(req.body ?? {});
    if (!parsed.success) return edit(req, reply, id, { title: '', slug: '', text: '', status: 'draft' }, 400, 'بيانات الصفحة غير صالحة.');
    const form = parsed.data;
    if (id !== null) {
      const current = await services.pages.get(id);
      if (!current) throw new NotFoundError('page not found');
      if (blocksToText(current.body) === null) return edit(req, reply, id, formOf(current), 409, null, READ_ONLY);
    }
    try {
      const input = { title: form.title, slug: form.slug || undefined, body: textToBlocks(form.text), status: form.status };
      const saved = id === null ? await services.pages.create(input) : await services.pages.replace(id, input);
      return seeOther(reply, `/newsroom/pages?ok=saved#page-${saved.id}`);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return edit(req, reply, id, form, 400, e.message);
    }
  }

  app.get('/newsroom/pages', editor, async (req, reply) =>
    sendNewsroomPage(reply, StaticPagesView, { ctx: newsroomContext(req, services), pages: await services.pages.list(), ok: doneMessage(req, DONE) }),
  );
  app.get('/newsroom/pages/new', editor, (req, reply) => edit(req, reply, null, { title: '', slug: '', text: '', status: 'draft' }));
  app.post('/newsroom/pages', editor, (req, reply) => save(req, reply, null));
  app.get<{ Params: { id: string } }>('/newsroom/pages/:id', editor, async (req, reply) => {
    const page = ID.test(req.params.id) ? await services.pages.get(Number(req.params.id)) : undefined;
    if (!page) throw new NotFoundError('page not found');
    return edit(req, reply, page.id, formOf(page), 200, null, blocksToText(page.body) === null ? READ_ONLY : null);
  });
  app.post<{ Params: { id: string } }>('/newsroom/pages/:id', editor, (req, reply) => {
    if (!ID.test(req.params.id)) throw new NotFoundError('page not found');
    return save(req, reply, Number(req.params.id));
  });
}
