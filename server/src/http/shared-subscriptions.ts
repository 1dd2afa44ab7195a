/**
 * Subscriptions that share one execution: every subscriber of the same
 * operation, variables and access scope reads the results of a single source
 * stream, so each event is filtered, resolved and executed once however many
 * clients listen, not once per client. The source starts with the first
 * subscriber of its key and ends with the last.
 */
import { Repeater } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';

type Result = ExecutionResult;
type Source = AsyncIterator<Result> & Partial<AsyncIterable<Result>>;

interface Sink {
  push(result: Result): void;
  stop(error?: unknown): void;
}

interface Group {
  readonly sinks: Set<Sink>;
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
  ): Promise<AsyncIterable<Result> | Result> {
    let group = this.groups.get(key);
    if (group === undefined) {
      const sinks = new Set<Sink>();
      const source = Promise.resolve(start()).then((started): Source | Result =>
        Symbol.asyncIterator in started ? started[Symbol.asyncIterator]() : started,
      );
      group = { sinks, source };
      this.groups.set(key, group);
      void this.pump(key, group);
    }
    const source = await group.source;
    if (!isStream(source)) return source;
    // The group ended while this subscriber waited for it: start or join the next one.
    if (this.groups.get(key) !== group) return this.subscribe(key, start);

    const { sinks } = group;
    return new Repeater<Result>(async (push, stop) => {
      const sink: Sink = { push: (result) => void push(result), stop: (error) => stop(error) };
      sinks.add(sink);
      await stop;
      sinks.delete(sink);
      if (sinks.size === 0) await this.end(key, group);
    });
  }

  private async pump(key: string, group: Group): Promise<void> {
    let source: Source | Result;
    try {
      source = await group.source;
    } catch {
      this.groups.delete(key);
      return;
    }
    if (!isStream(source)) {
      this.groups.delete(key);
      return;
    }
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
