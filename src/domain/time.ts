import { DateTime, IANAZone } from 'luxon';

// Each check builds an Intl.DateTimeFormat: ICU memory the GC does not see, so checking every
// article of a bulk import grew the process by ~25 KB per article (bench:import). Valid zones
// are few (the IANA list), so they are remembered; invalid input is not, so it cannot grow this.
const validZones = new Set<string>();

export function isValidTimeZone(zone: string): boolean {
  if (validZones.has(zone)) return true;
  const valid = IANAZone.isValidZone(zone);
  if (valid) validZones.add(zone);
  return valid;
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
