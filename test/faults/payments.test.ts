/**
 * Processing that waits on the world, against the real servers and a payment service process of each
 * test's own: the payment service away for 30 s under load pauses the processor and fails no order; declines give their stock back; a processor killed between authorizing orders and
 * committing them leaves them to the next owner, which charges none of them twice. Each test checks the
 * books, and the payment service's ledger against the orders: one authorization per PROCESSED order,
 * none for an order the stock could not serve.
 */
import { describe, expect, it } from 'vitest';
import {
  freePort,
  graphqlRequest,
  sleep,
  startTcpProxy,
  waitFor,
  type Running,
  type TestPaymentService,
} from '../support/index.ts';
import {
  createOrders,
  expectBooksHold,
  paymentsFor,
  startWithServer,
  stockNow,
  waitForDecided,
  type Cluster,
} from './cluster.ts';

// Each cluster (and its payment service) is closed after its test by ./cluster.ts.

const OUTAGE_MS = 30_000;
/** A 30 s outage under load, the backlog drained after it, and the books: more than the suite's default. */
const OUTAGE_TEST_MS = 300_000;
const BUSINESS_FAILURE = /^(out of stock|payment declined|unknown product)/;

/** A processor whose metrics this test reads, on a port of its own. */
function startProcessor(cluster: Cluster, env: Record<string, string>, entry?: string) {
  const port = freePort();
  const running = cluster.startProcessor({ ...env, PROCESSOR_PORT: String(port) }, entry);
  const metric = async (series: string): Promise<number> => {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })
      .then((response) => response.text())
      .catch(() => '');
    const line = text.split('\n').find((row) => row.startsWith(`${series} `));
    return Number(line?.split(' ').at(-1) ?? Number.NaN);
  };
  return { running, metric };
}

/**
 * The ledger against the orders: each PROCESSED order authorized once (under its decision's key), each
 * order FAILED out of stock never asked for, each declined order declined once and never authorized,
 * and no order FAILED for anything but a business reason.
 */
async function expectChargedOnce(cluster: Cluster, payments: TestPaymentService) {
  const orders = await cluster.models.Order.find().lean();
  const entries = await payments.ledger();
  const byOrder = new Map<string, typeof entries>();
  for (const entry of entries) byOrder.set(entry.orderId, [...(byOrder.get(entry.orderId) ?? []), entry]);
  const problems: string[] = [];
  for (const order of orders) {
    const mine = byOrder.get(order._id) ?? [];
    const authorized = mine.filter((entry) => entry.status === 'authorized');
    if (order.status === 'PROCESSED' && (authorized.length !== 1 || mine.length !== 1)) {
      problems.push(`${order._id} PROCESSED with ${authorized.length} authorized of ${mine.length} entries`);
    }
    if (order.status !== 'FAILED') continue;
    if (!BUSINESS_FAILURE.test(order.error ?? '')) problems.push(`${order._id} FAILED for "${order.error}"`);
    if (order.error?.startsWith('out of stock') && mine.length > 0) problems.push(`${order._id} out of stock, asked`);
    if (order.error?.startsWith('payment declined') && (authorized.length > 0 || mine.length !== 1)) {
      problems.push(`${order._id} declined with ${authorized.length} authorized of ${mine.length} entries`);
    }
  }
  expect(problems).toEqual([]);
  return {
    processed: orders.filter((order) => order.status === 'PROCESSED').length,
    declined: orders.filter((order) => order.error?.startsWith('payment declined')).length,
    outOfStock: orders.filter((order) => order.error?.startsWith('out of stock')).length,
  };
}

/** The codes of a server's pipelineHealth warnings, as the dashboard's Pipeline panel shows them. */
async function warningCodes(serverUrl: string): Promise<string[]> {
  const answer = await graphqlRequest<{ pipelineHealth: { warnings: { code: string }[] } }>(
    `${serverUrl}/graphql`,
    '{ pipelineHealth { warnings { code } } }',
  );
  return answer.pipelineHealth.warnings.map((warning) => warning.code);
}

/** Polls a processor's metric until `check` holds, while something is away. */
function seen(metric: (series: string) => Promise<number>, series: string, check: (value: number) => boolean) {
  return waitFor(`${series} to be seen`, async () => check(await metric(series)), OUTAGE_MS);
}

describe('the payment service away for 30 s under 25 orders/s', () => {
  it(
    'opens the breaker and pauses; no order FAILED for it, every one decided after it returns, each charged once',
    async () => {
      const { cluster, server, initial } = await startWithServer('fault_payments_down');
      const payments = await paymentsFor(cluster);
      const { metric } = startProcessor(cluster, { PAYMENTS_URL: payments.url, PAYMENTS_BREAKER_HALF_OPEN_MS: '2000' });
      const creating = createOrders(() => [server.url], 1000, 25);
      await waitForDecided(cluster.models, 50);

      await payments.kill();
      const downAt = Date.now();
      await seen(metric, 'payment_breaker_state{state="open"}', (value) => value === 1);
      await seen(metric, 'processor_paused_partitions{cause="payments"}', (value) => value > 0);
      // The dashboard's Pipeline panel says so too: the server's pipelineHealth warnings.
      await waitFor('the pipeline warnings', async () => {
        const codes = await warningCodes(server.url);
        return codes.includes('PAYMENTS_UNAVAILABLE') && codes.includes('PIPELINE_PAUSED');
      });
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
      await payments.restart();

      const ids = await creating;
      await expectBooksHold(cluster, ids, initial, { orders: 1000, finalWithinMs: 120_000 });
      const charged = await expectChargedOnce(cluster, payments);
      expect(charged.processed).toBe(1000 - charged.declined - charged.outOfStock);
      await seen(metric, 'payment_breaker_state{state="closed"}', (value) => value === 1);
      expect(await metric('processor_paused_partitions{cause="payments"}')).toBe(0);
      await waitFor('the pipeline warnings to clear', async () => {
        const codes = await warningCodes(server.url);
        return !codes.includes('PAYMENTS_UNAVAILABLE') && !codes.includes('PIPELINE_PAUSED');
      });
    },
    OUTAGE_TEST_MS,
  );
});

describe('the database unreachable for the processor for 30 s under load', () => {
  it(
    'pauses the processor; no order FAILED for it, every one decided after',
    async () => {
      const { cluster, server, initial } = await startWithServer('fault_database_away');
      const payments = await paymentsFor(cluster);
      const proxy = await startTcpProxy({ host: '127.0.0.1', port: 27017 });
      cluster.onClose(() => proxy.close());
      const database = cluster.prefix.slice(0, -1);
      const { metric } = startProcessor(cluster, {
        PAYMENTS_URL: payments.url,
        MONGODB_URI: `mongodb://127.0.0.1:${proxy.port}/${database}`,
      });
      const creating = createOrders(() => [server.url], 1000, 25);
      await waitForDecided(cluster.models, 50);

      await proxy.cut();
      const downAt = Date.now();
      await seen(metric, 'processor_paused_partitions{cause="database"}', (value) => value > 0);
      await waitFor('the pipeline to warn of paused partitions', async () =>
        (await warningCodes(server.url)).includes('PIPELINE_PAUSED'),
      );
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
      await proxy.restore();

      const ids = await creating;
      await expectBooksHold(cluster, ids, initial, { orders: 1000, finalWithinMs: 150_000 });
      await expectChargedOnce(cluster, payments);
      await seen(metric, 'processor_paused_partitions{cause="database"}', (value) => value === 0);
    },
    OUTAGE_TEST_MS,
  );
});

describe('a third of the payments declined', () => {
  it('gives each declined order its stock back: the stock is exact, and no order the stock could not serve is charged', async () => {
    const { cluster, server } = await startWithServer('fault_declines');
    // A third of the customers always declined, and a few products short, so that some orders are out of stock.
    const declining = Array.from({ length: 14 }, (_, i) => `cus_${String(3 * i + 1).padStart(4, '0')}`);
    const payments = await paymentsFor(cluster, { PAYMENTS_DECLINING_CUSTOMERS: declining.join(',') });
    for (const sku of ['SKU-0001', 'SKU-0002', 'SKU-0003']) {
      await cluster.models.Product.updateOne({ _id: sku }, { $set: { stock: 6 } });
    }
    const initial = await stockNow(cluster.models);
    startProcessor(cluster, { PAYMENTS_URL: payments.url });

    const ids = await createOrders(() => [server.url], 400, 50);
    await expectBooksHold(cluster, ids, initial, { orders: 400 });
    const charged = await expectChargedOnce(cluster, payments);
    expect(charged.declined).toBeGreaterThan(100);
    expect(charged.outOfStock).toBeGreaterThan(0);
    expect(charged.processed + charged.declined + charged.outOfStock).toBe(400);
  });
});

describe('a processor killed between authorizing orders and committing them', () => {
  it('leaves them to the next owner, which decides each once and charges none of them twice', async () => {
    const { cluster, server, initial } = await startWithServer('fault_kill_after_authorizing');
    const payments = await paymentsFor(cluster);
    const { running: first } = startProcessor(
      cluster,
      { PAYMENTS_URL: payments.url, KILL_AT_COMMIT: '5' },
      'test/faults/killed-before-commit-processor.ts',
    );
    const creating = createOrders(() => [server.url], 300, 100);
    await exited(first);
    // Killed where intended: orders authorized and claimed, their offsets not committed.
    const authorizedBefore = (await payments.ledger({ status: 'authorized' })).length;
    expect(authorizedBefore).toBeGreaterThan(0);

    const { metric } = startProcessor(cluster, { PAYMENTS_URL: payments.url });
    const ids = await creating;
    await expectBooksHold(cluster, ids, initial, { orders: 300 });
    await expectChargedOnce(cluster, payments);
    // The next owner met the killed one's work again: its messages were delivered a second time.
    expect(await metric('order_redeliveries_total')).toBeGreaterThan(0);
  });
});

function exited(running: Running): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => running.child.once('exit', () => resolve()));
}
