/**
 * Keeps the order index there and whole: checks at start, every few seconds
 * and when the Redis subscription comes back, whether the index exists for
 * this layout, and when it does not (Redis new, flushed, or an older layout
 * while MongoDB holds orders) has it rebuilt by one instance across all (see
 * `ensureIndex`), while this one answers from what is there. When it does,
 * whether it is whole on the Redis node that answers, and when a failover or
 * a restart may have lost its last writes, has them repaired by one instance
 * (see `keepIndexWhole`).
 */
import {
  INDEX_CHECK_MS,
  ensureIndex,
  keepIndexWhole,
  type CreatedLog,
  type Logger,
  type Models,
  type OrderIndex,
  type RepairReport,
} from '@orders/core';

export class IndexKeeper {
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private rebuilding: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly models: Models,
    private readonly index: OrderIndex,
    private readonly logger: Logger,
    /** `orders.created` and the processors' progress on it, where a repair reads what was lost. */
    private readonly created: CreatedLog,
    private readonly intervalMs = INDEX_CHECK_MS,
  ) {}

  /** The last repair this instance ran (for tests and the logs), undefined while none did. */
  lastRepair: RepairReport | undefined;

  /** The first check; a rebuild it starts goes on in the background. */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => this.checkInBackground(), this.intervalMs);
    this.timer.unref();
  }

  checkInBackground(): void {
    this.check().catch((error: unknown) => this.logger.warn('could not check the order index', { error }));
  }

  /** Resolves when a rebuild this instance runs has ended (for tests and tools). */
  async settled(): Promise<void> {
    await this.checking;
    await this.rebuilding;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.checking?.catch(() => undefined);
    await this.rebuilding;
  }

  private check(): Promise<void> {
    if (this.rebuilding !== undefined || this.stopping) return Promise.resolve();
    this.checking ??= (async () => {
      const { condition, done } = await ensureIndex(this.models, this.index, this.logger, {
        stopping: () => this.stopping,
      });
      if (condition === 'begun') this.logger.info('order index begun on an empty database');
      if (condition === 'rebuilding') this.rebuilding = done.finally(() => (this.rebuilding = undefined));
      // A new index is verified at once: a failover in its first seconds must find it verified elsewhere.
      if ((condition !== 'ready' && condition !== 'begun') || this.stopping) return;
      const report = await keepIndexWhole(this.models, this.index, this.created, this.logger);
      if (report.outcome === 'repaired' || report.outcome === 'unfinished') this.lastRepair = report;
    })().finally(() => (this.checking = undefined));
    return this.checking;
  }
}
