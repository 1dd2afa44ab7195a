/**
 * The bounded set of reasons the metrics label decisions and dead letters
 * with. A decision's error is free text for people ("out of stock: sku-12 has
 * 0 left, 2 requested"); a label must take few values, so each text maps to
 * one of these, and a text nobody foresaw to `other`.
 */

export const DECISION_REASONS = ['none', 'out_of_stock', 'payment_declined', 'unknown_product', 'other'] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

/** The reason label of a decision: `none` for an order PROCESSED, the kind of its error otherwise. */
export function decisionReason(error: string | null): DecisionReason {
  if (error === null) return 'none';
  if (error.startsWith('out of stock')) return 'out_of_stock';
  if (error.startsWith('payment declined')) return 'payment_declined';
  if (error.startsWith('unknown product')) return 'unknown_product';
  return 'other';
}

export const DEAD_LETTER_REASONS = ['unknown_order', 'unreadable'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** A message goes to the dead letters because its order is unknown, or because it cannot be read. */
export function deadLetterReason(reason: string): DeadLetterReason {
  return reason === 'unknown order' ? 'unknown_order' : 'unreadable';
}
