/**
 * Subscriptions that share one execution: every subscriber of the same
 * operation, variables and access scope reads the results of a single source
 * stream, so each event is filtered, resolved and executed once however many
 * clients listen, not once per client. The source starts with the first
 * subscriber of its key and ends with the last.
 */
import type { ExecutionResult } from 'graphql';
import { SinkIterator } from '../pubsub/sink-iterator.ts';

type Result = ExecutionResult;
type Source = AsyncIterator<Result> & Partial<AsyncIterable<Result>>;

interface Group {
  readonly sinks: Set<SinkIterator<Result>>;
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
      const sinks = new Set<SinkIterator<Result>>();
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
    const sink = new SinkIterator<Result>(async () => {
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
