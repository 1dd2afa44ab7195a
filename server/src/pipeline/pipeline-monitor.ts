/**
 * The pipeline's health for the dashboard's Pipeline panel: decisions per
 * second and their p95 latency (from the status events this server already
 * receives over Redis), the processors' consumer lag and members (read from
 * Kafka), the dead letters, what the processors say they wait on (their
 * states in Redis), and the warnings they call for.
 *
 * One sampler per server, shared by every `pipelineHealth` subscriber: it
 * starts with the first and stops after the last, so nothing asks Kafka while
 * nobody watches. The decision window is fed all along (a counter per event,
 * fixed memory), so a panel opened now shows the minute before it.
 */
import { within, type Logger, type OrderStatusMessage, type ProcessorState } from '@orders/core';
import type { GroupHealth } from './consumer-lag.ts';
import { DecisionWindow, decisionLatencySeconds, type DecisionFigures } from './decision-window.ts';
import { LAG_GROWING_SAMPLES, pipelineWarnings, type PipelineWarning } from './pipeline-warnings.ts';
import { SinkIterator } from '../pubsub/sink-iterator.ts';

export interface PipelineHealth {
  readonly at: Date;
  readonly decisions: DecisionFigures;
  /** The consumer group as read from Kafka at `at`; null when Kafka did not answer. */
  readonly group: GroupHealth | null;
  /** Dead letters waiting for an operator; null when they could not be counted (or nothing counts them). */
  readonly deadLetters: number | null;
  readonly warnings: readonly PipelineWarning[];
}

export interface PipelineMonitorOptions {
  readonly groupId: string;
  /** Reads the processors' consumer group (its lag on `orders.created` and its members). */
  readGroup(): Promise<GroupHealth>;
  /** Counts the dead letters an operator has not requeued or discarded. */
  countDeadLetters?: () => Promise<number>;
  /** What the live processors say they wait on (their payment breaker, their paused partitions). */
  readProcessorStates?: () => Promise<readonly ProcessorState[]>;
  /** The topic the processors consume, named in the warnings; `orders.created` unless told. */
  readonly topic?: string;
  /** The status events the server receives, each once. */
  statusChanges(): AsyncIterableIterator<OrderStatusMessage>;
  readonly logger: Logger;
  /** How often subscribers get a sample; 2 s unless told. */
  readonly intervalMs?: number;
  /** The longest a sample waits for Kafka before it says Kafka did not answer; 5 s unless told. */
  readonly readTimeoutMs?: number;
  readonly now?: () => number;
  /** Samples a subscriber may leave unread before it is ended (SLOW_CONSUMER); SINK_MAX_PENDING unless told. */
  readonly maxPending?: number;
}

type Listener = (health: PipelineHealth) => void;

interface Readings {
  readonly group: { readonly health: GroupHealth | null; readonly failure?: string };
  readonly deadLetters: number | null;
  readonly processors: readonly ProcessorState[];
}

export class PipelineMonitor {
  readonly intervalMs: number;
  private readonly window: DecisionWindow;
  private readonly listeners = new Set<Listener>();
  /** The total lag of the latest samples, oldest first: only while sampling. */
  private lagHistory: number[] = [];
  private latest: PipelineHealth | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Which run of the sampler is current: a sample that comes back after its run ended is dropped. */
  private run = 0;
  private following: { iterator: AsyncIterableIterator<OrderStatusMessage>; done: Promise<void> } | undefined;

  constructor(private readonly options: PipelineMonitorOptions) {
    this.intervalMs = options.intervalMs ?? 2000;
    this.window = new DecisionWindow(options.now);
  }

  /** Follows the status events into the decision window. */
  start(): void {
    const iterator = this.options.statusChanges();
    const done = (async () => {
      for await (const message of iterator) {
        const latency = decisionLatencySeconds(message);
        if (latency !== null) this.window.record(latency);
      }
    })().catch((error: unknown) => this.options.logger.warn('the pipeline stopped following decisions', { error }));
    this.following = { iterator, done };
  }

  async stop(): Promise<void> {
    this.stopSampling();
    for (const listener of this.listeners) this.listeners.delete(listener);
    if (this.following) {
      await this.following.iterator.return?.();
      await this.following.done;
    }
  }

  /** The health now: the sampler's latest sample when it runs, else one read of Kafka. */
  async read(): Promise<PipelineHealth> {
    return this.latest ?? this.healthOf(await this.readings(), []);
  }

  /**
   * The health now, then every interval, for one subscriber: in a bounded queue of its own, so that
   * one that stops reading is ended alone (SLOW_CONSUMER) and the sampler and the others go on.
   */
  subscribe(): AsyncIterableIterator<PipelineHealth> {
    const sink: SinkIterator<PipelineHealth> = new SinkIterator(
      async () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0) this.stopSampling();
      },
      undefined,
      this.options.maxPending,
    );
    const listener: Listener = (health) => sink.push(health);
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.startSampling();
    else if (this.latest) sink.push(this.latest);
    return sink;
  }

  private startSampling(): void {
    const run = ++this.run;
    const tick = async () => {
      const readings = await this.readings();
      // The last subscriber may have left while Kafka was asked (and another may have come since).
      if (run !== this.run) return;
      const { health } = readings.group;
      if (health) this.lagHistory = [...this.lagHistory, health.totalLag].slice(-LAG_GROWING_SAMPLES);
      const sample = this.healthOf(readings, this.lagHistory);
      this.latest = sample;
      for (const listener of this.listeners) listener(sample);
      this.timer = setTimeout(() => void tick(), this.intervalMs);
    };
    void tick();
  }

  private stopSampling(): void {
    this.run += 1;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.latest = undefined;
    this.lagHistory = [];
  }

  private async readings(): Promise<Readings> {
    const [group, deadLetters, processors] = await Promise.all([
      this.readGroup(),
      this.countDeadLetters(),
      this.readProcessorStates(),
    ]);
    return { group, deadLetters, processors };
  }

  private healthOf({ group, deadLetters, processors }: Readings, lagHistory: readonly number[]): PipelineHealth {
    const now = this.options.now ?? Date.now;
    return {
      at: new Date(now()),
      decisions: this.window.figures(),
      group: group.health,
      deadLetters,
      warnings: pipelineWarnings({
        group: group.health,
        unreachable: group.failure,
        lagHistory,
        groupId: this.options.groupId,
        sampleIntervalMs: this.intervalMs,
        processors,
        topic: this.options.topic,
        now: now(),
      }),
    };
  }

  private async readGroup(): Promise<{ health: GroupHealth | null; failure?: string }> {
    const timeoutMs = this.options.readTimeoutMs ?? 5000;
    try {
      const late = () => new Error(`no answer in ${timeoutMs} ms`);
      return { health: await within(this.options.readGroup(), timeoutMs, late) };
    } catch (error) {
      const failure = error instanceof Error ? error.message : String(error);
      this.options.logger.warn('could not read the consumer group for the pipeline panel', { failure });
      return { health: null, failure };
    }
  }

  /** The processors' states; none when Redis does not answer in time (the panel then shows no such warning). */
  private async readProcessorStates(): Promise<readonly ProcessorState[]> {
    if (!this.options.readProcessorStates) return [];
    const timeoutMs = this.options.readTimeoutMs ?? 5000;
    try {
      const late = () => new Error(`no answer in ${timeoutMs} ms`);
      return await within(this.options.readProcessorStates(), timeoutMs, late);
    } catch (error) {
      this.options.logger.warn('could not read the processor states for the pipeline panel', { error });
      return [];
    }
  }

  private async countDeadLetters(): Promise<number | null> {
    if (!this.options.countDeadLetters) return null;
    try {
      return await this.options.countDeadLetters();
    } catch (error) {
      this.options.logger.warn('could not count the dead letters for the pipeline panel', { error });
      return null;
    }
  }
}
