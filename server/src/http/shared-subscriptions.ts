/**
 * Subscriptions that share one execution: every subscriber of the same
 * operation, variables and access scope reads the results of a single source
 * stream, so each event is filtered, resolved and executed once however many
 * clients listen, not once per client. The source starts with the first
 * subscriber of its key and ends with the last.
 */
import type { ExecutionResult } from 'graphql';

type Result = ExecutionResult;
type Source = AsyncIterator<Result> & Partial<AsyncIterable<Result>>;

interface Sink {
  push(result: Result): void;
  stop(error?: unknown): void;
}

interface Group {
  readonly sinks: Set<Sink>;
  pumping: boolean;
  /** Resolves to the source once started, or to the single result (errors) it gave instead of a stream. */
  readonly source: Promise<Source | Result>;
}

const isStream = (value: Source | Result): value is Source => typeof (value as Source).next === 'function';

export class SharedSubscriptions {
  private readonly groups = new Map<string, Group>();

  /** How many distinct executions run now (one per key). */
  get executions(): number {
    return this.groups.size;
  }

  /**
   * Joins the group of `key`, starting its source with `start` if it has none.
   * When `start` gives a single result (the operation failed before any event),
   * that result is returned to this subscriber and nothing is shared.
   */
  async subscribe(
    key: string,
    start: () => Promise<AsyncIterable<Result> | Result> | AsyncIterable<Result> | Result,
    allowed?: () => boolean,
  ): Promise<AsyncIterable<Result> | Result> {
    let group = this.groups.get(key);
    if (group === undefined) {
      const sinks = new Set<Sink>();
      const source = Promise.resolve(start()).then((started): Source | Result =>
        Symbol.asyncIterator in started ? started[Symbol.asyncIterator]() : started,
      );
      group = { sinks, source, pumping: false };
      this.groups.set(key, group);
    }
    const forget = (ended: Group) => this.groups.get(key) === ended && this.groups.delete(key);
    let source: Source | Result;
    try {
      source = await group.source;
    } catch (error) {
      forget(group);
      throw error;
    }
    // A single result (the operation failed before any event) is this subscriber's alone.
    if (!isStream(source)) {
      forget(group);
      return source;
    }
    // The group ended while this subscriber waited for it: start or join the next one.
    if (this.groups.get(key) !== group) return this.subscribe(key, start, allowed);

    const joined = group;
    const sink = new SinkIterator(async () => {
      joined.sinks.delete(sink);
      if (joined.sinks.size === 0) await this.end(key, joined);
    }, allowed);
    joined.sinks.add(sink);
    // Read the source only once someone listens, so its first results reach the first subscriber.
    if (!joined.pumping) {
      joined.pumping = true;
      void this.pump(key, joined, source);
    }
    return sink;
  }

  private async pump(key: string, group: Group, source: Source): Promise<void> {
    let failure: unknown;
    try {
      for (;;) {
        const { done, value } = await source.next();
        if (done) break;
        for (const sink of group.sinks) sink.push(value);
      }
    } catch (error) {
      failure = error;
    } finally {
      if (this.groups.get(key) === group) this.groups.delete(key);
      // The source ended (or failed): so does every subscription that read it.
      for (const sink of group.sinks) sink.stop(failure);
    }
  }

  private async end(key: string, group: Group): Promise<void> {
    if (this.groups.get(key) === group) this.groups.delete(key);
    const source = await group.source;
    if (isStream(source)) await source.return?.();
  }
}

/**
 * One subscriber's view of a shared source: what the source pushes waits in a queue until the
 * subscriber asks for it. Lighter than a general-purpose async iterator, because there is one of
 * these per subscriber and every event goes through each.
 */
class SinkIterator implements Sink, AsyncIterableIterator<Result> {
  private readonly queue: Result[] = [];
  private waiting: ((next: IteratorResult<Result>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private ended = false;
  private returned = false;
  private failure: unknown;

  /** `allowed` is asked before each result: once it says no, this subscriber's stream ends. */
  constructor(
    private readonly onReturn: () => Promise<void>,
    private readonly allowed?: () => boolean,
  ) {}

  push(result: Result): void {
    if (this.ended) return;
    if (this.allowed && !this.allowed()) {
      this.stop();
      void this.return();
      return;
    }
    const resolve = this.waiting;
    if (resolve === undefined) {
      this.queue.push(result);
      return;
    }
    this.waiting = this.failWaiting = undefined;
    resolve({ done: false, value: result });
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

  next(): Promise<IteratorResult<Result>> {
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

  async return(): Promise<IteratorResult<Result>> {
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
