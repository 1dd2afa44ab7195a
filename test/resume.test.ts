/**
 * Resuming a status subscription from a cursor, on the real servers: a client
 * that leaves and comes back with the cursor of the last change it received
 * gets every change made meanwhile, once each and in order, then live ones;
 * a retried order's return to PENDING among them, before its new decision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestServer, waitFor, type TestServer } from './support/index.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('resume', {}, { withProcessor: true });
});
afterAll(() => server?.close());

const CREATE = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }`;
const CHANGES = `subscription($after: String) {
  orderStatusChanged(after: $after) { cursor version previousStatus status order { id version status } }
}`;

interface Change {
  cursor: string;
  version: number;
  previousStatus: string | null;
  status: string;
  order: { id: string; version: number; status: string };
}

async function createOrders(count: number, sku: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const input = { customerId: `cus_00${10 + (i % 20)}`, sku, quantity: 1 };
    const result = await server.graphql<{ createOrder: { id: string } }>(CREATE, { input });
    expect(result.errors).toBeUndefined();
    ids.push(result.data!.createOrder.id);
  }
  return ids;
}

const pendingCount = () => server.models.Order.countDocuments({ status: 'PENDING' });
const key = (change: Change) => `${change.order.id}@${change.version}`;

describe('orderStatusChanged(after:)', () => {
  it('gives a client that comes back with its cursor every change it missed, once, then live ones', async () => {
    const first = collect<{ orderStatusChanged: Change }>(server.wsClient(), CHANGES);
    // Live once a probe order's decision arrives.
    const [probe] = await createOrders(1, 'SKU-0001');
    await waitFor('the first subscription to be live', () =>
      first.received.some((m) => m.orderStatusChanged.order.id === probe),
    );
    const before = await createOrders(20, 'SKU-0002');
    await waitFor('the first batch on the first subscription', () =>
      before.every((id) => first.received.some((m) => m.orderStatusChanged.order.id === id)),
    );
    first.unsubscribe();
    const seen = first.received.map((m) => m.orderStatusChanged);
    const cursor = seen.at(-1)!.cursor;

    // While the client is away: more orders, and a failed order of the first batch retried.
    await server.models.Product.updateOne({ _id: 'SKU-0003' }, { $set: { stock: 0 } });
    const [failing] = await createOrders(1, 'SKU-0003');
    await waitFor('the out-of-stock order to fail', async () => (await pendingCount()) === 0);
    await server.models.Product.updateOne({ _id: 'SKU-0003' }, { $set: { stock: 100 } });
    const retried = await server.graphql<{ retryOrder: { status: string } }>(
      `mutation($id: ID!) { retryOrder(id: $id) { status } }`,
      { id: failing },
    );
    expect(retried.data?.retryOrder.status).toBe('PENDING');
    const away = await createOrders(30, 'SKU-0004');
    await waitFor('every order to be decided', async () => (await pendingCount()) === 0, 60_000);

    const second = collect<{ orderStatusChanged: Change }>(server.wsClient(), CHANGES, { after: cursor });
    const live = await createOrders(10, 'SKU-0005');
    await waitFor('the missed and the live changes on the second subscription', () =>
      [...away, ...live].every((id) => second.received.some((m) => m.orderStatusChanged.order.id === id)),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(second.errors).toEqual([]);
    const resumed = second.received.map((m) => m.orderStatusChanged);

    // Nothing twice: not within the second subscription, and nothing the first one had.
    const resumedKeys = resumed.map(key);
    expect(new Set(resumedKeys).size).toBe(resumedKeys.length);
    const seenKeys = new Set(seen.map(key));
    expect(resumedKeys.filter((k) => seenKeys.has(k))).toEqual([]);

    // No gap: between them, every decision of every order, and the retry's two changes in order.
    const all = [...seen, ...resumed];
    for (const id of [probe!, ...before, ...away, ...live]) {
      expect(all.filter((change) => change.order.id === id).map((change) => change.version)).toEqual([2]);
    }
    const retry = resumed.filter((change) => change.order.id === failing);
    expect(retry.map((change) => [change.version, change.previousStatus, change.status])).toEqual([
      [2, 'PENDING', 'FAILED'],
      [3, 'FAILED', 'PENDING'],
      [4, 'PENDING', retry[2]?.status ?? 'missing'],
    ]);
    // Each change shows its order as it stood right after it, even when it has moved on since.
    expect(retry.map((change) => [change.order.version, change.order.status])).toEqual(
      retry.map((change) => [change.version, change.status]),
    );
    expect(['PROCESSED', 'FAILED']).toContain(retry[2]!.status);
    second.unsubscribe();

    // The whole story again from the first cursor: the same changes, in the same order.
    const again = collect<{ orderStatusChanged: Change }>(server.wsClient(), CHANGES, { after: cursor });
    await waitFor('the replayed changes', () => again.received.length >= resumed.length);
    expect(again.received.map((m) => key(m.orderStatusChanged))).toEqual(resumedKeys);
    again.unsubscribe();
  });

  it('refuses a cursor it did not give, and says what to pass', async () => {
    const refused = collect(server.wsClient(), CHANGES, { after: 'not-a-cursor!' });
    await waitFor('the refusal', () => refused.errors.length > 0);
    const [error] = refused.errors as { message: string; extensions?: { code?: string; field?: string } }[];
    expect(error!.message).toMatch(/^after: not a cursor this API gave/);
    expect(error!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('orderUpdated(afterVersion:)', () => {
  it('first gives the order as it stands when it has changed since that version, then newer ones only', async () => {
    const [id] = await createOrders(1, 'SKU-0006');
    await waitFor('the order to be decided', async () => (await pendingCount()) === 0);
    const updates = collect<{ orderUpdated: { id: string; version: number; status: string } }>(
      server.wsClient(),
      `subscription($id: ID!) { orderUpdated(id: $id, afterVersion: 1) { id version status } }`,
      { id },
    );
    await waitFor('the current order', () => updates.received.length > 0);
    expect(updates.received[0]!.orderUpdated).toMatchObject({ id, version: 2 });
    expect(['PROCESSED', 'FAILED']).toContain(updates.received[0]!.orderUpdated.status);
    updates.unsubscribe();

    const upToDate = collect(
      server.wsClient(),
      `subscription($id: ID!) { orderUpdated(id: $id, afterVersion: 2) { version } }`,
      { id },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(upToDate.received).toEqual([]);
    expect(upToDate.errors).toEqual([]);
    upToDate.unsubscribe();
  });
});
