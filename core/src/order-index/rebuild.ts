/**
 * Rebuilding the order index from MongoDB, the record it is derived from.
 *
 * The orders are streamed in one cursor (never held together: memory stays
 * bounded whatever their number) and applied in pipelines, by version, so a
 * rebuild can run while the system writes: a change applied by its writer
 * during the rebuild is newer than what the rebuild read, and wins either way.
 * A PENDING order whose current version has no publication record is marked
 * unpublished, so the outbox relay takes it up.
 *
 * `ensureIndex` is what a server does at start: an index that is there and of
 * this layout is used as it is; a missing one over an empty database is simply
 * begun (its logs then hold every change); otherwise one instance, holding a
 * lock, rebuilds it in the background while every instance answers from what
 * is there.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { Models } from '../models.ts';
import { INDEX_LAYOUT } from './layout.ts';
import type { IndexedOrder, OrderIndex } from './order-index.ts';

export interface RebuildProgress {
  readonly read: number;
  readonly ms: number;
}

export interface RebuildOptions {
  /** Called every `progressEvery` orders, and once at the end. */
  readonly onProgress?: (progress: RebuildProgress) => void;
  readonly progressEvery?: number;
  /** Orders per pipeline. */
  readonly batchSize?: number;
  /** Called between batches; a rebuild whose lock was lost stops when it returns false. */
  readonly keepGoing?: () => Promise<boolean>;
}

const PROJECTION = { _id: 1, customerId: 1, status: 1, version: 1, createdAt: 1, history: 1 } as const;

export async function rebuildIndex(models: Models, index: OrderIndex, options: RebuildOptions = {}) {
  const started = Date.now();
  const batchSize = options.batchSize ?? 500;
  const progressEvery = options.progressEvery ?? 50_000;
  let read = 0;
  let batch: IndexedOrder[] = [];
  const write = async () => {
    const orders = batch;
    batch = [];
    await Promise.all([index.applyAll(orders), markUnpublished(index, orders)]);
  };
  const cursor = models.Order.find({}, PROJECTION).lean<IndexedOrder[]>().cursor({ batchSize: 2000 });
  for await (const order of cursor) {
    batch.push(order);
    read += 1;
    if (batch.length >= batchSize) {
      await write();
      if (options.keepGoing && !(await options.keepGoing())) {
        await cursor.close();
        throw new Error('the rebuild stopped: this instance is stopping, or lost the lock to another');
      }
    }
    if (read % progressEvery === 0) options.onProgress?.({ read, ms: Date.now() - started });
  }
  await write();
  await index.markBuilt(false);
  await index.dropOtherLayouts();
  const progress = { read, ms: Date.now() - started };
  options.onProgress?.(progress);
  return progress;
}

/**
 * PENDING orders among `orders`, marked for the relay: whether each reached Kafka was recorded only in
 * the index that is being rebuilt. Those that did are published once more and decided once.
 */
async function markUnpublished(index: OrderIndex, orders: readonly IndexedOrder[]) {
  await Promise.all(
    orders.filter((order) => order.status === 'PENDING').map((order) => index.markUnpublished(order._id, 0)),
  );
}

export interface RebuildLock {
  /** False once a renewal found the lock gone (expired and taken by another): the holder must stop. */
  readonly held: boolean;
  release(): Promise<void>;
}

/**
 * Takes the rebuild lock if nobody holds it, and renews it on a timer while it is held (a MongoDB-wire
 * server may take longer than the lock's life to answer one read). Undefined if another holds it.
 */
export async function takeRebuildLock(
  index: OrderIndex,
  owner: string,
  lockMs = LOCK_MS,
): Promise<RebuildLock | undefined> {
  if (!(await index.lockRebuild(owner, lockMs))) return undefined;
  let held = true;
  const renew = setInterval(() => {
    index.renewRebuildLock(owner, lockMs).then(
      (renewed) => (held &&= renewed),
      () => undefined, // Redis away for a moment: the next renewal tries again, within the lock's life
    );
  }, lockMs / 3);
  renew.unref();
  return {
    get held() {
      return held;
    },
    async release() {
      clearInterval(renew);
      await index.unlockRebuild(owner).catch(() => undefined);
    },
  };
}

/** How often an instance looks again whether the index is still there (Redis flushed under it). */
export const INDEX_CHECK_MS = 10_000;
const LOCK_MS = 30_000;

export type IndexCondition = 'ready' | 'begun' | 'rebuilding' | 'rebuilt by another instance';

/**
 * Makes sure the index exists for this layout. Returns at once; a rebuild, when one is needed and
 * this instance wins the lock, runs in the background and `done` resolves when it ends.
 */
export async function ensureIndex(
  models: Models,
  index: OrderIndex,
  logger: Logger,
  options: { stopping?: () => boolean } = {},
): Promise<{ condition: IndexCondition; done: Promise<void> }> {
  const state = await index.state();
  if (state.layout === INDEX_LAYOUT) return { condition: 'ready', done: Promise.resolve() };
  if ((await models.Order.findOne({}, { _id: 1 }).lean()) === null && state.layout === undefined) {
    await index.markBuilt(true);
    return { condition: 'begun', done: Promise.resolve() };
  }
  const lock = await takeRebuildLock(index, randomUUID());
  if (lock === undefined) return { condition: 'rebuilt by another instance', done: Promise.resolve() };
  logger.warn('order index missing or of another layout; rebuilding it from MongoDB', {
    layout: state.layout ?? null,
    wanted: INDEX_LAYOUT,
  });
  const done = rebuildIndex(models, index, {
    keepGoing: async () => !options.stopping?.() && lock.held,
    onProgress: (progress) => logger.info('order index rebuild', { ...progress }),
  })
    .then((progress) => logger.info('order index rebuilt', { ...progress }))
    .catch((error: unknown) => logger.error('order index rebuild failed; the next check tries again', { error }))
    .finally(() => lock.release());
  return { condition: 'rebuilding', done };
}
