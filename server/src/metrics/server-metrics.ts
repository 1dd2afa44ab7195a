/**
 * The server's metrics, every family in one place: what an operator watches of
 * the orders coming in (created, how long createOrder takes, the outbox
 * backlog, the processors' lag on `orders.created`), of the subscribers
 * (WebSocket connections, subscriptions by field, events delivered, slow
 * consumers closed) and of the connections (Redis and Kafka reconnects),
 * beside the default process metrics and graphql-yoga's own (see graphql.ts),
 * all in one registry. No label ever holds an order id or a customer id.
 */
import { counter, gauge, histogram, registerProcessMetrics, scrapedGauge } from '@orders/core';
import { Registry } from 'prom-client';

/** Latency buckets for a request that writes to MongoDB, Redis and Kafka: 5 ms to 10 s. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What the metrics read from the running server when they are scraped. */
export interface ServerGauges {
  /** Open WebSocket connections. */
  connections(): number;
  /** Orders marked unpublished in the order index: stored, not yet in Kafka. */
  outboxBacklog(): Promise<number>;
  /** The processors' lag on each partition of `orders.created`. */
  consumerLag(): Promise<readonly { readonly partition: number; readonly lag: number }[]>;
}

export class ServerMetrics {
  readonly registry = new Registry();

  readonly ordersCreated = counter(
    this.registry,
    'orders_created_total',
    'Orders taken by createOrder (a repeated idempotency key is not counted again).',
  );
  readonly createOrderDuration = histogram(
    this.registry,
    'create_order_duration_seconds',
    'Time createOrder takes, from the validated input to the order stored and published, by outcome.',
    REQUEST_BUCKETS,
    'outcome',
  );
  readonly subscriptions = gauge(
    this.registry,
    'graphql_subscriptions',
    'Subscriptions open now, by root field and transport.',
    'field',
    'transport',
  );
  readonly eventsDelivered = counter(
    this.registry,
    'subscription_events_delivered_total',
    'Subscription events written to subscribers (one per subscriber and event), by transport.',
    'transport',
  );
  readonly slowConsumersClosed = counter(
    this.registry,
    'websocket_slow_consumers_closed_total',
    'Subscribers closed because their client fell too far behind (graphql-ws: the connection, 1013; sse: the stream, SLOW_CONSUMER), by transport.',
    'transport',
  );
  readonly tokenExpiredClosed = counter(
    this.registry,
    'subscribers_token_expired_total',
    'Subscribers closed because their token expired (graphql-ws: the connection, 4403; sse: the stream, TOKEN_EXPIRED), by transport.',
    'transport',
  );
  readonly subjectLimitRefusals = counter(
    this.registry,
    'subject_limit_refusals_total',
    "Connections or subscriptions refused because the token's subject held its most already, by limit and transport.",
    'limit',
    'transport',
  );
  readonly anonymousClosed = counter(
    this.registry,
    'websocket_anonymous_closed_total',
    'WebSocket connections without a token closed at their deadline (4401).',
  );
  readonly unhandledRejections = counter(
    this.registry,
    'process_unhandled_rejections_total',
    'Promises rejected with nobody to handle it, logged and counted instead of ending the process.',
  );
  /** Redis and Kafka reconnects, registered before the default process metrics. */
  readonly reconnects = registerProcessMetrics(this.registry);

  /** The gauges read on each scrape, from the running server. */
  watch(gauges: ServerGauges): void {
    scrapedGauge(this.registry, 'websocket_connections', 'WebSocket connections open now.', function () {
      this.set(gauges.connections());
    });
    scrapedGauge(
      this.registry,
      'orders_outbox_backlog',
      'Orders stored and not yet published to Kafka (marked unpublished in the order index).',
      async function () {
        this.set(await gauges.outboxBacklog());
      },
    );
    scrapedGauge(
      this.registry,
      'orders_created_consumer_lag',
      'Messages of orders.created the processors have not committed yet, by partition (read from the broker).',
      async function () {
        this.reset();
        for (const { partition, lag } of await gauges.consumerLag()) this.set({ partition: String(partition) }, lag);
      },
      'partition',
    );
  }

  /**
   * createOrder, timed and counted. An order whose creation time is before the call is an earlier
   * request's, returned again for its idempotency key: timed, not counted as created.
   */
  timedCreateOrder<Order extends { readonly createdAt: Date }, Rest extends unknown[]>(
    createOrder: (input: unknown, ...rest: Rest) => Promise<Order>,
  ): (input: unknown, ...rest: Rest) => Promise<Order> {
    return async (input, ...rest) => {
      const started = new Date();
      const stop = this.createOrderDuration.startTimer();
      try {
        const order = await createOrder(input, ...rest);
        const repeated = order.createdAt.getTime() < started.getTime();
        stop({ outcome: repeated ? 'repeated' : 'created' });
        if (!repeated) this.ordersCreated.inc();
        return order;
      } catch (error) {
        stop({ outcome: 'refused' });
        throw error;
      }
    };
  }
}
