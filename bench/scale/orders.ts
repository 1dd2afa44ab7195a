/**
 * The orders the scale benchmark writes straight into MongoDB: a fixed layout (ids, times, statuses,
 * histories) computed from each order's number, so that a page's cursor can be computed too.
 */
import mongoose from 'mongoose';
import { createModels, onlyDuplicateKeys } from '@orders/core';
import { sleep, step } from './common.ts';

export const CUSTOMERS = 40;
export const SKUS = 24;
/** Orders one second apart, oldest first: 1,000,000 span eleven and a half days up to a few seconds ago. */
export const SPACING_MS = 1000;
/** Every this many orders, one shares the millisecond of the order before it. */
const SAME_MS_EVERY = 997;
const BATCH = 1000;
const PARALLEL_BATCHES = 4;

const orderId = (i: number) => (0xc0000000 + i).toString(16).padStart(24, '0');
/** A fixed pseudo-random number in [0, 100) per order (Knuth's multiplicative hash). */
const roll = (i: number) => (Math.imul(i + 1, 2654435761) >>> 0) % 100;

export interface Layout {
  count: number;
  base: number;
}

const createdAtOf = (layout: Layout, i: number) => {
  const shared = i > 0 && i % SAME_MS_EVERY === 0;
  return layout.base + (shared ? i - 1 : i) * SPACING_MS;
};

/**
 * The status of order `i`: PENDING only among the newest 2% (an order waits for its decision for
 * moments, not days), half of them; otherwise 80% PROCESSED (a few of them after a failure and a
 * retry) and 20% FAILED.
 */
function statusOf(layout: Layout, i: number): { status: 'PENDING' | 'PROCESSED' | 'FAILED'; retried: boolean } {
  const r = roll(i);
  if (i >= layout.count * 0.98 && r % 2 === 0) return { status: 'PENDING', retried: false };
  // A retry comes a minute after the failure: none among the orders of the last ten minutes.
  const retried = r < 4 && i < layout.count - 600;
  return { status: r < 80 ? 'PROCESSED' : 'FAILED', retried };
}

function orderDoc(layout: Layout, i: number) {
  const createdMs = createdAtOf(layout, i);
  const createdAt = new Date(createdMs);
  const { status, retried } = statusOf(layout, i);
  const decidedAt = new Date(createdMs + 20 + (i % 180));
  const error = i % 3 === 0 ? 'out of stock' : 'payment declined';
  const quantity = 1 + (i % 5);
  const history: {
    version: number;
    previousStatus: string | null;
    status: string;
    at: Date;
    error: string | null;
  }[] = [{ version: 1, previousStatus: null, status: 'PENDING', at: createdAt, error: null }];
  let failedAt: Date | null = null;
  let processedAt: Date | null = null;
  /** The order's decision, at `version`. */
  const decide = (version: number, at: Date) => {
    history.push({ version, previousStatus: 'PENDING', status, at, error: status === 'FAILED' ? error : null });
    if (status === 'FAILED') failedAt = at;
    else processedAt = at;
  };
  if (status !== 'PENDING') {
    if (retried) {
      const retryAt = new Date(createdMs + 60_000);
      history.push(
        { version: 2, previousStatus: 'PENDING', status: 'FAILED', at: decidedAt, error: 'payment declined' },
        { version: 3, previousStatus: 'FAILED', status: 'PENDING', at: retryAt, error: null },
      );
      failedAt = decidedAt;
      decide(4, new Date(retryAt.getTime() + 20 + (i % 180)));
    } else {
      decide(2, decidedAt);
    }
  }
  const last = history.at(-1)!;
  return {
    _id: orderId(i),
    orderNumber: `ORD-SCALE-${String(i).padStart(7, '0')}`,
    customerId: `cus_${String((i % CUSTOMERS) + 1).padStart(4, '0')}`,
    sku: `SKU-${String((Math.imul(i, 7) % SKUS) + 1).padStart(4, '0')}`,
    quantity,
    total: quantity * (5 + (i % 120)) + 0.99,
    status,
    version: last.version,
    attempts: status === 'PENDING' ? 0 : retried ? 2 : 1,
    error: last.error,
    idempotencyKey: null,
    createdAt,
    processedAt,
    failedAt,
    updatedAt: last.at,
    history,
  };
}

/**
 * An insert sent again when the connection is cut (the MongoDB-wire server restarted under the
 * benchmark, which a shared machine's other runs do): what was written already is refused as a
 * duplicate and skipped. Any other error, or a fifth cut, is thrown, in a line rather than the driver's dump.
 */
async function insertAgainIfCut(insert: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await insert();
      return;
    } catch (error) {
      if (onlyDuplicateKeys(error)) return;
      const cut = error instanceof Error && /closed|ECONNREFUSED|ECONNRESET|timed out/i.test(error.message);
      if (!cut || attempt >= 5) {
        throw new Error(`insertMany failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      step(`  insertMany cut (${error.message}); again in 2 s`);
      await sleep(2000);
    }
  }
}

/** Writes `count` orders straight into MongoDB, PARALLEL_BATCHES batches at a time; returns the count by status and the ids of the PENDING ones. */
export async function insertOrders(
  uri: string,
  layout: Layout,
): Promise<{ statuses: Record<string, number>; pendingIds: string[] }> {
  const connection = await mongoose.createConnection(uri, { maxPoolSize: PARALLEL_BATCHES + 2 }).asPromise();
  try {
    const models = createModels(connection);
    // The indexes the models declare exist before the orders, as in a system that has run for a while.
    await Promise.all(Object.values(models).map((model) => model.init()));
    const statuses: Record<string, number> = { PENDING: 0, PROCESSED: 0, FAILED: 0 };
    const pendingIds: string[] = [];
    let next = 0;
    let written = 0;
    let lastReport = Date.now();
    const started = Date.now();
    const worker = async () => {
      while (next < layout.count) {
        const from = next;
        next = Math.min(layout.count, next + BATCH);
        const docs = Array.from({ length: next - from }, (_, k) => orderDoc(layout, from + k));
        const plain: Record<string, unknown>[] = docs;
        for (const doc of docs) statuses[doc.status] = (statuses[doc.status] ?? 0) + 1;
        // The driver's insert: the documents are already what the schema describes.
        await insertAgainIfCut(() => models.Order.collection.insertMany(plain, { ordered: false }));
        // The orders waiting for their decision reached Kafka long ago: the index is told so once it is built.
        for (const doc of docs) if (doc.status === 'PENDING') pendingIds.push(doc._id);
        written += docs.length;
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          const seconds = (Date.now() - started) / 1000;
          step(`  ${written.toLocaleString('en-US')} orders written, ${Math.round(written / seconds)}/s`);
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_BATCHES }, worker));
    return { statuses, pendingIds };
  } finally {
    await connection.close();
  }
}

/** The `orders` cursor of the PROCESSED order with `depth` PROCESSED orders newer than it (and the page after it begins below it). */
export function processedCursorAt(layout: Layout, depth: number): string {
  let seen = 0;
  for (let i = layout.count - 1; i >= 0; i--) {
    if (statusOf(layout, i).status !== 'PROCESSED') continue;
    seen += 1;
    if (seen === depth) return Buffer.from(JSON.stringify([createdAtOf(layout, i), orderId(i)])).toString('base64url');
  }
  throw new Error(`fewer than ${depth} PROCESSED orders`);
}
