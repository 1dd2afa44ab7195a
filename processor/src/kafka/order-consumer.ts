/**
 * The consumer group on `orders.created`. Orders are keyed by SKU, so a
 * partition holds all the orders of its products and this instance is their
 * only writer while it owns the partition. Partitions run concurrently; within
 * one, messages are handled in order, and what they announce goes out in order
 * through the partition's announcement queue, whose Kafka transactions also
 * commit their offsets: the next message is handled while the last one's
 * transaction is in flight. An offset is committed only once its message and
 * every one before it are handled and announced (offset-tracker.ts keeps that
 * account). Nothing is committed automatically.
 */
import type { Batch, Consumer, EachBatchHandler, EachBatchPayload, Kafka } from 'kafkajs';
import { warnIfSlow, type Logger } from '@orders/core';
import type { WhileWaiting } from './stable-offsets.ts';
import type { ConsumedMessage } from './consumed-message.ts';
import type { StatusPublisher } from '../announcing/publish-status-change.ts';
import { AnnouncementQueue, announcementSteps, type UntilDone } from '../announcing/announcements.ts';
import type { RunResult } from '../deciding/decide-new-orders.ts';
import type { Outcome } from '../deciding/handle-order-created.ts';
import { OffsetTracker } from './offset-tracker.ts';
import type { Pauses } from './pauses.ts';
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
  readonly backoff?: Backoff;
  /** One try at one message; throws when something it needs is away (the consumer tries again, without end). */
  readonly handle: (message: ConsumedMessage) => Promise<Outcome>;
  /** The partitions waiting on the world, and why. */
  readonly pauses: Pauses;
  /**
   * Decides the new orders at the head of a partition's messages together: their outcomes, a prefix, and
   * whether the message after them waits for its payment (see decide-new-orders.ts).
   */
  readonly decideNewOrders?: (messages: readonly ConsumedMessage[]) => Promise<RunResult>;
  /** Records what messages announce in Redis, then sends it with the offsets up to `upTo` in one transaction. */
  readonly announce: StatusPublisher;
  readonly stats: ProcessorStats;
  readonly logger: Logger;
  /**
   * The group's committed offset of a partition (the next to read) once it is not pending (see
   * stable-offsets.ts), waiting with `whileWaiting` between tries; undefined when there is none.
   */
  readonly committedOffset: (
    topic: string,
    partition: number,
    whileWaiting: WhileWaiting,
  ) => Promise<bigint | undefined>;
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

/**
 * Whether kafkajs says this member must join its group again (as its own runner tells it): the group
 * is rebalancing, or it no longer knows this member (its session ran out while a try held the
 * partition): the partitions may be another member's now.
 */
function isRebalancing(error: unknown): boolean {
  const type = typeof error === 'object' && error !== null && 'type' in error ? error.type : undefined;
  return (
    type === 'REBALANCE_IN_PROGRESS' ||
    type === 'NOT_COORDINATOR_FOR_GROUP' ||
    type === 'ILLEGAL_GENERATION' ||
    type === 'UNKNOWN_MEMBER_ID'
  );
}

/** The most messages of one partition decided together. */
const RUN_LENGTH = 200;

/** What handling one batch needs besides its messages. */
interface Handling {
  readonly options: OrderConsumerOptions;
  /** Aborted once the processor stops: retry waits end, and what is left stays for the next owner. */
  readonly stopping: AbortSignal;
  readonly heartbeat: () => Promise<void>;
  /** Set when a heartbeat said this member must join its group again: the next retry gives up. */
  readonly membership: { lost?: unknown };
}

/** The most time between two heartbeats while a batch is in hand (a try may hold it for 30 s). */
const HEARTBEAT_EVERY_MS = 1000;

/**
 * Heartbeats while a batch is in hand, whatever the handler is waiting for (a database that takes 30 s
 * to say it is away), so that a partition waiting on the world stays this member's. A heartbeat that
 * says the member must join again is kept for the next retry to act on; others (a broker away) are not
 * a reason to give up.
 */
function keepAlive(handling: Handling): () => void {
  const timer = setInterval(() => {
    handling.heartbeat().catch((error: unknown) => {
      if (isRebalancing(error)) handling.membership.lost ??= error;
    });
  }, HEARTBEAT_EVERY_MS);
  return () => clearInterval(timer);
}

function count(stats: ProcessorStats, outcome: Outcome): void {
  if (outcome.kind === 'decided') stats[outcome.status === 'PROCESSED' ? 'processed' : 'failed']++;
  else if (outcome.kind === 'redelivered') stats.redelivered++;
  else stats.deadLettered++;
}

/**
 * What to do before each wait of a retry: count it, pause the partition (saying why once), and keep the
 * consumer in its group. A broker that is away fails the heartbeat too: that is no reason to give up. A
 * rebalance is: the partition may be another member's now, which handles what was left.
 */
function onRetry({ options, heartbeat, membership }: Handling, what: string, partition: number, offset: string) {
  return async (error: unknown, attempt: number, delayMs: number) => {
    if (membership.lost !== undefined) throw membership.lost;
    options.stats.retries++;
    const first = options.pauses.pause(partition, error);
    const level = first || attempt % 10 === 0 ? 'warn' : 'debug';
    options.logger[level](`${what} failed; the partition waits and tries again`, {
      partition,
      offset,
      attempt,
      delayMs,
      cause: options.pauses.list().find((paused) => paused.partition === partition)?.cause,
      error,
    });
    await heartbeat().catch((heartbeatError: unknown) => {
      if (isRebalancing(heartbeatError)) throw heartbeatError;
    });
  };
}

/** The partition goes on after a pause, if it was paused. */
function resumed({ options }: Handling, partition: number): void {
  const pausedMs = options.pauses.resume(partition);
  if (pausedMs !== undefined) options.logger.info('the partition resumes', { partition, pausedMs });
}

/** Handles one message until it is done; undefined when the processor stopped first and it was left uncommitted. */
async function consume(handling: Handling, consumed: ConsumedMessage) {
  const { options, stopping } = handling;
  try {
    const outcome = await retryUntilDone(() => options.handle(consumed), {
      backoff: options.backoff,
      signal: stopping,
      onRetry: onRetry(handling, 'handling a message', consumed.partition, consumed.offset),
    });
    resumed(handling, consumed.partition);
    count(options.stats, outcome);
    return outcome;
  } catch (error) {
    options.pauses.resume(consumed.partition);
    if (!stopping.aborted) throw error;
    // Not committed: whoever owns the partition next handles this message again.
    options.logger.warn('stopped while a message was being retried; it is left for the next owner', {
      partition: consumed.partition,
      offset: consumed.offset,
    });
    return undefined;
  }
}

/** The new orders at the head of a run, decided together; none when that fails (each is then tried alone). */
async function decideRun({ options }: Handling, run: readonly ConsumedMessage[]): Promise<RunResult> {
  const none: RunResult = { outcomes: [], waiting: false };
  if (options.decideNewOrders === undefined) return none;
  try {
    return await options.decideNewOrders(run);
  } catch (error) {
    options.stats.retries++;
    options.logger.warn('deciding new orders together failed; deciding them one at a time', {
      partition: run[0]?.partition,
      from: run[0]?.offset,
      error,
    });
    return none;
  }
}

/** Runs a step of a send until it is done, or the processor stops (what was not sent is left for the next owner). */
function untilDone(handling: Handling): UntilDone {
  return async (what, upTo, step) => {
    try {
      const done = await retryUntilDone(step, {
        backoff: handling.options.backoff,
        signal: handling.stopping,
        onRetry: onRetry(handling, what, upTo.partition, upTo.offset),
      });
      resumed(handling, upTo.partition);
      return done;
    } catch (error) {
      handling.options.pauses.resume(upTo.partition);
      throw error;
    }
  };
}

function messagesOf(batch: Batch): ConsumedMessage[] {
  const { topic, partition } = batch;
  return batch.messages.map(({ offset, key, value, headers }) => ({ topic, partition, offset, key, value, headers }));
}

/** Between two reads of an offset still pending: the consumer stays in its group, or gives up if it stops. */
async function whileWaiting({ stopping, heartbeat }: Handling): Promise<void> {
  if (stopping.aborted) throw new Error('the processor is stopping');
  await heartbeat();
}

/**
 * The group's committed offset of a partition, read once after each time this instance (re)joins its
 * group, before anything of the partition is handled. kafkajs starts a partition from the offset the
 * group gave at the join, which can be older than a transaction the partition's last owner had just
 * committed (its offsets pending then): the messages before the offset the group keeps were handled
 * and announced by that owner, and are skipped.
 */
class CommittedAtJoin {
  /** How many times this instance has joined its group. */
  private joins = 0;
  /** Per partition: the join after which its offset was read, and that offset (undefined: none). */
  private readonly read = new Map<number, { readonly join: number; readonly offset: bigint | undefined }>();

  /** Called each time this instance has (re)joined its group: every partition's offset is read again. */
  joined(): void {
    this.joins++;
  }

  /** The messages of `messages` still to handle; undefined when the processor stopped before it knew. */
  async notYetHandled(
    handling: Handling,
    messages: readonly ConsumedMessage[],
    resolveOffset: (offset: string) => void,
  ) {
    const first = messages[0];
    if (first === undefined) return messages;
    const join = this.joins;
    let known = this.read.get(first.partition);
    if (known?.join !== join) {
      let offset: bigint | undefined;
      try {
        await untilDone(handling)('reading the committed offset', first, async () => {
          offset = await handling.options.committedOffset(first.topic, first.partition, () => whileWaiting(handling));
        });
      } catch (error) {
        if (handling.stopping.aborted) return undefined;
        throw error;
      }
      known = { join, offset };
      this.read.set(first.partition, known);
    }
    const committed = known.offset ?? -1n;
    const skipped = messages.filter((message) => BigInt(message.offset) < committed);
    const last = skipped.at(-1);
    if (last === undefined) return messages;
    handling.options.logger.warn('skipping messages the last owner of the partition had committed as it left', {
      partition: first.partition,
      from: first.offset,
      committed: committed.toString(),
    });
    resolveOffset(last.offset);
    return messages.slice(skipped.length);
  }
}

/** Takes a handled message into the partition's bookkeeping; false when the batch must stop (its queue failed). */
type Accept = (consumed: ConsumedMessage, outcome: Outcome) => Promise<boolean>;

/**
 * Handles a batch's messages in order, a run at a time: the new orders at its head decided together, the
 * message after them alone, with its retries. Ends with the batch, when the consumer stops (the messages
 * in hand finish), when a seek after a rebalance makes the rest stale, or when the queue fails; and early
 * when the order after a run waits for its payment's answer: the messages from it on are left
 * unresolved, so the next fetch brings them again with those that came since, whose payments are then
 * asked while the earlier ones are still in flight. A partition waiting on a slow payment so holds up
 * neither the asking of its next payments nor the fetching of the other partitions.
 */
async function handleInRuns(
  handling: Handling,
  messages: readonly ConsumedMessage[],
  accept: Accept,
  state: Pick<EachBatchPayload, 'isRunning' | 'isStale'>,
): Promise<void> {
  let next = 0;
  while (next < messages.length) {
    if (!state.isRunning() || state.isStale()) return;
    const run = messages.slice(next, next + RUN_LENGTH);
    const decided = await decideRun(handling, run);
    for (const [i, outcome] of decided.outcomes.entries()) {
      count(handling.options.stats, outcome);
      next += 1;
      if (!(await accept(run[i]!, outcome))) return;
    }
    // The next order waits for its payment's answer: fetch again rather than wait here.
    if (decided.waiting === 'answer') return;
    // It waited for room among the payments in flight: the next run asks it and those after it.
    if (decided.waiting === 'room') continue;
    const single = decided.outcomes.length < run.length ? run[decided.outcomes.length] : undefined;
    if (single !== undefined) {
      const outcome = await consume(handling, single);
      if (outcome === undefined) return;
      next += 1;
      if (!(await accept(single, outcome))) return;
    }
    await handling.heartbeat();
  }
}

function createEachBatch(
  consumer: Consumer,
  options: OrderConsumerOptions,
  stopping: AbortSignal,
  committedAtJoin: CommittedAtJoin,
): EachBatchHandler {
  async function handleBatch(
    handling: Handling,
    { batch, resolveOffset, commitOffsetsIfNecessary, ...state }: EachBatchPayload,
  ): Promise<void> {
    const { topic, partition } = batch;
    const messages = await committedAtJoin.notYetHandled(handling, messagesOf(batch), resolveOffset);
    if (messages === undefined) return;
    const offsets = new OffsetTracker({
      queue: new AnnouncementQueue(announcementSteps(options.announce, untilDone(handling)), options.commitIntervalMs),
      // With explicit offsets this commits even while the consumer stops (consumer.commitOffsets would not).
      commit: (offset) => commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] }),
    });
    const accept: Accept = (consumed, outcome) => {
      resolveOffset(consumed.offset);
      return offsets.accept(consumed, outcome.announcements);
    };
    try {
      await handleInRuns(handling, messages, accept, state);
    } finally {
      const resumeAt = await offsets.finish(batch.firstOffset() ?? undefined);
      if (resumeAt !== undefined && state.isRunning() && !stopping.aborted) {
        // Still running (a rebalance kept the partition here): the messages whose changes were not sent
        // are fetched and handled again, which announces them, rather than skipped with their offsets.
        options.logger.warn('announcing failed; handling the unsent messages again', { partition, offset: resumeAt });
        consumer.seek({ topic, partition, offset: resumeAt });
      }
    }
  }

  return async (payload) => {
    const handling: Handling = { options, stopping, heartbeat: payload.heartbeat, membership: {} };
    const stopHeartbeats = keepAlive(handling);
    try {
      await handleBatch(handling, payload);
    } finally {
      stopHeartbeats();
    }
  };
}

export function createOrderConsumer(options: OrderConsumerOptions): OrderConsumer {
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
  const committedAtJoin = new CommittedAtJoin();
  consumer.on(consumer.events.CONNECT, () => (connected = true));
  consumer.on(consumer.events.DISCONNECT, () => (connected = false));
  consumer.on(consumer.events.GROUP_JOIN, () => {
    committedAtJoin.joined();
    options.onRebalance?.();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) =>
    options.logger.error('consumer crashed', { error: payload.error, restart: payload.restart }),
  );

  return {
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic: options.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.concurrency,
        eachBatch: createEachBatch(consumer, options, stopping.signal, committedAtJoin),
      });
    },
    async stop() {
      // kafkajs stops fetching at once; the abort then cuts short any retry waits.
      const stopped = consumer.stop();
      stopping.abort();
      await warnIfSlow(options.logger, 'the batches in hand to finish', stopped);
      await warnIfSlow(options.logger, 'the consumer to leave its group', consumer.disconnect());
    },
    isConnected: () => connected,
  };
}
