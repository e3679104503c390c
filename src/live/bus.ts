import type { LiveEvent } from '../domain/live.js';

export type LiveListener = (event: LiveEvent) => void;

/**
 * In-process fan-out of committed live events, per coverage. The service publishes only after
 * its transaction commits, so a subscriber (the SSE hub, the Redis bridge) never announces a
 * change a reader could not then load. Listeners run synchronously and must not throw: one that
 * does is reported and skipped, since the write it follows has already succeeded.
 */
export class LiveBus {
  readonly #byCoverage = new Map<number, Set<LiveListener>>();

  constructor(private readonly onListenerError: (err: unknown) => void = (err) => console.error('live listener failed', err)) {}

  subscribe(coverageId: number, fn: LiveListener): () => void {
    let set = this.#byCoverage.get(coverageId);
    if (!set) this.#byCoverage.set(coverageId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.#byCoverage.get(coverageId) === set) this.#byCoverage.delete(coverageId);
    };
  }

  publish(event: LiveEvent): void {
    const set = this.#byCoverage.get(event.coverageId);
    if (!set) return;
    // A copy, so a listener that unsubscribes while being called does not disturb the loop.
    for (const fn of [...set]) {
      try {
        fn(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}
