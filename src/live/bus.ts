import type { LiveEvent } from '../domain/live.js';

export type LiveListener = (event: LiveEvent) => void;
export type AvailabilityListener = (available: boolean) => void;

/**
 * Fan-out of committed live events, per coverage, inside one process. The service publishes only
 * after its transaction commits, so a subscriber (the SSE hub) never announces a change a reader
 * could not then load. Listeners run synchronously and must not throw: one that does is reported
 * and skipped, since the write it follows has already succeeded.
 *
 * Across instances (the Redis bridge), `publish` is a local commit, announced to the outbound
 * listeners too; `deliver` is an event another instance committed, delivered here only. Events
 * may thus arrive twice or out of order (a local one, then the same one back from Redis); the
 * hub orders them by their consecutive event ids and drops what it has already sent.
 */
export class LiveBus {
  readonly #byCoverage = new Map<number, Set<LiveListener>>();
  readonly #outbound = new Set<LiveListener>();
  readonly #availability = new Set<AvailabilityListener>();
  #available = true;

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

  /** Every event committed in this process, for a bridge to forward to other instances. */
  onPublish(fn: LiveListener): () => void {
    this.#outbound.add(fn);
    return () => this.#outbound.delete(fn);
  }

  /** A change committed by this process. */
  publish(event: LiveEvent): void {
    this.#call(this.#outbound, event);
    this.deliver(event);
  }

  /** A change committed elsewhere (another instance), for this process's subscribers only. */
  deliver(event: LiveEvent): void {
    const set = this.#byCoverage.get(event.coverageId);
    if (set) this.#call(set, event);
  }

  /**
   * False while the cross-instance link is down: events committed elsewhere cannot reach this
   * process, so streams here would silently go stale. The hub then sends readers away to retry
   * (and poll) until the link is back. Always true without a bridge.
   */
  get available(): boolean {
    return this.#available;
  }

  setAvailable(available: boolean): void {
    if (available === this.#available) return;
    this.#available = available;
    for (const fn of [...this.#availability]) {
      try {
        fn(available);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  onAvailability(fn: AvailabilityListener): () => void {
    this.#availability.add(fn);
    return () => this.#availability.delete(fn);
  }

  #call(set: Set<LiveListener>, event: LiveEvent): void {
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
