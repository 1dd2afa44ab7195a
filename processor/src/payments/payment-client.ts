/**
 * The payment service's client: `authorize(order)` asks for the order's total
 * under the decision's idempotency key and resolves with the answer
 * (authorized, or declined with a code). Every call has a timeout; what could
 * not be answered now (a timeout, a 5xx, a connection refused or reset) is
 * tried again a few times with jittered exponential backoff, and counts towards
 * a circuit breaker shared by the whole processor: once the service has failed
 * that many times in a row, calls fail at once (BrokenCircuitError) until a
 * trial call after the half-open delay succeeds. What the service refuses as a
 * request about this order (400, 402, 409, 422) is neither retried nor counted:
 * it is an answer about the order, which is declined with the error's code.
 * Any other refusal (401, 403, 404: a wrong PAYMENTS_URL or credentials) says
 * nothing about the order: it is an outage like a 5xx, and the order waits.
 * The policies are cockatiel's.
 */
import {
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import {
  authorizationRequestFor,
  type AuthorizationRequest,
  type PayableOrder,
  type PaymentResult,
} from './authorization.ts';
import { PaymentUnavailableError } from './payment-errors.ts';

export interface PaymentClientOptions {
  /** The service's base URL, such as http://127.0.0.1:4010. */
  readonly url: string;
  /** The longest one call may take before it counts as failed. */
  readonly timeoutMs: number;
  /** Tries after the first, for what could not be answered now. */
  readonly retries: number;
  /** Failures in a row that open the breaker. */
  readonly breakerFailures: number;
  /** How long the breaker stays open before one trial call may go through. */
  readonly breakerHalfOpenMs: number;
  /** The first retry's wait (then doubling, jittered, up to ten times it). */
  readonly retryDelayMs?: number;
}

/** What a call came to, for the metrics: how long it took and the outcome (a decline code, or the failure's kind). */
export interface PaymentCallObserver {
  onCall(outcome: string, seconds: number): void;
  onBreakerState(state: BreakerState): void;
}

export type BreakerState = 'closed' | 'open' | 'half_open' | 'isolated';

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

export interface Payments {
  authorize(order: PayableOrder): Promise<PaymentResult>;
  readonly breakerState: BreakerState;
}

/**
 * Whether a call ran out of time. Not cockatiel's `isTaskCancelledError`: in 3.2.1 it tests for the
 * bulkhead's mark, so it is false for a timeout, which would then be neither retried nor counted by
 * the breaker.
 */
export function isTimeout(error: unknown): boolean {
  return error instanceof TaskCancelledError;
}

/** Whether an error means "not now" rather than "never": the only ones retried, and the breaker counts. */
export function isTransientPaymentError(error: unknown): boolean {
  return error instanceof PaymentUnavailableError || isTimeout(error);
}

/** Whether a failed decision should wait for the payment service rather than decide anything. */
export function isPaymentOutage(error: unknown): boolean {
  return isTransientPaymentError(error) || isBrokenCircuitError(error);
}

const AnswerShape = {
  read(body: unknown): PaymentResult | undefined {
    if (typeof body !== 'object' || body === null) return undefined;
    const { id, status, declineCode } = body as Record<string, unknown>;
    if (typeof id !== 'string') return undefined;
    if (status === 'authorized') return { status, authorizationId: id };
    if (status === 'declined' && typeof declineCode === 'string') {
      return { status, authorizationId: id, declineCode };
    }
    return undefined;
  },
};

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json().catch(() => null)) as { error?: { code?: unknown; message?: unknown } } | null;
  return {
    code: typeof body?.error?.code === 'string' ? body.error.code : 'unknown',
    message: typeof body?.error?.message === 'string' ? body.error.message : response.statusText,
  };
}

/**
 * The refusals that are about the order itself (a bad request, payment required, a conflict of keys,
 * an amount the service will not take): the order is declined with the error's code. Every other
 * 4xx is the service, or the way to it, not taking the processor's requests at all.
 */
const ANSWERS_ABOUT_THE_ORDER = new Set([400, 402, 409, 422]);

/** One HTTP call, with no policy: an answer, or a PaymentUnavailableError. */
async function postAuthorization(
  url: string,
  request: AuthorizationRequest,
  signal: AbortSignal,
): Promise<PaymentResult> {
  const { idempotencyKey, ...body } = request;
  let response: Response;
  try {
    response = await fetch(new URL('/v1/authorizations', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    // Aborted by the timeout policy: a timeout, whichever of the two rejections cockatiel's race sees first.
    if (signal.aborted) throw new TaskCancelledError('the payment service did not answer in time');
    throw new PaymentUnavailableError(`the payment service is unreachable: ${causeOf(error)}`, { cause: error });
  }
  if (response.status >= 400 && !ANSWERS_ABOUT_THE_ORDER.has(response.status)) {
    const { code, message } = await errorOf(response);
    const hint =
      response.status < 500 && response.status !== 408 && response.status !== 429 ? ' (check PAYMENTS_URL)' : '';
    throw new PaymentUnavailableError(`the payment service answered ${response.status} ${code}: ${message}${hint}`);
  }
  if (response.status >= 400) {
    // A request the service will never accept (a bad amount, a key reused for another request): an
    // answer about this order, not an outage, so the order is declined with the error's code.
    const { code } = await errorOf(response);
    return { status: 'declined', authorizationId: null, declineCode: code } satisfies PaymentResult;
  }
  const answer = AnswerShape.read(await response.json().catch(() => null));
  if (answer === undefined) throw new PaymentUnavailableError('the payment service answered something unreadable');
  return answer;
}

/** fetch says "fetch failed"; the reason (ECONNREFUSED, ECONNRESET…) is in its cause. */
function causeOf(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** The name of what a call came to, for the metrics: a decline code, `authorized`, or the failure's kind. */
function outcomeOf(result: PromiseSettledResult<PaymentResult>): string {
  if (result.status === 'fulfilled')
    return result.value.status === 'declined' ? result.value.declineCode : 'authorized';
  const error: unknown = result.reason;
  if (isBrokenCircuitError(error)) return 'breaker_open';
  if (isTimeout(error)) return 'timeout';
  return 'unavailable';
}

export function createPaymentClient(options: PaymentClientOptions, observer?: PaymentCallObserver): Payments {
  const transient = handleWhen(isTransientPaymentError);
  const breaker: CircuitBreakerPolicy = circuitBreaker(transient, {
    halfOpenAfter: options.breakerHalfOpenMs,
    breaker: new ConsecutiveBreaker(options.breakerFailures),
  });
  const initialDelay = options.retryDelayMs ?? 100;
  const policy = wrap(
    retry(transient, {
      maxAttempts: options.retries,
      // Decorrelated jitter (cockatiel's default generator): retries of many orders do not arrive together.
      backoff: new ExponentialBackoff({ initialDelay, maxDelay: initialDelay * 10 }),
    }),
    breaker,
    timeout(options.timeoutMs, TimeoutStrategy.Aggressive),
  );
  breaker.onStateChange((state) => observer?.onBreakerState(STATE_NAMES[state]));
  observer?.onBreakerState('closed');

  return {
    get breakerState() {
      return STATE_NAMES[breaker.state];
    },
    async authorize(order) {
      const request = authorizationRequestFor(order);
      const started = performance.now();
      const settled = await Promise.allSettled([
        // A signal of its own per call: without one, every call's policies listen on one shared signal.
        policy.execute(({ signal }) => postAuthorization(options.url, request, signal), new AbortController().signal),
      ]);
      const result = settled[0]!;
      observer?.onCall(outcomeOf(result), (performance.now() - started) / 1000);
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    },
  };
}
