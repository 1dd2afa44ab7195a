import { slowConsumer } from './slow-consumer.ts';

/**
 * The most results a sink holds for a subscriber that does not ask for them. Sinks are read at once
 * by the transports (the shared executions over graphql-ws, the SSE delivery), which bound each
 * client themselves; this bound is the last guard, for a reader that stopped reading all the same.
 */
export const SINK_MAX_PENDING = 10_000;

/**
 * One subscriber's view of a source that pushes: what is pushed waits in a queue until the
 * subscriber asks for it. Lighter than a general-purpose async iterator, because there is one of
 * these per subscriber and every event goes through each. Returning it (the client left) calls
 * `onReturn` once, even before the first `next`. A push beyond `maxPending` waiting results ends
 * this subscriber alone with SLOW_CONSUMER (its queue dropped, its source left): a push never throws.
 */
export class SinkIterator<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiting: ((next: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private ended = false;
  private returned = false;
  private failure: unknown;

  /** `allowed` is asked before each result: once it says no, this subscriber's stream ends. */
  constructor(
    private readonly onReturn: () => Promise<void>,
    private readonly allowed?: () => boolean,
    private readonly maxPending = SINK_MAX_PENDING,
  ) {}

  /** How many results wait for the subscriber to ask for them. */
  get pending(): number {
    return this.queue.length;
  }

  push(result: T): void {
    if (!this.admits()) return;
    const resolve = this.waiting;
    if (resolve === undefined) {
      if (this.queue.length >= this.maxPending) return this.overflow();
      this.queue.push(result);
      return;
    }
    this.waiting = this.failWaiting = undefined;
    resolve({ done: false, value: result });
  }

  /**
   * Whether the next result may reach this subscriber: not once it ended, nor once `allowed` says
   * no (which ends it). For a result delivered beside the iterator rather than pushed through it.
   */
  admits(): boolean {
    if (this.ended) return false;
    if (this.allowed && !this.allowed()) {
      this.stop();
      void this.return();
      return false;
    }
    return true;
  }

  private overflow(): void {
    const error = slowConsumer(`${this.queue.length} events`);
    this.queue.length = 0;
    this.stop(error);
    if (!this.returned) {
      this.returned = true;
      // Leaving the source is this subscriber's own business: a failure there is logged by its owner.
      void this.onReturn().catch(() => undefined);
    }
  }

  stop(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    const [resolve, reject] = [this.waiting, this.failWaiting];
    this.waiting = this.failWaiting = undefined;
    if (error !== undefined) reject?.(error);
    else resolve?.({ done: true, value: undefined });
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve({ done: false, value });
    if (this.ended) {
      const failure = this.failure;
      this.failure = undefined;
      return failure === undefined ? Promise.resolve({ done: true, value: undefined }) : Promise.reject(failure);
    }
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  async return(): Promise<IteratorResult<T>> {
    this.stop();
    this.queue.length = 0;
    if (!this.returned) {
      this.returned = true;
      await this.onReturn();
    }
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
