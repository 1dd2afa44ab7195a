/**
 * What the processor asks the payment service and what it makes of the answer,
 * without the HTTP: the request for one decision about an order, and the
 * answer as the decision needs it (authorized, or declined with the code).
 */

/** The order's fields a payment needs. */
export interface PayableOrder {
  readonly _id: string;
  readonly customerId: string;
  /** In the currency's major units (12.5 is 12.50): the order's total. */
  readonly total: number;
  /** The version of the PENDING order being decided: a retried order is a new attempt, with a key of its own. */
  readonly version: number;
}

/** Prices in the catalogue are in one currency. */
export const ORDER_CURRENCY = 'USD';

export interface AuthorizationRequest {
  readonly idempotencyKey: string;
  readonly orderId: string;
  readonly customerId: string;
  /** Minor units (cents). */
  readonly amount: number;
  readonly currency: string;
}

export type PaymentResult =
  | { readonly status: 'authorized'; readonly authorizationId: string }
  /** Declined by the provider (with its authorization), or refused as a request (4xx: no authorization, the error's code). */
  | { readonly status: 'declined'; readonly authorizationId: string | null; readonly declineCode: string };

/**
 * One key per decision about one version of an order: the same on every redelivery and after any
 * crash, so the service answers a second try with the first one's authorization and never charges
 * twice; a retried order (a new PENDING version) is a new decision, and a new charge attempt.
 */
export function idempotencyKeyOf(order: Pick<PayableOrder, '_id' | 'version'>): string {
  return `${order._id}:${order.version}`;
}

export function authorizationRequestFor(order: PayableOrder): AuthorizationRequest {
  return {
    idempotencyKey: idempotencyKeyOf(order),
    orderId: order._id,
    customerId: order.customerId,
    // Totals are rounded to cents when the order is made; rounding again only removes float noise.
    amount: Math.round(order.total * 100),
    currency: ORDER_CURRENCY,
  };
}
