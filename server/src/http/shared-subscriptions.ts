/**
 * Subscriptions that share one execution: every subscriber of the same
 * operation, variables and access scope reads the results of a single source
 * stream, so each event is filtered, resolved and executed once however many
 * clients listen, not once per client. The source starts with the first
 * subscriber of its key and ends with the last.
 *
 * A subscriber that can take a result as JSON (`send`) gets it that way: each
 * result is serialised once for all of them, and written to each socket as it
 * comes, without a trip through that subscriber's iterator. Its iterator still
 * ends the subscription (the source ended, the client left, its token expired).
 */
import type { ExecutionResult } from 'graphql';
import { SinkIterator } from '../pubsub/sink-iterator.ts';

type Result = ExecutionResult;
type Source = AsyncIterator<Result> & Partial<AsyncIterable<Result>>;

/** Writes one result, given as its JSON, to one subscriber. */
export type SendJson = (resultJson: string) => void;

interface Member {
  readonly sink: SinkIterator<Result>;
  readonly send: SendJson | undefined;
}

/**
 * A result as JSON, shaped as graphql-ws shapes a `next` payload: its fields, and its errors (if
 * any) last, each as its own JSON.
 */
export function resultJson(result: Result): string {
  const { errors, ...rest } = result;
  return JSON.stringify(errors ? { ...rest, errors: errors.map((error) => error.toJSON()) } : rest);
}

interface Group {
  readonly members: Set<Member>;
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
    send?: SendJson,
  ): Promise<AsyncIterable<Result> | Result> {
    let group = this.groups.get(key);
    if (group === undefined) {
      const members = new Set<Member>();
      const source = Promise.resolve(start()).then((started): Source | Result =>
        Symbol.asyncIterator in started ? started[Symbol.asyncIterator]() : started,
      );
      group = { members, source, pumping: false };
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
    if (this.groups.get(key) !== group) return this.subscribe(key, start, allowed, send);

    const joined = group;
    const sink = new SinkIterator<Result>(async () => {
      joined.members.delete(member);
      if (joined.members.size === 0) await this.end(key, joined);
    }, allowed);
    const member: Member = { sink, send };
    joined.members.add(member);
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
        let json: string | undefined;
        for (const { sink, send } of group.members) {
          try {
            if (send === undefined) sink.push(value);
            else if (sink.admits()) send((json ??= resultJson(value)));
          } catch (error) {
            // One subscriber's failed delivery ends that subscriber alone; the others get the result.
            sink.stop(error);
            void sink.return();
          }
        }
      }
    } catch (error) {
      failure = error;
    } finally {
      if (this.groups.get(key) === group) this.groups.delete(key);
      // The source ended (or failed): so does every subscription that read it.
      for (const { sink } of group.members) sink.stop(failure);
    }
  }

  private async end(key: string, group: Group): Promise<void> {
    if (this.groups.get(key) === group) this.groups.delete(key);
    const source = await group.source;
    if (isStream(source)) await source.return?.();
  }
}
