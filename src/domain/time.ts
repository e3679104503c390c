import { DateTime, IANAZone } from 'luxon';

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** `2021.06.28 | 17:39`: the newsroom's time line, Western digits (the digit style used site-wide). */
export function formatNewsTime(utcIso: string, zone: string): string {
  return DateTime.fromISO(utcIso, { zone: 'utc' }).setZone(zone).toFormat('yyyy.LL.dd | HH:mm');
}

export function formatNewsDate(utcIso: string, zone: string): string {
  return DateTime.fromISO(utcIso, { zone: 'utc' }).setZone(zone).toFormat('yyyy.LL.dd');
}

/** Wall-clock time in a zone to a UTC instant; null when the fields do not form a time. */
export function zonedToUtc(
  parts: { year: number; month: number; day: number; hour?: number; minute?: number },
  zone: string,
): string | null {
  const dt = DateTime.fromObject(
    { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour ?? 0, minute: parts.minute ?? 0 },
    { zone },
  );
  if (!dt.isValid) return null;
  return dt.toUTC().toISO({ suppressMilliseconds: true });
}

/** `datetime` attribute value: UTC, whole seconds. */
export function machineTime(utcIso: string): string {
  return new Date(utcIso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
