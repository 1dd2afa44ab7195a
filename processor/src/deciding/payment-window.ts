/**
 * The window of payments in flight, per partition, the way a parallel
 * consumer keeps its work in flight: the payments of a partition's new orders
 * are asked ahead, up to a limit, while the decisions are written strictly in
 * the messages' order, each once every order before it is decided. A slow
 * payment holds back only the decisions after it, never the asking of the
 * next ones, and never the other partitions.
 *
 * An ask outlives the run that made it: a run writes the decisions whose
 * answers are in and leaves the rest in flight; the messages after the first
 * unanswered one are fetched again, and the next run finds their asks here
 * (the same order, the same idempotency key). What is not taken is forgotten:
 * the asks below a partition's first unhandled offset (decided, by a run or
 * one at a time), an ask that failed (asked again later, under the same key),
 * and every ask when the partitions move. The payment service answers an ask
 * made twice under one key with one authorization, so an ask forgotten while
 * in flight charges nothing more when it is made again.
 */
import type { PaymentAnswer } from './decide.ts';
import { idempotencyKeyOf, type PayableOrder } from '../payments/authorization.ts';

/** One payment asked: its answer once it came (or the reason it did not). */
export interface Ask {
  readonly key: string;
  readonly answer: Promise<PaymentAnswer>;
  /** Set once the answer came or the call failed. */
  settled?: PromiseSettledResult<PaymentAnswer>;
}

interface Asked {
  readonly offset: bigint;
  readonly ask: Ask;
}

export interface PaymentWindowOptions {
  /** The most payments of one partition in the window (asked and not yet forgotten). */
  readonly limit: number;
  readonly authorize: (order: PayableOrder) => Promise<PaymentAnswer>;
}

export class PaymentWindow {
  private readonly partitions = new Map<number, Map<string, Asked>>();

  constructor(private readonly options: PaymentWindowOptions) {}

  /**
   * The order's payment: the ask already in the window, or a new one; undefined when the partition's
   * window is full (it is asked once the decisions before it make room).
   */
  ask(at: { readonly partition: number; readonly offset: string }, order: PayableOrder): Ask | undefined {
    const key = idempotencyKeyOf(order);
    const asks = this.asksOf(at.partition);
    const known = asks.get(key);
    if (known !== undefined) return known.ask;
    if (asks.size >= this.options.limit) return undefined;
    const ask: Ask = { key, answer: this.options.authorize(order) };
    ask.answer.then(
      (value) => (ask.settled = { status: 'fulfilled', value }),
      (reason: unknown) => (ask.settled = { status: 'rejected', reason }),
    );
    asks.set(key, { offset: BigInt(at.offset), ask });
    return ask;
  }

  /** Forgets a partition's asks of messages below `offset`: their orders are decided. */
  forgetBelow(partition: number, offset: bigint): void {
    const asks = this.partitions.get(partition);
    if (asks === undefined) return;
    for (const [key, asked] of asks) if (asked.offset < offset) asks.delete(key);
  }

  /** Forgets one ask (a failed one, to be asked again). */
  forget(partition: number, key: string): void {
    this.partitions.get(partition)?.delete(key);
  }

  /** Forgets every ask: the partitions may have moved. */
  clear(): void {
    this.partitions.clear();
  }

  /** How many asks a partition has in the window. */
  sizeOf(partition: number): number {
    return this.partitions.get(partition)?.size ?? 0;
  }

  private asksOf(partition: number): Map<string, Asked> {
    let asks = this.partitions.get(partition);
    if (asks === undefined) this.partitions.set(partition, (asks = new Map()));
    return asks;
  }
}

/** Resolves once every ask has settled, or after `ms`, whichever is first. */
export async function settledOrAfter(asks: readonly (Ask | undefined)[], ms: number): Promise<void> {
  const answers = asks.flatMap((ask) => (ask === undefined || ask.settled !== undefined ? [] : [ask.answer]));
  if (answers.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(answers),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(timer));
}

/** One new order of a run, as the prefix sees it. */
export type Step =
  /** Refused by the stock; `behindHolds` when only the holds of earlier orders of the run made it short. */
  | { readonly kind: 'refused'; readonly sku: string; readonly behindHolds: boolean }
  /** Reserved, its payment asked (or not yet, when the window was full). */
  | { readonly kind: 'reserved'; readonly sku: string; readonly ask: Ask | undefined };

/**
 * What the first order a run cannot decide waits for: its payment's answer (asked, in flight), or room
 * in the window to ask it (the orders before it hold the window); false when it waits for neither.
 */
export type Waiting = false | 'answer' | 'room';

export interface DecidablePrefix {
  /** How many orders from the first can be decided now. */
  readonly length: number;
  readonly waiting: Waiting;
  /** Why the first undecidable order's payment failed, when it did. */
  readonly failure?: { readonly key: string; readonly reason: unknown };
}

/**
 * The orders of a run that can be decided now, from the first: each whose payment has answered, and
 * each the stock refused, up to the first order whose payment has not answered. A refusal that only
 * the hold of an earlier order declined in this run caused is not one: the prefix ends before it, and
 * it is decided once that order's stock is given back. So each product's orders are decided as one
 * after another would decide them, whatever order their payments answer in.
 */
export function decidablePrefix(steps: readonly Step[]): DecidablePrefix {
  const declined = new Set<string>();
  for (const [i, step] of steps.entries()) {
    if (step.kind === 'refused') {
      if (step.behindHolds && declined.has(step.sku)) return { length: i, waiting: false };
      continue;
    }
    if (step.ask === undefined) return { length: i, waiting: 'room' };
    const settled = step.ask.settled;
    if (settled === undefined) return { length: i, waiting: 'answer' };
    if (settled.status === 'rejected') {
      return { length: i, waiting: false, failure: { key: step.ask.key, reason: settled.reason } };
    }
    if (settled.value.status === 'declined') declined.add(step.sku);
  }
  return { length: steps.length, waiting: false };
}
