import { foldArabic } from '../../text/fold.js';

/**
 * Cities a newsroom prints next to its time line, mapped to IANA zones so an imported
 * `17:39 دمشق` becomes the right UTC instant. Each row: canonical spelling, zone, variants.
 * Variants only list spellings the normaliser (`foldArabic`) cannot fold (different letters or words).
 */
const ROWS: ReadonlyArray<readonly [city: string, zone: string, ...variants: string[]]> = [
  // Syria
  ['دمشق', 'Asia/Damascus', 'الشام'],
  ['حلب', 'Asia/Damascus'],
  ['حمص', 'Asia/Damascus'],
  ['حماة', 'Asia/Damascus'],
  ['اللاذقية', 'Asia/Damascus'],
  ['طرطوس', 'Asia/Damascus'],
  ['إدلب', 'Asia/Damascus'],
  ['درعا', 'Asia/Damascus'],
  ['دير الزور', 'Asia/Damascus'],
  ['الرقة', 'Asia/Damascus'],
  ['القامشلي', 'Asia/Damascus'],
  ['الحسكة', 'Asia/Damascus'],
  ['السويداء', 'Asia/Damascus'],
  // Lebanon; bare "طرابلس" is the Libyan capital (see Libya), the Lebanese one is always qualified.
  ['بيروت', 'Asia/Beirut'],
  ['صيدا', 'Asia/Beirut'],
  ['صور', 'Asia/Beirut'],
  ['طرابلس اللبنانية', 'Asia/Beirut', 'طرابلس لبنان', 'طرابلس الشام'],
  // Jordan
  ['عمّان', 'Asia/Amman'],
  ['إربد', 'Asia/Amman'],
  ['الزرقاء', 'Asia/Amman'],
  // Palestine: Gaza and the West Bank keep their own zone rules.
  ['القدس', 'Asia/Jerusalem', 'القدس المحتلة'],
  ['رام الله', 'Asia/Hebron'],
  ['غزة', 'Asia/Gaza'],
  ['نابلس', 'Asia/Hebron'],
  ['الخليل', 'Asia/Hebron'],
  // Iraq
  ['بغداد', 'Asia/Baghdad'],
  ['البصرة', 'Asia/Baghdad'],
  ['الموصل', 'Asia/Baghdad'],
  ['أربيل', 'Asia/Baghdad'],
  ['السليمانية', 'Asia/Baghdad'],
  ['كركوك', 'Asia/Baghdad'],
  ['النجف', 'Asia/Baghdad'],
  // Gulf
  ['الرياض', 'Asia/Riyadh'],
  ['جدة', 'Asia/Riyadh'],
  ['مكة', 'Asia/Riyadh', 'مكة المكرمة'],
  ['المدينة المنورة', 'Asia/Riyadh'],
  ['الدمام', 'Asia/Riyadh'],
  ['الدوحة', 'Asia/Qatar'],
  ['أبوظبي', 'Asia/Dubai'],
  ['دبي', 'Asia/Dubai'],
  ['الشارقة', 'Asia/Dubai'],
  ['الكويت', 'Asia/Kuwait'],
  ['المنامة', 'Asia/Bahrain'],
  ['مسقط', 'Asia/Muscat'],
  // Yemen
  ['صنعاء', 'Asia/Aden'],
  ['عدن', 'Asia/Aden'],
  ['تعز', 'Asia/Aden'],
  // Egypt, Sudan, Libya
  ['القاهرة', 'Africa/Cairo'],
  ['الإسكندرية', 'Africa/Cairo'],
  ['الجيزة', 'Africa/Cairo'],
  ['الخرطوم', 'Africa/Khartoum'],
  ['طرابلس', 'Africa/Tripoli', 'طرابلس الغرب'],
  ['بنغازي', 'Africa/Tripoli'],
  // Maghreb
  ['تونس', 'Africa/Tunis'],
  ['الجزائر', 'Africa/Algiers'],
  ['وهران', 'Africa/Algiers'],
  ['الرباط', 'Africa/Casablanca'],
  ['الدار البيضاء', 'Africa/Casablanca', 'كازابلانكا'],
  ['مراكش', 'Africa/Casablanca'],
  ['فاس', 'Africa/Casablanca'],
  ['طنجة', 'Africa/Casablanca'],
  ['نواكشوط', 'Africa/Nouakchott'],
  // Horn of Africa
  ['مقديشو', 'Africa/Mogadishu'],
  ['جيبوتي', 'Africa/Djibouti'],
  // Turkey, Iran, Israel, Cyprus
  ['إسطنبول', 'Europe/Istanbul', 'استانبول', 'اسطمبول'],
  ['أنقرة', 'Europe/Istanbul'],
  ['غازي عنتاب', 'Europe/Istanbul', 'عنتاب'],
  ['أنطاكيا', 'Europe/Istanbul', 'أنطاكية'],
  ['أورفا', 'Europe/Istanbul', 'شانلي أورفا', 'أورفة'],
  ['طهران', 'Asia/Tehran'],
  ['تل أبيب', 'Asia/Jerusalem'],
  ['نيقوسيا', 'Asia/Nicosia'],
  // World capitals that newsrooms file from
  ['موسكو', 'Europe/Moscow'],
  ['واشنطن', 'America/New_York'],
  ['نيويورك', 'America/New_York'],
  ['لندن', 'Europe/London'],
  ['باريس', 'Europe/Paris'],
  ['برلين', 'Europe/Berlin'],
  ['روما', 'Europe/Rome'],
  ['بروكسل', 'Europe/Brussels'],
  ['جنيف', 'Europe/Zurich'],
  ['فيينا', 'Europe/Vienna'],
  ['بكين', 'Asia/Shanghai'],
];

// Spaces and punctuation ignored too, so "أبو ظبي", "ابوظبي" and "(دمشق)" all match.
function cityKey(s: string): string {
  return foldArabic(s).replace(/[\s\p{P}\p{S}]/gu, '');
}

export interface CityZone {
  city: string;
  timeZone: string;
}

const BY_KEY = new Map<string, CityZone>();
for (const [city, timeZone, ...variants] of ROWS) {
  for (const name of [city, ...variants]) BY_KEY.set(cityKey(name), { city, timeZone });
}

/** Every canonical city with its zone, for listings and for checking the table itself. */
export const CITIES: readonly CityZone[] = ROWS.map(([city, timeZone]) => ({ city, timeZone }));

/** The city as the table spells it and its IANA zone, or null when the name is not known. */
export function lookupCity(name: string): CityZone | null {
  const key = cityKey(name);
  if (!key) return null;
  const hit = BY_KEY.get(key);
  return hit ? { ...hit } : null;
}
