/**
 * The processor's transactional producer, replaced by a fresh one when a failed transaction leaves
 * it unusable. A transaction whose abort fails (the broker went away mid-way) leaves a kafkajs
 * producer in the state ABORTING for good: every later `transaction()` throws. The fresh producer
 * has the same transactional id, so the broker fences the old one and aborts whatever it left open.
 */
import type { Producer, Transaction } from 'kafkajs';
import type { Logger } from '@orders/core';

export class RenewableProducer {
  private current: Promise<Producer> | undefined;

  constructor(
    private readonly create: () => Producer,
    private readonly logger: Logger,
  ) {}

  /** Connects the first producer; the processor does not start without its broker. */
  async connect(): Promise<void> {
    await this.producer();
  }

  /**
   * Runs `work` in a transaction that it commits; aborts it if `work` throws. A transaction that
   * cannot begin or cannot be aborted retires the producer: the next call gets a new one.
   */
  async inTransaction(work: (transaction: Transaction) => Promise<void>): Promise<void> {
    const producer = await this.producer();
    let transaction: Transaction;
    try {
      transaction = await producer.transaction();
    } catch (error) {
      await this.retire(producer, error);
      throw error;
    }
    try {
      await work(transaction);
    } catch (error) {
      await transaction.abort().catch((abortError: unknown) => this.retire(producer, abortError));
      throw error;
    }
  }

  /**
   * Replaces the producer with a fresh one, and resolves once the broker has ended the last transaction
   * of the one before it: finished the commit if it had reached the broker, aborted it if not (see
   * commit-doubts.ts). That is the answer to the fresh producer's InitProducerId with the same
   * transactional id, which kafkajs asks for at the first transaction, not on connect: so a transaction
   * is begun here, and ended at once (one with nothing in it sends nothing to end).
   */
  async renew(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await current?.then((producer) => producer.disconnect()).catch(() => undefined);
    // If the broker cannot answer yet, this throws; the caller renews again later.
    await (await (await this.producer()).transaction()).abort();
  }

  async disconnect(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await current?.then((producer) => producer.disconnect());
  }

  private producer(): Promise<Producer> {
    if (this.current === undefined) {
      const producer = this.create();
      const connecting = producer.connect().then(() => producer);
      // A producer that fails to connect is not kept: the next call tries a new one.
      connecting.catch(() => {
        if (this.current === connecting) this.current = undefined;
      });
      this.current = connecting;
    }
    return this.current;
  }

  private async retire(producer: Producer, reason: unknown): Promise<void> {
    const current = await this.current?.catch(() => undefined);
    if (current !== producer) return; // already replaced
    this.current = undefined;
    this.logger.warn('transactional producer unusable after a failed transaction; replacing it', { error: reason });
    await producer.disconnect().catch(() => undefined);
  }
}
