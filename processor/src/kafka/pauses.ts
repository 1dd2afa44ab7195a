/**
 * Which partitions wait on the world, and why. A partition is paused while a
 * message of it (or the sending of what it decided) is being tried again
 * because something it needs is away: it decides nothing meanwhile, and
 * resumes by itself once the try succeeds. The metrics show the count by
 * cause; the log says when a partition pauses and resumes.
 */
import { isPaymentOutage } from '../payments/payment-client.ts';

export const PAUSE_CAUSES = ['payments', 'database', 'kafka', 'redis', 'other'] as const;
export type PauseCause = (typeof PAUSE_CAUSES)[number];

const nameOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string' ? error.name : '';

/** What an error says is away: the payment service (or its breaker), MongoDB, Kafka, Redis, or something else. */
export function pauseCauseOf(error: unknown): PauseCause {
  if (isPaymentOutage(error)) return 'payments';
  const name = nameOf(error);
  if (name.startsWith('Mongo')) return 'database';
  if (name.startsWith('KafkaJS')) return 'kafka';
  const message = error instanceof Error ? error.message : '';
  if (name === 'MaxRetriesPerRequestError' || /redis|Connection is closed|Stream isn't writeable/i.test(message)) {
    return 'redis';
  }
  return 'other';
}

export interface PausedPartition {
  readonly partition: number;
  readonly cause: PauseCause;
  readonly since: Date;
  readonly reason: string;
}

export class Pauses {
  private readonly paused = new Map<number, PausedPartition>();

  constructor(private readonly onChange: (paused: readonly PausedPartition[]) => void = () => {}) {}

  /** The partition is waiting for what `error` says is away; true when it was not paused before. */
  pause(partition: number, error: unknown): boolean {
    const before = this.paused.get(partition);
    const cause = pauseCauseOf(error);
    const reason = error instanceof Error ? error.message : String(error);
    this.paused.set(partition, { partition, cause, since: before?.since ?? new Date(), reason });
    if (before?.cause !== cause) this.onChange(this.list());
    return before === undefined;
  }

  /** The partition goes on; the time it was paused, or undefined when it was not. */
  resume(partition: number): number | undefined {
    const before = this.paused.get(partition);
    if (before === undefined) return undefined;
    this.paused.delete(partition);
    this.onChange(this.list());
    return Date.now() - before.since.getTime();
  }

  list(): PausedPartition[] {
    return [...this.paused.values()].sort((a, b) => a.partition - b.partition);
  }
}
