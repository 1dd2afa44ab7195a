/**
 * The consumer group on `orders.created`. Orders are keyed by SKU, so a
 * partition holds all the orders of its products and this instance is their
 * only writer while it owns the partition. Partitions run concurrently; within
 * one, messages are handled in order, and what they announce goes out in order
 * through the partition's announcement queue, whose Kafka transactions also
 * commit their offsets: the next message is handled while the last one's
 * transaction is in flight. An offset is committed only once its message and
 * every one before it are handled and announced. Messages that announce
 * nothing, while nothing is being sent, are committed in groups of up to 100
 * or 200 ms. Nothing is committed automatically.
 */
import type { Consumer, EachBatchHandler, Kafka } from 'kafkajs';
import type { Logger } from '@orders/core';
import { processingFailed, type Decision } from '../decide/decide.ts';
import type { ConsumedMessage } from '../dead-letters/send-to-dead-letters.ts';
import type { StatusPublisher } from '../emit/publish-status-change.ts';
import { AnnouncementQueue, announcementSteps, type UntilDone } from './announcements.ts';
import type { Outcome } from './handle-order-created.ts';
import { retryUntilDone, type Backoff } from './retry.ts';

/** What this instance has done since it started. */
export interface ProcessorStats {
  /** Orders this instance decided PROCESSED. */
  processed: number;
  /** Orders this instance decided FAILED, for whatever reason. */
  failed: number;
  /** Messages sent to the dead-letter topic. */
  deadLettered: number;
  /** Messages about orders already handled (redeliveries), skipped. */
  redelivered: number;
  /** Tries that failed and were retried. */
  retries: number;
}

export interface OrderConsumerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topic: string;
  readonly concurrency: number;
  /** The shortest time between two transactions of one partition, while it is busy. */
  readonly commitIntervalMs?: number;
  readonly maxAttempts: number;
  readonly backoff?: Backoff;
  readonly handle: (message: ConsumedMessage, imposed: Decision | undefined) => Promise<Outcome>;
  /** Decides the new orders at the head of a partition's messages together: their outcomes, a prefix (see decide-new-orders.ts). */
  readonly decideNewOrders?: (messages: readonly ConsumedMessage[]) => Promise<readonly Outcome[]>;
  /** Records what messages announce in Redis, then sends it with the offsets up to `upTo` in one transaction. */
  readonly announce: StatusPublisher;
  readonly stats: ProcessorStats;
  readonly logger: Logger;
  /** Called each time this instance (re)joins its group, when its partitions may have changed. */
  readonly onRebalance?: () => void;
}

export interface OrderConsumer {
  /** Resolves once the consumer has joined its group and fetches. */
  start(): Promise<void>;
  /** Stops fetching, lets in-flight messages finish (and commit), leaves the group, disconnects. */
  stop(): Promise<void>;
  isConnected(): boolean;
}

/** Whether kafkajs says the group is rebalancing (as its own runner tells it). */
function isRebalancing(error: unknown): boolean {
  const type = typeof error === 'object' && error !== null && 'type' in error ? error.type : undefined;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION';
}

/** Commit after this many handled messages of a partition, or this long after the last commit, whichever is first. */
const COMMIT_EVERY = 100n;
const COMMIT_AFTER_MS = 200;
/** The most messages of one partition decided together. */
const RUN_LENGTH = 200;

export function createOrderConsumer(options: OrderConsumerOptions): OrderConsumer {
  const { stats, logger } = options;
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    // A short fetch wait, so that stop() does not wait long for an idle fetch.
    maxWaitTimeInMs: 1000,
    // A member that died (kill -9, a lost machine) gives up its partitions after 10 s, not 30.
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const stopping = new AbortController();
  let connected = false;
  consumer.on(consumer.events.CONNECT, () => (connected = true));
  consumer.on(consumer.events.DISCONNECT, () => (connected = false));
  consumer.on(consumer.events.GROUP_JOIN, () => options.onRebalance?.());
  consumer.on(consumer.events.CRASH, ({ payload }) =>
    logger.error('consumer crashed', { error: payload.error, restart: payload.restart }),
  );

  const count = (outcome: Outcome) => {
    if (outcome.kind === 'decided') stats[outcome.status === 'PROCESSED' ? 'processed' : 'failed']++;
    else if (outcome.kind === 'redelivered') stats.redelivered++;
    else stats.deadLettered++;
  };

  /** Handles one message until it is done; undefined when the processor stopped first and it was left uncommitted. */
  async function consume(consumed: ConsumedMessage, heartbeat: () => Promise<void>): Promise<Outcome | undefined> {
    const log = logger.child({ partition: consumed.partition, offset: consumed.offset });
    try {
      const outcome = await retryUntilDone(
        (giveUp) => options.handle(consumed, giveUp && processingFailed(giveUp.attempts, giveUp.reason)),
        {
          maxAttempts: options.maxAttempts,
          backoff: options.backoff,
          signal: stopping.signal,
          onRetry: async (error, attempt, delayMs) => {
            stats.retries++;
            const giveUp = attempt >= options.maxAttempts;
            log[giveUp ? 'error' : 'warn']('message failed; retrying', { attempt, delayMs, giveUp, error });
            await heartbeat();
          },
        },
      );
      count(outcome);
      return outcome;
    } catch (error) {
      if (!stopping.signal.aborted) throw error;
      // Not committed: whoever owns the partition next handles this message again.
      log.warn('stopped while a message was being retried; it is left for the next owner');
      return undefined;
    }
  }

  /** The new orders at the head of a run, decided together; none when that fails (each is then tried alone). */
  async function decideRun(run: readonly ConsumedMessage[]): Promise<readonly Outcome[]> {
    if (options.decideNewOrders === undefined) return [];
    try {
      return await options.decideNewOrders(run);
    } catch (error) {
      stats.retries++;
      logger.warn('deciding new orders together failed; deciding them one at a time', {
        partition: run[0]?.partition,
        from: run[0]?.offset,
        error,
      });
      return [];
    }
  }

  /** Runs a step of a send until it is done, or the processor stops (what was not sent is left for the next owner). */
  const untilDone =
    (heartbeat: () => Promise<void>): UntilDone =>
    (what, upTo, step) =>
      retryUntilDone(step, {
        maxAttempts: Number.POSITIVE_INFINITY,
        backoff: options.backoff,
        signal: stopping.signal,
        onRetry: async (error, attempt, delayMs) => {
          stats.retries++;
          logger.warn(`${what} failed; retrying`, {
            partition: upTo.partition,
            upTo: upTo.offset,
            attempt,
            delayMs,
            error,
          });
          // A broker that is away fails the heartbeat too: that is no reason to give up. A rebalance is:
          // the partition may be another member's now, which handles what was not sent.
          await heartbeat().catch((heartbeatError: unknown) => {
            if (isRebalancing(heartbeatError)) throw heartbeatError;
          });
        },
      });

  const eachBatch: EachBatchHandler = async ({
    batch,
    resolveOffset,
    commitOffsetsIfNecessary,
    heartbeat,
    ...state
  }) => {
    const { topic, partition } = batch;
    const announcements = new AnnouncementQueue(
      announcementSteps(options.announce, untilDone(heartbeat)),
      options.commitIntervalMs,
    );
    let handled: string | undefined;
    let committed: string | undefined;
    let lastCommitAt = Date.now();
    /** Commits what was handled and announced; only while nothing is being sent (a send commits its own). */
    const commit = async () => {
      const upTo = handled;
      if (upTo === undefined || upTo === committed) return;
      if (announcements.sentUpTo !== upTo) {
        const next = (BigInt(upTo) + 1n).toString();
        // With explicit offsets this commits even while the consumer stops (consumer.commitOffsets would not).
        await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
      }
      committed = upTo;
      lastCommitAt = Date.now();
    };
    let sendFailed = false;
    try {
      /** Takes a handled message into the queue (or the next commit); false when the queue has failed. */
      const accept = async (consumed: ConsumedMessage, outcome: Outcome): Promise<boolean> => {
        resolveOffset(consumed.offset);
        handled = consumed.offset;
        if (outcome.announcements.length > 0 || announcements.busy) {
          try {
            announcements.add(consumed, outcome.announcements);
          } catch {
            return false; // stopping or rebalancing: what was not sent is handled again (below) or by the next owner
          }
        } else if (
          BigInt(handled) - BigInt(committed ?? -1) >= COMMIT_EVERY ||
          Date.now() - lastCommitAt >= COMMIT_AFTER_MS
        ) {
          await commit();
        }
        return true;
      };
      const messages: ConsumedMessage[] = batch.messages.map((message) => ({
        topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
      }));
      let next = 0;
      handling: while (next < messages.length) {
        // Stopping lets the messages in hand finish; a seek (after a rebalance) makes the rest of the batch stale.
        if (!state.isRunning() || state.isStale()) break;
        const run = messages.slice(next, next + RUN_LENGTH);
        // New orders at the head are decided together; the message after them alone, with its retries.
        const decided = await decideRun(run);
        for (const [i, outcome] of decided.entries()) {
          count(outcome);
          next += 1;
          if (!(await accept(run[i]!, outcome))) {
            sendFailed = true;
            break handling;
          }
        }
        const single = decided.length < run.length ? run[decided.length] : undefined;
        if (single !== undefined) {
          const outcome = await consume(single, heartbeat);
          if (outcome === undefined) break;
          next += 1;
          if (!(await accept(single, outcome))) {
            sendFailed = true;
            break;
          }
        }
        await heartbeat();
      }
    } finally {
      sendFailed = await announcements.settle().then(
        () => sendFailed,
        () => true,
      );
      if (!sendFailed) await commit();
      else if (state.isRunning() && !stopping.signal.aborted) {
        // Still running (a rebalance kept the partition here): the messages whose changes were not sent
        // are fetched and handled again, which announces them, rather than skipped with their offsets.
        const done = [announcements.sentUpTo, committed]
          .filter((offset): offset is string => offset !== undefined)
          .map(BigInt)
          .reduce((last, offset) => (offset > last ? offset : last), BigInt(batch.firstOffset() ?? '0') - 1n);
        const offset = (done + 1n).toString();
        logger.warn('announcing failed; handling the unsent messages again', { partition, offset });
        consumer.seek({ topic, partition, offset });
      }
    }
  };

  return {
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic: options.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.concurrency,
        eachBatch,
      });
    },
    async stop() {
      // kafkajs stops fetching at once; the abort then cuts short any retry waits.
      const stopped = consumer.stop();
      stopping.abort();
      await stopped;
      await consumer.disconnect();
    },
    isConnected: () => connected,
  };
}
