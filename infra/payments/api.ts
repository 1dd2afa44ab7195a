/**
 * The payment API, shaped like a card provider's:
 *
 * - `POST /v1/authorizations` with an `Idempotency-Key` header and a JSON body
 *   `{ orderId, customerId, amount, currency }` (amount in minor units):
 *   201 with the authorization (`status` `authorized` or `declined`, with a
 *   `declineCode`); the same key again answers 200 with the same authorization
 *   and `Idempotent-Replayed: true`, and charges nothing; the same key with
 *   other parameters is refused (422 `idempotency_key_reused`).
 * - `GET /v1/authorizations/:id`, `GET /v1/ledger?orderId=&customerId=&status=`.
 * - `POST /v1/test/outage` `{ mode, durationMs? }` and `DELETE /v1/test/outage`
 *   when test controls are on.
 *
 * Errors are `{ error: { code, message } }`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { behaviourFor } from './behaviours.ts';
import { sameRequest, type Authorization, type AuthorizationRequest, type Ledger } from './ledger.ts';
import type { OutageMode, OutageSwitch } from './outage.ts';

export interface PaymentApiParts {
  readonly ledger: Ledger;
  readonly outage: OutageSwitch;
  readonly decliningCustomers: readonly string[];
  readonly latencyMs: () => number;
  readonly testControls: boolean;
}

const AuthorizationBody = z.object({
  orderId: z.string().min(1).max(200),
  customerId: z.string().min(1).max(200),
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as USD'),
});

const OutageBody = z.object({
  mode: z.enum(['errors', 'hang', 'reset']),
  durationMs: z.number().int().positive().optional(),
});

const MAX_BODY_BYTES = 16 * 1024;

class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'body_too_large', `the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body is not JSON');
  }
}

function parse<T>(model: z.ZodType<T>, value: unknown): T {
  const parsed = model.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') ?? '';
  throw new ApiError(400, 'invalid_request', `${where === '' ? 'body' : where}: ${issue?.message ?? 'invalid'}`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Holds a call without an answer until its caller goes away. */
function holdUntilClosed(request: IncomingMessage): Promise<void> {
  return new Promise((resolve) => request.socket.once('close', () => resolve()));
}

export function createPaymentApi(parts: PaymentApiParts) {
  const { ledger, outage } = parts;
  /** Authorizations being made, by key: a second call with the key waits for the first's answer. */
  const inFlight = new Map<string, Promise<Authorization | undefined>>();

  async function authorize(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
      throw new ApiError(
        400,
        'idempotency_key_missing',
        'an Idempotency-Key header of 1 to 255 characters is required',
      );
    }
    const body = parse(AuthorizationBody, await readJson(request));
    const wanted: AuthorizationRequest = {
      orderId: body.orderId,
      customerId: body.customerId,
      amountMinor: body.amount,
      currency: body.currency,
    };
    const earlier = ledger.byIdempotencyKey(key) ?? (await inFlight.get(key));
    if (earlier !== undefined) {
      if (!sameRequest(earlier, wanted)) {
        throw new ApiError(422, 'idempotency_key_reused', `Idempotency-Key ${key} was used for another request`);
      }
      send(response, 200, present(earlier), { 'idempotent-replayed': 'true' });
      return;
    }
    const making = decide(key, wanted, request);
    inFlight.set(key, making);
    try {
      const made = await making;
      if (made !== undefined) send(response, 201, present(made));
    } finally {
      inFlight.delete(key);
    }
  }

  /** Decides and records one authorization; undefined when the test behaviour gives no answer. */
  async function decide(
    key: string,
    wanted: AuthorizationRequest,
    request: IncomingMessage,
  ): Promise<Authorization | undefined> {
    await sleep(parts.latencyMs());
    const behaviour = behaviourFor(wanted, parts.decliningCustomers);
    if (behaviour.kind === 'hang') {
      await holdUntilClosed(request);
      return undefined;
    }
    if (behaviour.kind === 'fail') throw new ApiError(500, 'processing_error', 'the test customer always fails');
    const authorization: Authorization = {
      ...wanted,
      id: `auth_${randomUUID().replaceAll('-', '')}`,
      idempotencyKey: key,
      status: behaviour.kind === 'decline' ? 'declined' : 'authorized',
      declineCode: behaviour.kind === 'decline' ? behaviour.code : null,
      createdAt: new Date().toISOString(),
    };
    ledger.record(authorization);
    return authorization;
  }

  function readLedger(url: URL, response: ServerResponse): void {
    const status = url.searchParams.get('status');
    if (status !== null && status !== 'authorized' && status !== 'declined') {
      throw new ApiError(400, 'invalid_request', 'status: must be authorized or declined');
    }
    const entries = ledger.entries({
      orderId: url.searchParams.get('orderId') ?? undefined,
      customerId: url.searchParams.get('customerId') ?? undefined,
      status: status ?? undefined,
    });
    send(response, 200, { entries: entries.map(present) });
  }

  async function switchOutage(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'DELETE') {
      outage.stop();
      send(response, 200, { outage: null });
      return;
    }
    const body = parse(OutageBody, await readJson(request));
    outage.start(body.mode as OutageMode, body.durationMs);
    send(response, 200, { outage: body.mode });
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://payments.invalid');
    const method = request.method ?? 'GET';
    if (url.pathname === '/health') return send(response, 200, { status: 'ok', authorizations: ledger.size });
    if (url.pathname === '/v1/test/outage' && parts.testControls && ['POST', 'DELETE'].includes(method)) {
      return switchOutage(request, response);
    }
    const down = outage.current();
    if (down === 'reset') return void request.socket.destroy();
    if (down === 'hang') return holdUntilClosed(request);
    if (down === 'errors') throw new ApiError(503, 'service_unavailable', 'the payment service is in an outage');
    if (url.pathname === '/v1/authorizations' && method === 'POST') return authorize(request, response);
    const byId = /^\/v1\/authorizations\/([\w-]+)$/.exec(url.pathname);
    if (byId !== null && method === 'GET') {
      const found = ledger.find(byId[1]!);
      if (found === undefined) throw new ApiError(404, 'not_found', `no authorization ${byId[1]}`);
      return send(response, 200, present(found));
    }
    if (url.pathname === '/v1/ledger' && method === 'GET') return readLedger(url, response);
    throw new ApiError(404, 'not_found', `no route ${method} ${url.pathname}`);
  }

  return (request: IncomingMessage, response: ServerResponse): void => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent || request.socket.destroyed) return;
      if (error instanceof ApiError)
        send(response, error.status, { error: { code: error.code, message: error.message } });
      else send(response, 500, { error: { code: 'processing_error', message: String(error) } });
    });
  };
}

/** An authorization as the API shows it: the amount under its wire name. */
function present(authorization: Authorization) {
  const { amountMinor, ...rest } = authorization;
  return { ...rest, amount: amountMinor };
}
