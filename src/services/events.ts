/** What changed, announced after the commit so caches and (later) live fan-out see durable state. */
export type ContentChange = { type: 'article'; id: number } | { type: 'site' };
export type ContentListener = (change: ContentChange) => void;

export class ContentEvents {
  readonly #listeners = new Set<ContentListener>();

  subscribe(l: ContentListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  emit(change: ContentChange): void {
    for (const l of this.#listeners) l(change);
  }
}
