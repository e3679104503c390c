import type { Kysely } from 'kysely';
import type { Block } from '../domain/blocks.js';
import { appendEvent, insertCoverage, insertEntry } from '../store/live.js';
import type { Database } from '../store/schema.js';

/**
 * A demo live coverage, running, so a first `npm start` shows what the header's
 * «التغطية الحية» leads to. Invented like the demo articles: no real event, officials by title.
 * Its entries are dated relative to the load, over the last few hours, so it looks current.
 */
export const demoCoverage = {
  slug: 'منخفض-جوي-وثلوج-على-المرتفعات',
  title: 'مباشر: منخفض جوي وثلوج على المرتفعات',
  summary: 'متابعة لحظة بلحظة لحالة الطرق والمدارس والكهرباء مع وصول المنخفض الجوي إلى المناطق الجبلية.',
};

interface DemoEntry {
  minutesAgo: number;
  text: string[];
  keyEvent?: boolean;
  pinned?: boolean;
  quote?: { text: string; speaker: string };
}

export const demoEntries: DemoEntry[] = [
  { minutesAgo: 190, text: ['بدأ المنخفض الجوي بالتأثير على المرتفعات الغربية مع هطول أمطار غزيرة وانخفاض ملحوظ في درجات الحرارة.'] },
  { minutesAgo: 160, text: ['مديرية الأرصاد: الثلوج متوقعة فوق ارتفاع 1200 متر اعتبارًا من المساء، وقد تنخفض إلى 900 متر ليلًا.'], keyEvent: true },
  { minutesAgo: 135, text: ['فرق الطوارئ تنشر كاسحات الثلج على الطريق الجبلي الرئيسي، وتدعو السائقين إلى تجنّب السفر غير الضروري.'] },
  {
    minutesAgo: 110,
    text: ['قال مدير الدفاع المدني في المنطقة إن الفرق جاهزة على مدار الساعة.'],
    quote: { text: 'لدينا 40 آلية موزّعة على المحاور الرئيسية، ونطلب من الأهالي الاتصال بالرقم 112 عند الحاجة.', speaker: 'مدير الدفاع المدني' },
  },
  { minutesAgo: 80, text: ['وزارة التربية تعلن تعليق الدوام في مدارس المناطق الجبلية يوم غد، على أن تُعوَّض الحصص لاحقًا.'], keyEvent: true },
  { minutesAgo: 55, text: ['انقطاع التيار الكهربائي عن ثلاث بلدات بعد سقوط أعمدة بفعل الرياح، وورش الصيانة في طريقها إلى المكان.'] },
  { minutesAgo: 30, text: ['إغلاق الطريق الجبلي أمام الشاحنات حتى إشعار آخر، وفتحه للسيارات المزوّدة بسلاسل فقط.'], keyEvent: true },
  {
    minutesAgo: 10,
    text: ['نتابع في هذه الصفحة آخر التطورات لحظة بلحظة. يمكنكم إرسال صوركم ومشاهداتكم إلى فريق التحرير.'],
    pinned: true,
  },
];

/** Inserts the coverage and its entries with their events, inside the demo's transaction. */
export async function insertDemoCoverage(trx: Kysely<Database>, zone: { timeZone: string; city: string }, now = Date.now()): Promise<void> {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const coverage = await insertCoverage(trx, {
    ...demoCoverage,
    streamUrl: null,
    timeZone: zone.timeZone,
    city: zone.city,
    createdBy: null,
    startedAt: at(200),
  });
  let last = 0;
  // Oldest first, so entry and event ids grow with time as they do when a newsroom posts.
  for (const e of [...demoEntries].sort((a, b) => b.minutesAgo - a.minutesAgo)) {
    const blocks: Block[] = e.text.map((t) => ({ type: 'paragraph', spans: [{ text: t }] }));
    if (e.quote) blocks.push({ type: 'quote', spans: [{ text: e.quote.text }], speaker: e.quote.speaker });
    const createdAt = at(e.minutesAgo);
    const entry = await insertEntry(trx, {
      coverageId: coverage.id,
      createdAt,
      authorIds: [],
      blocks,
      keyEvent: e.keyEvent ?? false,
      pinned: e.pinned ?? false,
    });
    last = (await appendEvent(trx, last, { coverageId: coverage.id, type: 'entry.created', entryId: entry.id, payload: { entry }, createdAt })).eventId;
  }
}
