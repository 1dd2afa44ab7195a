/**
 * The processing rules: what becomes of a PENDING order, given its product's
 * stock and a roll of the dice for the payment. Pure (no I/O, no clock), so the
 * rules are tested without servers and the randomness is the caller's.
 */
import type { DecidedStatus } from '@orders/core';

/** A decision takes a PENDING order where the status machine lets it go (`DecidedStatus`): a status it drops fails to compile here. */
export type Decision =
  | { readonly status: 'PROCESSED' & DecidedStatus; readonly error: null; readonly stockAfter: number }
  | { readonly status: 'FAILED' & DecidedStatus; readonly error: string; readonly stockAfter: null };

export interface ProcessingRules {
  /** Share of payments declined, from 0 (never) to 1 (always). */
  readonly paymentFailureRate: number;
  /** A number in [0, 1), like Math.random. */
  readonly random: () => number;
}

const failed = (error: string): Decision => ({ status: 'FAILED', error, stockAfter: null });

/** Stock first, then payment: an order that cannot be served is never charged. */
export function decide(
  order: { readonly sku: string; readonly quantity: number },
  product: { readonly stock: number } | null,
  rules: ProcessingRules,
): Decision {
  if (product === null) return failed(`unknown product: ${order.sku}`);
  if (product.stock < order.quantity) {
    return failed(`out of stock: ${order.sku} has ${product.stock} left, ${order.quantity} requested`);
  }
  if (rules.random() < rules.paymentFailureRate) return failed('payment declined');
  return { status: 'PROCESSED', error: null, stockAfter: product.stock - order.quantity };
}

/** The decision for an order whose message kept failing for reasons other than the order itself. */
export function processingFailed(attempts: number, reason: string): Decision {
  return failed(`processing failed after ${attempts} attempts: ${reason}`);
}
