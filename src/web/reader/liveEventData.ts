import type { LiveCoverage, LiveEntry, LiveEvent } from '../../domain/live.js';
import type { LiveEventData } from '../../live/sse.js';
import type { Services } from '../../services/index.js';
import { renderLiveEntry } from './views/liveEntry.js';

type Zone = Pick<LiveCoverage, 'timeZone' | 'city'>;

/**
 * Turns stored events into what readers receive (`LiveEventData`): the entry's fields a page
 * needs and its rendered `<article>`, so the stream and the polling answer show an entry
 * exactly as the page does. One context query (media, author names) per batch.
 */
export class LiveEventFormatter {
  /** A coverage's zone and city never change once opened: looked up once per process. */
  readonly #zones = new Map<number, Zone>();

  constructor(private readonly services: Services) {}

  async data(events: readonly LiveEvent[], coverage?: Pick<LiveCoverage, 'id'> & Zone): Promise<LiveEventData[]> {
    if (events.length === 0) return [];
    const zone = coverage ?? (await this.#zone(events[0]!.coverageId));
    const entries = events.flatMap((e) => (e.type === 'entry.created' || e.type === 'entry.updated' ? [e.payload.entry as LiveEntry] : []));
    const ctx = entries.length ? await this.services.liveReader.context(entries) : null;
    return events.map((e): LiveEventData => {
      switch (e.type) {
        case 'entry.created':
        case 'entry.updated': {
          const entry = e.payload.entry as LiveEntry;
          const { id, createdAt, editedAt, keyEvent, pinned, blocks } = entry;
          return { eventId: e.eventId, type: e.type, entry: { id, createdAt, editedAt, keyEvent, pinned, blocks }, html: renderLiveEntry(entry, ctx!, zone) };
        }
        case 'entry.deleted':
          return { eventId: e.eventId, type: 'entry.deleted', entryId: e.entryId ?? Number(e.payload.id) };
        case 'coverage.ended':
          return { eventId: e.eventId, type: 'coverage.ended', endedAt: String(e.payload.endedAt ?? e.createdAt) };
      }
    });
  }

  /** One line of JSON per event: what the SSE hub frames. */
  async json(events: readonly LiveEvent[]): Promise<string[]> {
    return (await this.data(events)).map((d) => JSON.stringify(d));
  }

  async #zone(coverageId: number): Promise<Zone> {
    let zone = this.#zones.get(coverageId);
    if (!zone) {
      const c = await this.services.live.getCoverage(coverageId);
      zone = c ? { timeZone: c.timeZone, city: c.city } : { timeZone: this.services.config.timeZone, city: this.services.config.city };
      if (this.#zones.size > 1000) this.#zones.clear();
      this.#zones.set(coverageId, zone);
    }
    return zone;
  }
}
