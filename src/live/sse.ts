import type { LiveEventType } from '../domain/live.js';

/**
 * The Server-Sent Events wire format of live coverage (docs/live.md, "The wire contract").
 * Frames are built once as Buffers: the hub writes the same bytes to every connection, so an
 * event is encoded once per process, not once per reader.
 */

/** What a numbered `live` event carries: everything a page needs to apply it without a fetch. */
export type LiveEventData =
  | {
      eventId: number;
      type: Extract<LiveEventType, 'entry.created' | 'entry.updated'>;
      entry: { id: number; createdAt: string; editedAt: string | null; keyEvent: boolean; pinned: boolean; blocks: unknown[] };
      /** The entry's `<article class="live-entry">`, as the page renders it. */
      html: string;
    }
  | { eventId: number; type: 'entry.deleted'; entryId: number }
  | { eventId: number; type: 'coverage.ended'; endedAt: string };

export type RetryReason = 'unavailable' | 'shutdown';

/** One numbered event, ready to write. `ends`: the coverage ended, the stream closes after it. */
export interface Frame {
  id: number;
  bytes: Buffer;
  ends: boolean;
}

/** The reconnection delay browsers' EventSource uses; sent first on every stream. */
export const PREAMBLE = Buffer.from('retry: 3000\n\n');
/** A comment line: keeps proxies and NATs from timing the connection out. */
export const HEARTBEAT = Buffer.from(':\n\n');

/** `json` must be one line: JSON.stringify escapes the newlines that would split an SSE field. */
export function liveFrame(id: number, type: LiveEventType, json: string): Frame {
  return { id, bytes: Buffer.from(`id: ${id}\nevent: live\ndata: ${json}\n\n`), ends: type === 'coverage.ended' };
}

/** The client's position is one the coverage never issued: reload, then continue from `lastEventId`. */
export function resyncFrame(lastEventId: number): Buffer {
  return Buffer.from(`id: ${lastEventId}\nevent: resync\ndata: {"lastEventId":${lastEventId}}\n\n`);
}

const retryFrames: Record<RetryReason, Buffer> = {
  unavailable: Buffer.from('event: retry\ndata: {"reason":"unavailable"}\n\n'),
  shutdown: Buffer.from('event: retry\ndata: {"reason":"shutdown"}\n\n'),
};

/** The server is going away (or cannot see other instances' events): poll, then try SSE again. */
export function retryFrame(reason: RetryReason): Buffer {
  return retryFrames[reason];
}
