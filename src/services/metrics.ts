/**
 * What services report for `/metrics`, without depending on the metrics library: each app that
 * exposes metrics attaches a sink (src/web/metrics.ts) and detaches it when it closes. With no
 * sink attached (the CLI, most tests) a report costs one empty loop.
 */

/** How an article went live: an editor's publish call, or the scheduler. */
export type PublishVia = 'editor' | 'scheduler';
/** `invalid`: the request was refused before searching (a ValidationError). */
export type SearchOutcome = 'ok' | 'invalid' | 'error';

export interface MetricsSink {
  published(via: PublishVia): void;
  searched(seconds: number, outcome: SearchOutcome): void;
}

export class ServiceMetrics {
  readonly #sinks = new Set<MetricsSink>();

  attach(sink: MetricsSink): () => void {
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  published(via: PublishVia): void {
    for (const s of this.#sinks) s.published(via);
  }

  searched(seconds: number, outcome: SearchOutcome): void {
    for (const s of this.#sinks) s.searched(seconds, outcome);
  }
}
