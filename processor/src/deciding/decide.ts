/**
 * The processing rules: what becomes of a PENDING order, given its product's
 * stock and the payment service's answer. Stock first: an order the stock
 * cannot serve is FAILED without asking for a payment (`reserve`); then the
 * payment decides (`settle`): authorized takes the reserved stock, declined
 * gives it back and fails the order with the decline code. Pure (no I/O, no
 * clock), so the rules are tested without servers.
 */
import type { DecidedStatus } from '@orders/core';

/** A decision takes a PENDING order where the status machine lets it go (`DecidedStatus`): a status it drops fails to compile here. */
export type Decision =
  | { readonly status: 'PROCESSED' & DecidedStatus; readonly error: null; readonly stockAfter: number }
  | { readonly status: 'FAILED' & DecidedStatus; readonly error: string; readonly stockAfter: null };

/** The payment service's answer, as far as the decision needs it. */
export type PaymentAnswer =
  { readonly status: 'authorized' } | { readonly status: 'declined'; readonly declineCode: string };

/** What the stock says before any payment: the order is served (reserving its quantity), or refused. */
export type Reservation =
  | { readonly kind: 'reserved'; readonly stockAfter: number }
  | { readonly kind: 'refused'; readonly decision: Decision };

const failed = (error: string): Decision => ({ status: 'FAILED', error, stockAfter: null });

/** Whether the stock serves the order; an order it cannot serve is refused here and is never charged. */
export function reserve(
  order: { readonly sku: string; readonly quantity: number },
  product: { readonly stock: number } | null,
): Reservation {
  if (product === null) return { kind: 'refused', decision: failed(`unknown product: ${order.sku}`) };
  if (product.stock < order.quantity) {
    return {
      kind: 'refused',
      decision: failed(`out of stock: ${order.sku} has ${product.stock} left, ${order.quantity} requested`),
    };
  }
  return { kind: 'reserved', stockAfter: product.stock - order.quantity };
}

/** The decision once the payment answered: authorized keeps the reservation, declined releases it. */
export function settle(reservation: { readonly stockAfter: number }, payment: PaymentAnswer): Decision {
  if (payment.status === 'declined') return failed(`payment declined: ${payment.declineCode}`);
  return { status: 'PROCESSED', error: null, stockAfter: reservation.stockAfter };
}

/** Both steps at once, for an answer known in advance: stock first, then the payment. */
export function decide(
  order: { readonly sku: string; readonly quantity: number },
  product: { readonly stock: number } | null,
  payment: PaymentAnswer,
): Decision {
  const reservation = reserve(order, product);
  return reservation.kind === 'refused' ? reservation.decision : settle(reservation, payment);
}
