/**
 * Natural batching: items added while a batch is being written wait and go
 * together in the next one. An idle batcher writes at once (no added latency
 * at low load); a busy one writes fewer, larger batches (fewer round trips at
 * high load). Each caller learns whether its own item was written.
 */
/**
 * Writes one batch. It throws when the whole batch failed; it returns the
 * failures of single items, by their index in `items`, when only some did.
 */
export type WriteBatch<T> = (items: T[]) => Promise<void | ReadonlyMap<number, unknown>>;

interface Pending<T> {
  readonly item: T;
  resolve(): void;
  reject(error: unknown): void;
}

export class Batcher<T> {
  private queue: Pending<T>[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly write: WriteBatch<T>,
    private readonly maxItems = 500,
  ) {}

  /** Resolves once the batch holding `item` is written; rejects with that batch's error. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /** Resolves when everything added so far is written (or failed). */
  async flush(): Promise<void> {
    await this.writing;
  }

  private async drain(): Promise<void> {
    // Let the callers of this tick join the first batch.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxItems);
      try {
        const failures = await this.write(batch.map((pending) => pending.item));
        batch.forEach((pending, index) => {
          if (failures?.has(index)) pending.reject(failures.get(index));
          else pending.resolve();
        });
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.writing = undefined;
  }
}
