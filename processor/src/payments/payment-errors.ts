/**
 * The payment service could not answer now: unreachable, the connection reset,
 * a 5xx (or 408, 429), an answer that cannot be read. Retried, counted by the breaker, and
 * never a reason to decide an order: the order waits until the service is back.
 * (A 4xx is an answer about the order: see payment-client.ts.)
 */

export class PaymentUnavailableError extends Error {
  override readonly name = 'PaymentUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
