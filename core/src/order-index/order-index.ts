/**
 * OrderIndex: the query side of the system, shared in Redis by every server
 * instance, so that no process holds anything that grows with the orders.
 *
 * - Lists: a sorted set per status, and per customer and status; a list of
 *   several statuses (or of every status) merges them in Redis. Each order sits
 *   in two sets, which keeps the index near 300 bytes an order.
 * - What the index holds of each order (its version and status), so that a
 *   change is applied only when it is newer: idempotent and order-insensitive.
 * - Counts (ZCARD, no scan) and per-minute counters of created, processed and
 *   failed orders, expiring after the statistics' window.
 * - A log of announced status changes per partition of `orders.created` (a
 *   Redis Stream keyed by the change's sequence, trimmed to a fixed length),
 *   which subscribers resuming from a cursor read from a position.
 * - The orders whose current version may not have reached Kafka (the outbox).
 *
 * Writers (the server on create and retry, the processor on decide) apply
 * each change in one round trip that also PUBLISHes it; concurrent writes share
 * one pipeline. The index is derived data: see rebuild.ts.
 */
import type { Redis, ChainableCommander } from 'ioredis';
import type { RedisConfig } from '../config.ts';
import { createRedis } from '../redis-client.ts';
import { Batcher } from '../batcher.ts';
import type { OrderStatusMessage } from '../events.ts';
import { ORDER_STATUSES, type OrderStatus } from '../status.ts';
import {
  INDEX_LAYOUT,
  STATS_WINDOW_MINUTES,
  indexKeys,
  logEntryId,
  memberOf,
  minuteOf,
  listPositionOf,
  seqOfLogEntry,
  statusNumber,
  type IndexKeys,
  type ListPosition,
} from './layout.ts';
import {
  APPLY_ORDER,
  READ_PAGE,
  READ_STATISTICS,
  READ_VERIFICATION,
  RECORD_CHECKPOINT,
  RELEASE_LOCK,
  RENEW_LOCK,
  RESTORE_LOG,
} from './scripts.ts';

/** What the index needs of an order: its place, its status and version, and when it was decided. */
export interface IndexedOrder {
  readonly _id: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly version: number;
  readonly createdAt: Date | string;
  readonly history: readonly { readonly version: number; readonly status: OrderStatus; readonly at: Date | string }[];
}

export interface ApplyOptions {
  /** PUBLISH this message on this channel in the same round trip: when the index took the change, or for a logged change, when the log did. */
  readonly publish?: { readonly channel: string; readonly message: string };
  /** The change's place in its partition's log; the published message is what the log keeps. */
  readonly log?: { readonly partition: number; readonly seq: number };
  /** The order's current version has reached Kafka: drop its unpublished mark. */
  readonly published?: boolean;
}

export interface ListFilter {
  readonly statuses?: readonly OrderStatus[];
  readonly customerId?: string;
}

export interface PageRequest extends ListFilter {
  /** Only orders older than this position. */
  readonly olderThan?: ListPosition;
  /** Only orders newer than this position. */
  readonly newerThan?: ListPosition;
  readonly limit: number;
  /** From the oldest end of the range (for `last`/`before`) rather than the newest. */
  readonly oldestFirst: boolean;
}

export interface IndexedEntry extends ListPosition {
  /** The version the index holds (0 if the order is listed but its record is gone). */
  readonly version: number;
}

export interface MinuteCounts {
  readonly at: Date;
  readonly created: number;
  readonly processed: number;
  readonly failed: number;
}

/** A status change read back from a partition's log, with its place. */
export type LoggedMessage = OrderStatusMessage & { change: { partition: number; seq: number } };

export interface IndexState {
  /** The layout the index was built with; undefined when there is no index (Redis new or flushed). */
  readonly layout: number | undefined;
  /** Whether the logs hold every change since the first (the index was made before any order). */
  readonly genesis: boolean;
  readonly builtAt: Date | undefined;
}

export class LogTooFarBehindError extends Error {
  override readonly name = 'LogTooFarBehindError';
  readonly code = 'LOG_TOO_FAR_BEHIND';
}

export interface OrderIndexOptions {
  /** The system's prefix (NAME_PREFIX): systems sharing one Redis never meet. */
  readonly prefix?: string;
  /** How many changes each partition's log keeps (the deepest a resuming subscriber can catch up). */
  readonly logLength?: number;
}

export const DEFAULT_LOG_LENGTH = 10_000;

interface Pending {
  readonly order: IndexedOrder;
  readonly options: ApplyOptions;
}

type Scripted = Record<string, (...args: (string | number)[]) => Promise<unknown>>;

/** Registers the scripts once per connection; ioredis loads them (EVALSHA, or EVAL on a miss) in pipelines too. */
function withScripts(redis: Redis): Redis {
  if (!('ordersApply' in redis)) {
    redis.defineCommand('ordersApply', { lua: APPLY_ORDER });
    redis.defineCommand('ordersReadPage', { lua: READ_PAGE });
    redis.defineCommand('ordersReadStatistics', { lua: READ_STATISTICS });
    redis.defineCommand('ordersReleaseLock', { lua: RELEASE_LOCK, numberOfKeys: 1 });
    redis.defineCommand('ordersRenewLock', { lua: RENEW_LOCK, numberOfKeys: 1 });
    redis.defineCommand('ordersReadVerification', { lua: READ_VERIFICATION, numberOfKeys: 1 });
    redis.defineCommand('ordersRecordCheckpoint', { lua: RECORD_CHECKPOINT, numberOfKeys: 2 });
    redis.defineCommand('ordersRestoreLog', { lua: RESTORE_LOG, numberOfKeys: 4 });
  }
  return redis;
}

const scripted = (target: Redis | ChainableCommander) => target as unknown as Scripted;
const toMs = (at: Date | string) => (typeof at === 'string' ? Date.parse(at) : at.getTime());

export class OrderIndex {
  readonly keys: IndexKeys;
  readonly logLength: number;
  private readonly redis: Redis;
  private readonly applies: Batcher<Pending>;
  private readonly marks: Batcher<{ id: string; at: number; added?: boolean }>;

  constructor(redis: Redis, options: OrderIndexOptions = {}) {
    this.redis = withScripts(redis);
    this.keys = indexKeys(options.prefix);
    this.logLength = options.logLength ?? DEFAULT_LOG_LENGTH;
    this.applies = new Batcher(async (items) => {
      const pipeline = this.redis.pipeline();
      for (const { order, options: applyOptions } of items) this.queueApply(pipeline, order, applyOptions);
      return failuresOf(await pipeline.exec());
    });
    this.marks = new Batcher(async (items) => {
      // NX: a mark that is there already keeps its time, and its writer learns it was there.
      const pipeline = this.redis.pipeline();
      for (const { id, at } of items) pipeline.zadd(this.keys.unpublished, 'NX', at, id);
      const replies = (await pipeline.exec()) ?? [];
      for (const [i, [error, added]] of replies.entries()) {
        if (error) throw error;
        items[i]!.added = added === 1;
      }
    });
  }

  // ——— writes ———

  /** Applies an order as it now stands (see APPLY_ORDER); concurrent calls share one pipeline. */
  apply(order: IndexedOrder, options: ApplyOptions = {}): Promise<void> {
    return this.applies.add({ order, options });
  }

  /** Applies many orders in one pipeline, publishing nothing: the rebuild's write. */
  async applyAll(orders: readonly IndexedOrder[], now = Date.now()): Promise<void> {
    if (orders.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const order of orders) this.queueApply(pipeline, order, {}, now);
    const failures = failuresOf(await pipeline.exec());
    if (failures.size > 0) throw [...failures.values()][0];
  }

  /**
   * Marks an order as perhaps not in Kafka at its current version, before its write to MongoDB. Resolves
   * with false when it was marked already (and its mark keeps the earlier time).
   */
  async markUnpublished(id: string, at = Date.now()): Promise<boolean> {
    const item: { id: string; at: number; added?: boolean } = { id, at };
    await this.marks.add(item);
    return item.added ?? true;
  }

  /**
   * Whether each order is known to the index, listed or marked unpublished: a server marks an order
   * before it stores it, so an order its servers published is known here unless Redis lost it.
   */
  async known(ids: readonly string[]): Promise<boolean[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hexists(this.keys.orders, id).zscore(this.keys.unpublished, id);
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    return ids.map((_, i) => replies[2 * i]?.[1] === 1 || replies[2 * i + 1]?.[1] != null);
  }

  /** Whether the order is marked as perhaps not in Kafka at its current version. */
  /** Orders marked unpublished: stored, and not yet known to have reached Kafka (the outbox's backlog). */
  countUnpublished(): Promise<number> {
    return this.redis.zcard(this.keys.unpublished);
  }

  async isUnpublished(id: string): Promise<boolean> {
    return (await this.redis.zscore(this.keys.unpublished, id)) !== null;
  }

  async clearUnpublished(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.zrem(this.keys.unpublished, ...ids);
  }

  private queueApply(pipeline: ChainableCommander, order: IndexedOrder, options: ApplyOptions, now = Date.now()) {
    const { keys } = this;
    const member = memberOf({ at: toMs(order.createdAt), id: order._id });
    const events = minuteEvents(order, now);
    const partition = options.log === undefined ? '' : String(options.log.partition);
    const argv: (string | number)[] = [
      order._id,
      order.version,
      statusNumber(order.status),
      member,
      options.publish?.channel ?? '',
      options.publish?.message ?? '',
      partition,
      options.log?.seq ?? 0,
      this.logLength,
      options.published ? '1' : '0',
      ...events.flatMap((event) => [event.field, event.version, event.expireAt]),
    ];
    const keyList = [
      keys.orders,
      ...ORDER_STATUSES.map((status) => keys.status(status)),
      ...ORDER_STATUSES.map((status) => keys.customer(order.customerId, status)),
      keys.unpublished,
      keys.log(options.log?.partition ?? 0),
      keys.logHeads,
      keys.logFloors,
      keys.meta,
      ...events.map((event) => keys.minute(event.minute)),
    ];
    scripted(pipeline).ordersApply!(keyList.length, ...keyList, ...argv);
  }

  // ——— reads ———

  /** The lists a filter reads: one per status asked for (every status when none), the customer's if given. */
  listsOf(filter: ListFilter): string[] {
    const statuses = filter.statuses?.length ? [...new Set(filter.statuses)] : ORDER_STATUSES;
    return statuses.map((status) =>
      filter.customerId === undefined ? this.keys.status(status) : this.keys.customer(filter.customerId, status),
    );
  }

  /** Up to `limit` entries of a list in list order (newest first), or from the oldest end when asked. */
  async page(request: PageRequest): Promise<IndexedEntry[]> {
    if (request.limit <= 0) return [];
    const upper = request.olderThan ? `(${memberOf(request.olderThan)}` : '+';
    const lower = request.newerThan ? `(${memberOf(request.newerThan)}` : '-';
    const lists = this.listsOf(request);
    const reply = (await scripted(this.redis).ordersReadPage!(
      lists.length + 1,
      this.keys.orders,
      ...lists,
      upper,
      lower,
      request.limit,
      request.oldestFirst ? '1' : '0',
    )) as string[];
    const entries: IndexedEntry[] = [];
    for (let i = 0; i < reply.length; i += 2) {
      const held = reply[i + 1] ?? '';
      entries.push({ ...listPositionOf(reply[i]!), version: held === '' ? 0 : Number(held.split(':')[0]) });
    }
    return entries;
  }

  /** How many orders a filter lists, from the sets' sizes. */
  async count(filter: ListFilter): Promise<number> {
    const pipeline = this.redis.pipeline();
    for (const list of this.listsOf(filter)) pipeline.zcard(list);
    return numbersOf(await pipeline.exec()).reduce((sum, n) => sum + n, 0);
  }

  /** Orders per status, and the last `minutes` whole minutes up to `now`'s, in one round trip. */
  async statistics(now: Date, minutes = STATS_WINDOW_MINUTES) {
    const last = minuteOf(now.getTime());
    const starts = Array.from({ length: minutes }, (_, i) => last - (minutes - 1 - i) * 60_000);
    const lists = ORDER_STATUSES.map((status) => this.keys.status(status));
    const minuteKeys = starts.map((start) => this.keys.minute(start));
    const reply = (await scripted(this.redis).ordersReadStatistics!(
      lists.length + minuteKeys.length,
      ...lists,
      ...minuteKeys,
      lists.length,
    )) as number[];
    const counts = Object.fromEntries(ORDER_STATUSES.map((status, i) => [status, reply[i]!])) as Record<
      OrderStatus,
      number
    >;
    const perMinute: MinuteCounts[] = starts.map((start, i) => {
      const at = lists.length + i * 3;
      return { at: new Date(start), created: reply[at]!, processed: reply[at + 1]!, failed: reply[at + 2]! };
    });
    return { counts, perMinute };
  }

  /** Orders marked unpublished at or before `cutoff` (ms), oldest first. */
  async unpublishedBefore(cutoff: number, limit: number): Promise<{ id: string; at: number }[]> {
    const reply = await this.redis.zrangebyscore(
      this.keys.unpublished,
      '-inf',
      cutoff,
      'WITHSCORES',
      'LIMIT',
      0,
      limit,
    );
    const found: { id: string; at: number }[] = [];
    for (let i = 0; i < reply.length; i += 2) found.push({ id: reply[i]!, at: Number(reply[i + 1]) });
    return found;
  }

  /** Partition → the last sequence appended to its log. */
  async logHeads(): Promise<Map<number, number>> {
    const heads = await this.redis.hgetall(this.keys.logHeads);
    return new Map(Object.entries(heads).map(([partition, seq]) => [Number(partition), Number(seq)]));
  }

  /**
   * Partition → the oldest point a reader may resume its log from (the last sequence it has seen): the
   * log's floor, -1 for a log that holds every change since the first, Infinity when nothing of what came
   * before is known. One small round trip, before any entry is read (see `readLog`).
   */
  async resumableFrom(partitions: readonly number[]): Promise<Map<number, number>> {
    const [floors, genesis] = checked(
      await this.redis.pipeline().hgetall(this.keys.logFloors).hget(this.keys.meta, 'genesis').exec(),
    ) as [Record<string, string>, string | null];
    return new Map(partitions.map((partition) => [partition, resumePoint(floors, genesis === '1', partition)]));
  }

  /**
   * The changes after `after` (partition → last sequence seen; a partition it does not name, from its
   * start) in each of `partitions`, each partition's in its order. Throws LogTooFarBehindError when a
   * log no longer holds what follows the point, or when more than `limit` changes follow it.
   */
  async readLog(after: ReadonlyMap<number, number>, partitions: readonly number[], limit: number) {
    const pipeline = this.redis.pipeline();
    pipeline.hgetall(this.keys.logFloors);
    pipeline.hget(this.keys.meta, 'genesis');
    for (const partition of partitions) {
      const seen = after.get(partition);
      const start = seen === undefined ? '-' : `(${logEntryId(seen)}`;
      pipeline.xrange(this.keys.log(partition), start, '+', 'COUNT', limit + 1);
    }
    const replies = checked(await pipeline.exec());
    const floors = replies[0] as Record<string, string>;
    const genesis = replies[1] === '1';
    const logs = new Map<number, LoggedMessage[]>();
    let total = 0;
    partitions.forEach((partition, i) => {
      const entries = replies[i + 2] as [string, string[]][];
      const seen = after.get(partition) ?? -1;
      if (seen < resumePoint(floors, genesis, partition)) {
        throw new LogTooFarBehindError(`the log of partition ${partition} no longer holds the changes after ${seen}`);
      }
      total += entries.length;
      if (total > limit) throw new LogTooFarBehindError(`more than ${limit} changes were made since this point`);
      logs.set(
        partition,
        entries.map(([id, fields]) => {
          const message = JSON.parse(fields[1]!) as OrderStatusMessage;
          return { ...message, change: { ...message.change, partition, seq: seqOfLogEntry(id) } };
        }),
      );
    });
    return logs;
  }

  // ——— the index itself ———

  /**
   * The node that answers now (its replication id) and the one the index was last found whole on
   * (undefined if never): they differ after a failover or a restart, until the repair has run.
   */
  async verification(): Promise<{ node: string; verifiedOn: string | undefined }> {
    const [node, verifiedOn] = (await scripted(this.redis).ordersReadVerification!(this.keys.meta)) as [string, string];
    return { node, verifiedOn: verifiedOn === '' ? undefined : verifiedOn };
  }

  /** Whether nothing is known to be missing: the index was found whole on the node that answers, or never checked. */
  async whole(): Promise<boolean> {
    const { node, verifiedOn } = await this.verification();
    return verifiedOn === undefined || verifiedOn === node;
  }

  /** Partition of `orders.created` → the committed offset up to which the index was last found whole. */
  async checkpoint(): Promise<Map<number, bigint>> {
    const held = await this.redis.hgetall(this.keys.checkpoint);
    return new Map(Object.entries(held).map(([partition, offset]) => [Number(partition), BigInt(offset)]));
  }

  /**
   * Records `offsets` as the checkpoint (and, with `verified`, the index as whole on `node`), if `node`
   * still answers; false if another node took over meanwhile.
   */
  async recordCheckpoint(node: string, offsets: ReadonlyMap<number, bigint>, verified: boolean): Promise<boolean> {
    const pairs = [...offsets].flatMap(([partition, offset]) => [String(partition), offset.toString()]);
    const reply = await scripted(this.redis).ordersRecordCheckpoint!(
      this.keys.meta,
      this.keys.checkpoint,
      node,
      verified ? '1' : '0',
      ...pairs,
    );
    return Number(reply) === 1;
  }

  /** Keeps what the last repair did, for operators and tests to read (`lastRepair`). */
  async noteRepair(report: { orders: number; logEntries: number; ms: number; outcome: string }): Promise<void> {
    await this.redis.hset(this.keys.meta, 'lastRepair', JSON.stringify({ ...report, at: new Date().toISOString() }));
  }

  async lastRepair(): Promise<
    { orders: number; logEntries: number; ms: number; outcome: string; at: string } | undefined
  > {
    const held = await this.redis.hget(this.keys.meta, 'lastRepair');
    return held === null ? undefined : JSON.parse(held);
  }

  /**
   * Puts the entries a failover lost back into a partition's log, in their places (see RESTORE_LOG);
   * `entries` in ascending sequence. Resolves with how many were missing.
   */
  async restoreLog(partition: number, entries: readonly { seq: number; message: string }[]): Promise<number> {
    if (entries.length === 0) return 0;
    const { keys } = this;
    const reply = await scripted(this.redis).ordersRestoreLog!(
      keys.log(partition),
      keys.logHeads,
      keys.logFloors,
      keys.meta,
      String(partition),
      ...entries.flatMap(({ seq, message }) => [seq, message]),
    );
    return Number(reply);
  }

  async state(): Promise<IndexState> {
    const meta = await this.redis.hgetall(this.keys.meta);
    return {
      layout: meta.layout === undefined ? undefined : Number(meta.layout),
      genesis: meta.genesis === '1',
      builtAt: meta.builtAt === undefined ? undefined : new Date(Number(meta.builtAt)),
    };
  }

  /**
   * Records that the index of this layout is complete; `genesis` when it was made before the first
   * order, so that its logs hold every change.
   */
  async markBuilt(genesis: boolean): Promise<void> {
    await this.redis.hset(this.keys.meta, {
      layout: INDEX_LAYOUT,
      builtAt: Date.now(),
      ...(genesis ? { genesis: '1' } : {}),
    });
    if (!genesis) await this.redis.hdel(this.keys.meta, 'genesis');
  }

  /** Takes the rebuild lock for `ms` if nobody holds it; true if taken. */
  async lockRebuild(owner: string, ms: number): Promise<boolean> {
    return (await this.redis.set(this.keys.rebuildLock, owner, 'PX', ms, 'NX')) === 'OK';
  }

  async renewRebuildLock(owner: string, ms: number): Promise<boolean> {
    return Number(await scripted(this.redis).ordersRenewLock!(this.keys.rebuildLock, owner, ms)) === 1;
  }

  async unlockRebuild(owner: string): Promise<void> {
    await scripted(this.redis).ordersReleaseLock!(this.keys.rebuildLock, owner);
  }

  /** Every key of this system's index, of any layout (for tests and a rebuild from nothing). */
  drop(options: { except?: readonly string[] } = {}): Promise<number> {
    const kept = new Set(options.except);
    return this.unlinkWhere((key) => !kept.has(key));
  }

  /** Keys of this system's index from other layouts (left by an older version). */
  dropOtherLayouts(): Promise<number> {
    const { base, meta, rebuildLock } = this.keys;
    return this.unlinkWhere((key) => !key.startsWith(`${base}:`) && key !== meta && key !== rebuildLock);
  }

  /** Unlinks the keys of this system's index (its hash tag) that `doomed` picks; returns how many. */
  private async unlinkWhere(doomed: (key: string) => boolean): Promise<number> {
    const tag = this.keys.meta.slice(0, this.keys.meta.indexOf('}') + 1);
    let dropped = 0;
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${escapeGlob(tag)}*`, 'COUNT', 1000);
      cursor = next;
      const picked = found.filter(doomed);
      if (picked.length > 0) dropped += await this.redis.unlink(...picked);
    } while (cursor !== '0');
    return dropped;
  }
}

/**
 * Deletes a system's whole order index over a connection of its own, for runs that end (tests,
 * benchmarks): Redis keeps the index on disk, and their keys must not pile up.
 */
export async function dropOrderIndex(config: RedisConfig, prefix: string): Promise<number> {
  const redis = createRedis(config);
  try {
    return await new OrderIndex(redis, { prefix }).drop();
  } finally {
    redis.disconnect();
  }
}

/** The per-minute counter each status counts in (a decision), or none: a new status must say which. */
const MINUTE_FIELD: Record<OrderStatus, 'p' | 'f' | null> = { PENDING: null, PROCESSED: 'p', FAILED: 'f' };

/** The per-minute events of an order in the statistics' window: created, and each decision. */
function minuteEvents(order: IndexedOrder, now: number) {
  const oldest = minuteOf(now) - STATS_WINDOW_MINUTES * 60_000;
  const events: { field: string; version: number; minute: number; expireAt: number }[] = [];
  const add = (field: string, version: number, at: number) => {
    const minute = minuteOf(at);
    if (minute < oldest) return;
    // Kept for the window after its minute, and a little more for clocks that disagree.
    events.push({ field, version, minute, expireAt: Math.ceil(minute / 1000) + (STATS_WINDOW_MINUTES + 5) * 60 });
  };
  add('c', 1, toMs(order.createdAt));
  for (const entry of order.history) {
    const field = MINUTE_FIELD[entry.status];
    if (field !== null) add(field, entry.version, toMs(entry.at));
  }
  return events;
}

const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

type Replies = [Error | null, unknown][] | null;

function failuresOf(replies: Replies): Map<number, unknown> {
  const failures = new Map<number, unknown>();
  if (replies === null) throw new Error('redis returned no replies for a pipeline');
  replies.forEach(([error], index) => {
    if (error) failures.set(index, error);
  });
  return failures;
}

/**
 * The oldest point a partition's log resumes from. Without a floor, a log is complete only on an index
 * begun before the first order: otherwise (Redis lost its data, or the index was first built over
 * existing orders) what came before is unknown.
 */
function resumePoint(floors: Record<string, string>, genesis: boolean, partition: number): number {
  const floor = floors[String(partition)];
  if (floor !== undefined) return Number(floor);
  return genesis ? -1 : Infinity;
}

function checked(replies: Replies): unknown[] {
  const failures = failuresOf(replies);
  if (failures.size > 0) throw [...failures.values()][0];
  return replies!.map(([, value]) => value);
}

const numbersOf = (replies: Replies) => checked(replies).map(Number);
