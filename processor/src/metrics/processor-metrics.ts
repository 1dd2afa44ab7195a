/**
 * The processor's metrics, every family in one place: decisions by status and
 * reason, the time from an order's creation (or its retry) to its decision,
 * retries, dead letters, redeliveries, and the reconnects of its Redis and
 * Kafka clients, beside the default process metrics, in one registry served on
 * the processor's own HTTP listener (see http/processor-http.ts). It outlives
 * a processor that failed to start: main.ts makes one and hands it to each.
 * No label ever holds an order id or a customer id.
 */
import { counter, DECIDED_STATUSES, gauge, histogram, registerProcessMetrics, scrapedCounter } from '@orders/core';
import { Registry } from 'prom-client';
import type { Outcome } from '../deciding/handle-order-created.ts';
import type { ProcessorStats } from '../kafka/order-consumer.ts';
import { PAUSE_CAUSES, type PausedPartition } from '../kafka/pauses.ts';
import type { BreakerState, PaymentCallObserver } from '../payments/payment-client.ts';
import { DECISION_REASONS, deadLetterReason, decisionReason } from './reasons.ts';

/** From a few milliseconds (decided at once) to two minutes (held up by retries or a stopped processor). */
const DECISION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** From a local stand-in's instant answer to a call that waited out its retries. */
const PAYMENT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10];
const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half_open', 'isolated'];

export class ProcessorMetrics {
  readonly registry = new Registry();
  /** The stats of each processor this one has served; their retries are summed when scraped. */
  private readonly followed: Readonly<ProcessorStats>[] = [];

  readonly decisions = counter(
    this.registry,
    'order_decisions_total',
    'Orders decided, by status and by reason (none, out_of_stock, payment_declined, unknown_product, other).',
    'status',
    'reason',
  );
  readonly decisionSeconds = histogram(
    this.registry,
    'order_decision_seconds',
    "Time from an order's creation (or its retry) to its decision, by status.",
    DECISION_BUCKETS,
    'status',
  );
  readonly deadLetters = counter(
    this.registry,
    'order_dead_letters_total',
    'Messages of orders.created sent to the dead-letter topic, by reason (unknown_order, unreadable).',
    'reason',
  );
  readonly redeliveries = counter(
    this.registry,
    'order_redeliveries_total',
    'Messages about orders already decided (delivered again after a crash or a rebalance), skipped.',
  );
  readonly transactionsInDoubt = counter(
    this.registry,
    'order_transactions_in_doubt_total',
    'Kafka transactions of status events whose commit failed, by what the broker had done with them (committed, aborted).',
    'outcome',
  );
  readonly paymentSeconds = histogram(
    this.registry,
    'payment_authorization_seconds',
    'Time to authorize one order at the payment service, retries included, by outcome.',
    PAYMENT_BUCKETS,
    'outcome',
  );
  readonly payments = counter(
    this.registry,
    'payment_authorizations_total',
    'Payment authorizations asked, by outcome: authorized, a decline code, or why there was no answer (timeout, unavailable, breaker_open).',
    'outcome',
  );
  readonly breakerState = gauge(
    this.registry,
    'payment_breaker_state',
    "The payment service's circuit breaker: 1 for its current state (closed, open, half_open, isolated), 0 for the others.",
    'state',
  );
  readonly pausedPartitions = gauge(
    this.registry,
    'processor_paused_partitions',
    'Partitions waiting for something that is away before they decide anything more, by cause (payments, database, kafka, redis, other).',
    'cause',
  );
  /** Redis and Kafka reconnects, registered before the default process metrics. */
  readonly reconnects = registerProcessMetrics(this.registry);

  constructor() {
    const followed = this.followed;
    scrapedCounter(
      this.registry,
      'order_retries_total',
      'Tries of a message (or of a run of new orders together) that failed and were tried again.',
      function () {
        // The consumer counts its retries in its stats; a counter shows their sum since start.
        this.reset();
        this.inc(followed.reduce((sum, stats) => sum + stats.retries, 0));
      },
    );
    // Every label set at 0 from the start, so that rate() and the dashboard have a series before the first.
    for (const status of DECIDED_STATUSES) {
      this.decisionSeconds.zero({ status });
      for (const reason of DECISION_REASONS) {
        if ((status === 'PROCESSED') === (reason === 'none')) this.decisions.inc({ status, reason }, 0);
      }
    }
    this.redeliveries.inc(0);
    for (const outcome of ['authorized', 'timeout', 'unavailable', 'breaker_open']) this.payments.inc({ outcome }, 0);
    this.showBreaker('closed');
    this.showPaused([]);
    for (const outcome of ['committed', 'aborted']) this.transactionsInDoubt.inc({ outcome }, 0);
  }

  /** What each payment call came to, and the breaker's changes of state. */
  readonly paymentCalls: PaymentCallObserver = {
    onCall: (outcome, seconds) => {
      this.payments.inc({ outcome });
      this.paymentSeconds.observe({ outcome }, seconds);
    },
    onBreakerState: (state) => this.showBreaker(state),
  };

  private showBreaker(current: BreakerState): void {
    for (const state of BREAKER_STATES) this.breakerState.set({ state }, state === current ? 1 : 0);
  }

  /** The partitions paused now, counted by cause. */
  showPaused(paused: readonly PausedPartition[]): void {
    for (const cause of PAUSE_CAUSES) {
      this.pausedPartitions.set({ cause }, paused.filter((partition) => partition.cause === cause).length);
    }
  }

  /** Sums this processor's retries into `order_retries_total`. */
  follow(stats: Readonly<ProcessorStats>): void {
    this.followed.push(stats);
  }

  /** Counts what handling one message came to; `now` is when it was decided. */
  observe(outcome: Outcome, now = Date.now()): void {
    if (outcome.kind === 'redelivered') return void this.redeliveries.inc();
    if (outcome.kind === 'dead-lettered')
      return void this.deadLetters.inc({ reason: deadLetterReason(outcome.reason) });
    this.decisions.inc({ status: outcome.status, reason: decisionReason(outcome.error) });
    const decided = outcome.announcements.find(({ change }) => change.status === outcome.status);
    if (decided === undefined) return;
    // A retried order's clock starts at its return to PENDING, announced with its decision.
    const reentry = outcome.announcements.find(({ change }) => change.status === 'PENDING');
    const since = reentry?.change.at ?? decided.order.createdAt;
    const decidedAt = decided.change.at.getTime() || now;
    this.decisionSeconds.observe({ status: outcome.status }, Math.max(0, decidedAt - new Date(since).getTime()) / 1000);
  }

  /** Counts each outcome of `handle` as it resolves. */
  observed<Args extends unknown[]>(handle: (...args: Args) => Promise<Outcome>): (...args: Args) => Promise<Outcome> {
    return async (...args) => {
      const outcome = await handle(...args);
      this.observe(outcome);
      return outcome;
    };
  }
}
