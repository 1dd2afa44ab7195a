/**
 * Fresh data in every event: a subscription's loaders live for one event, not for the subscription,
 * nor for a graphql-ws execution shared by several subscribers (which keeps its first subscriber's
 * context). Orders of one product decided one after another: each event shows the product's stock as
 * it stands after that decision, on graphql-ws (two subscribers sharing one execution) and on SSE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, openSse, startTestServer, waitFor, type TestServer } from '../../test/support/index.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('fresh', {}, { withProcessor: true });
});
afterAll(() => server?.close());

const SKU = 'SKU-0020';
const DECISIONS = `subscription Fresh {
  orderStatusChanged(status: [PROCESSED, FAILED]) { status order { orderNumber product { sku stock } } }
}`;

interface Decision {
  orderStatusChanged: { status: string; order: { orderNumber: string; product: { sku: string; stock: number } } };
}

async function stockNow(): Promise<number> {
  const answer = await server.graphql<{ products: { sku: string; stock: number }[] }>('{ products { sku stock } }');
  return answer.data!.products.find((product) => product.sku === SKU)!.stock;
}

describe("an order's product in subscription events", () => {
  it('shows the stock as it stands after each decision, on every subscriber of a shared execution and on SSE', async () => {
    const client = server.wsClient();
    const first = collect<Decision>(client, DECISIONS);
    const second = collect<Decision>(server.wsClient(), DECISIONS);
    const sse = await openSse(`${server.app.url}/graphql`, DECISIONS, await server.token('operator'));
    const ofSku = (decisions: Decision[]) =>
      decisions.map((d) => d.orderStatusChanged).filter((change) => change.order.product.sku === SKU);
    const sseDecisions = () => sse.results().flatMap((r) => (r.data ? [r.data as unknown as Decision] : []));

    const expected: { orderNumber: string; status: string; stock: number }[] = [];
    for (let i = 0; i < 6; i += 1) {
      const created = await server.graphql<{ createOrder: { orderNumber: string } }>(
        'mutation($input: CreateOrderInput!) { createOrder(input: $input) { orderNumber } }',
        { input: { customerId: 'cus_0031', sku: SKU, quantity: 2 } },
      );
      expect(created.errors).toBeUndefined();
      const orderNumber = created.data!.createOrder.orderNumber;
      const decided = (decisions: Decision[]) =>
        ofSku(decisions).find((change) => change.order.orderNumber === orderNumber);
      await waitFor(`order ${orderNumber} decided on every subscriber`, () =>
        Boolean(decided(first.received) && decided(second.received) && decided(sseDecisions())),
      );
      expected.push({ orderNumber, status: decided(first.received)!.status, stock: await stockNow() });
    }

    const shown = (decisions: Decision[]) =>
      ofSku(decisions).map((change) => ({
        orderNumber: change.order.orderNumber,
        status: change.status,
        stock: change.order.product.stock,
      }));
    expect(shown(first.received)).toEqual(expected);
    expect(shown(second.received)).toEqual(expected);
    expect(shown(sseDecisions())).toEqual(expected);
    // The stock moved while the subscriptions lived (at least one order of six processed): a cached product would not.
    expect(new Set(expected.map((e) => e.stock)).size).toBeGreaterThan(1);
    first.unsubscribe();
    second.unsubscribe();
    sse.close();
  }, 120_000);
});
