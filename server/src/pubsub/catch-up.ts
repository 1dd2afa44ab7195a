/**
 * Catching up: the status changes a subscriber has not seen, read from the
 * order index's log of each partition (a Redis Stream, keyed by the change's
 * sequence) from the subscriber's position: a read from a point, not a scan,
 * however long the history. Each entry is the message that was announced, the
 * order in it as it stood right after that change.
 */
import { LogTooFarBehindError, type LoggedMessage, type OrderIndex } from '@orders/core';
import { badInput, unavailable } from '../errors.ts';
import type { Vector } from './cursor.ts';

/** A status message whose change has its place: `change.partition` and `change.seq` are set. */
export type PlacedMessage = LoggedMessage;

/** The partitions' logs merged into one sequence: each partition's in its order, partitions interleaved by time. */
export function arrange(logs: ReadonlyMap<number, readonly PlacedMessage[]>): PlacedMessage[] {
  const streams = [...logs.values()].filter((log) => log.length > 0);
  const next = streams.map(() => 0);
  const merged: PlacedMessage[] = [];
  for (;;) {
    let pick = -1;
    for (const [index, stream] of streams.entries()) {
      const candidate = stream[next[index]!];
      if (candidate === undefined) continue;
      if (pick === -1 || candidate.change.at < streams[pick]![next[pick]!]!.change.at) pick = index;
    }
    if (pick === -1) return merged;
    merged.push(streams[pick]![next[pick]!++]!);
  }
}

/**
 * How long a catch-up waits for the index to be whole again after a Redis failover (see
 * `keepIndexWhole`): read before, the log could lack changes the old primary had, and the
 * subscriber's cursor would pass them for ever.
 */
const REPAIR_WAIT_MS = 60_000;

export class CatchUpReader {
  /** `limit`: the most changes one subscriber may have missed; further behind, it must re-read the lists. */
  constructor(
    private readonly index: OrderIndex,
    private readonly partitions: readonly number[],
    private readonly limit: number,
    private readonly repairWaitMs = REPAIR_WAIT_MS,
  ) {}

  /**
   * The changes after `after`, in order; rejects with BAD_USER_INPUT when they cannot all be given. A
   * cursor older than what a log keeps is refused from the logs' floors alone, before any entry is read
   * (else up to `limit` + 1 entries of every partition would be read to find out).
   */
  async read(after: Vector): Promise<PlacedMessage[]> {
    await this.untilWhole();
    try {
      for (const [partition, from] of await this.index.resumableFrom(this.partitions)) {
        const seen = after.get(partition) ?? -1;
        if (seen < from) {
          throw new LogTooFarBehindError(`the log of partition ${partition} no longer holds the changes after ${seen}`);
        }
      }
      return arrange(await this.index.readLog(after, this.partitions, this.limit));
    } catch (error) {
      if (!(error instanceof LogTooFarBehindError)) throw error;
      throw badInput(
        `after: ${error.message} (at most ${this.limit} are kept); ` +
          'read the orders query, then subscribe again without `after`',
        'after',
      );
    }
  }

  private async untilWhole(): Promise<void> {
    const deadline = Date.now() + this.repairWaitMs;
    while (!(await this.index.whole())) {
      if (Date.now() > deadline) {
        throw unavailable('the order index is being repaired after a Redis failover; subscribe again in a moment');
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
