/** The outbox relay: an order stored but never produced to Kafka is published later, exactly once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicsFor } from '@orders/core';
import { startTestServer, type TestServer } from '../../test/support/index.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('outbox', { OUTBOX_GRACE_MS: '1000' });
});
afterAll(() => server?.close());

function strandedOrder(id: string, updatedAt: Date) {
  return {
    _id: id,
    orderNumber: `ORD-STRANDED-${id.slice(-4)}`,
    customerId: 'cus_0001',
    sku: 'SKU-0002',
    quantity: 2,
    total: 10,
    status: 'PENDING' as const,
    version: 1,
    attempts: 0,
    createdAt: updatedAt,
    updatedAt,
    history: [{ version: 1, previousStatus: null, status: 'PENDING' as const, at: updatedAt, error: null }],
  };
}

describe('OutboxRelay', () => {
  it('publishes an order the server stored but never produced, once, and leaves fresh ones to their request', async () => {
    const topic = topicsFor(server.config.namePrefix).created.name;
    const before = await server.messageCount(topic);
    // As if the server died between the insert and the produce: marked unpublished, stored, never produced.
    const { index } = server.app.services;
    await index.markUnpublished('c00000000000000000000001', Date.now() - 60_000);
    await server.models.Order.create(strandedOrder('c00000000000000000000001', new Date(Date.now() - 60_000)));
    await index.markUnpublished('c00000000000000000000002');
    await server.models.Order.create(strandedOrder('c00000000000000000000002', new Date()));
    // And one whose server died before it was stored: its mark is dropped.
    await index.markUnpublished('c00000000000000000000003', Date.now() - 60_000);

    expect(await server.app.relay.runOnce()).toBe(1);
    expect(await server.messageCount(topic)).toBe(before + 1);
    expect(await index.isUnpublished('c00000000000000000000001')).toBe(false);

    // The relay listed it too, and left the fresh order's mark to its request.
    const { data } = await server.graphql<{ orders: { edges: { node: { orderNumber: string } }[] } }>(
      '{ orders(status: [PENDING]) { edges { node { orderNumber } } } }',
    );
    expect(data?.orders.edges.map((edge) => edge.node.orderNumber)).toEqual(['ORD-STRANDED-0001']);
    expect((await index.unpublishedBefore(Date.now(), 10)).map((mark) => mark.id)).toEqual([
      'c00000000000000000000002',
    ]);

    // A second pass finds it published and sends nothing more.
    expect(await server.app.relay.runOnce()).toBe(0);
    expect(await server.messageCount(topic)).toBe(before + 1);
  });
});
