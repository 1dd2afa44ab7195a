/**
 * This processor's share of the Pipeline panel: what it waits on (its payment breaker, its paused
 * partitions and why), written to Redis every few seconds and at once on a change, for the server to
 * warn about. The report is a window, not part of processing: a Redis failure here is logged at debug
 * and tried again at the next renewal, and one write at a time is in flight whatever happens.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  PROCESSOR_STATE_INTERVAL_MS,
  PROCESSOR_STATE_TTL_MS,
  removeProcessorState,
  within,
  writeProcessorState,
  type Logger,
  type PaymentBreakerState,
  type ProcessorState,
} from '@orders/core';
import type { Redis } from 'ioredis';

/** What the processor waits on now. */
export interface WaitingOn {
  readonly breaker: PaymentBreakerState;
  readonly paused: readonly { partition: number; cause: string; since: Date; reason: string }[];
}

export interface ProcessorStateReportOptions {
  readonly prefix: string;
  /** Reads what the processor waits on, at each write. */
  readonly waitingOn: () => WaitingOn;
  readonly logger: Logger;
  /** This instance's name; its host, process id and a random suffix unless told. */
  readonly instance?: string;
  readonly intervalMs?: number;
  readonly ttlMs?: number;
}

type StateRedis = Parameters<typeof writeProcessorState>[0];

/** How long a stopping processor waits for Redis to delete its state. */
const REMOVE_TIMEOUT_MS = 1000;

export class ProcessorStateReport {
  readonly instance: string;
  private redis: StateRedis | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private again = false;
  private breaker: { state: PaymentBreakerState; since: Date } | undefined;

  constructor(private readonly options: ProcessorStateReportOptions) {
    this.instance = options.instance ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 4)}`;
  }

  /** Writes the state now and every interval, on `redis`, until stop(). */
  start(redis: StateRedis | Redis): void {
    this.redis = redis;
    this.timer = setInterval(() => this.changed(), this.options.intervalMs ?? PROCESSOR_STATE_INTERVAL_MS);
    this.timer.unref();
    this.changed();
  }

  /** Something it waits on changed: written at once (after the write in flight, if any). */
  changed(): void {
    if (this.redis === undefined) return;
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = this.write().finally(() => {
      this.writing = undefined;
      if (this.again) {
        this.again = false;
        this.changed();
      }
    });
  }

  /** Stops renewing and deletes this instance's state: a stopped processor waits on nothing. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const redis = this.redis;
    this.redis = undefined;
    this.again = false;
    await this.writing;
    if (redis === undefined) return;
    // A stop does not wait on Redis for long: a state left behind expires by itself.
    const late = () => new Error(`no answer in ${REMOVE_TIMEOUT_MS} ms`);
    await within(removeProcessorState(redis, this.options.prefix, this.instance), REMOVE_TIMEOUT_MS, late).catch(
      (error: unknown) => this.options.logger.debug('could not remove the processor state from Redis', { error }),
    );
  }

  /** What is written now; the breaker's `since` is when this report first saw it in its state. */
  stateNow(now = new Date()): ProcessorState {
    const { breaker, paused } = this.options.waitingOn();
    if (this.breaker?.state !== breaker) this.breaker = { state: breaker, since: now };
    return {
      instance: this.instance,
      breaker,
      breakerSince: this.breaker.since.toISOString(),
      paused: paused.map(({ partition, cause, since, reason }) => ({
        partition,
        cause,
        since: since.toISOString(),
        reason,
      })),
      at: now.toISOString(),
      expiresAt: now.getTime() + (this.options.ttlMs ?? PROCESSOR_STATE_TTL_MS),
    };
  }

  private async write(): Promise<void> {
    const redis = this.redis;
    if (redis === undefined) return;
    try {
      await writeProcessorState(redis, this.options.prefix, this.stateNow());
    } catch (error) {
      // The panel misses a renewal; processing does not notice, and the next renewal tries again.
      this.options.logger.debug('could not write the processor state to Redis', { error });
    }
  }
}
