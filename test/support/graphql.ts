/**
 * GraphQL clients for tests and benchmarks: over HTTP (an answer as the
 * server gave it, or the data of one that must succeed) and over graphql-ws
 * (a client, a subscription collected into arrays, or one awaited until the
 * server acknowledges it), and a subscription over SSE. Every one acts as the
 * operator unless given another token.
 */
import { Agent, request } from 'node:http';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';
import { authorization, bearer } from './auth.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } & Record<string, unknown> }[];
}

/**
 * One operation over HTTP with fetch, answered as the server answers it (data and errors). As the
 * operator unless another token (or null: none) is given.
 */
export async function graphqlAnswer<T = Record<string, unknown>>(
  graphqlUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string | null,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...bearer(token) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

/** Kept-alive connections, and node:http rather than fetch: the load generator shares the machine it measures. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * Posts one operation as the operator; throws with the server's messages when it answers with
 * errors. A kept-alive connection that the server closed as idle just as it was reused fails with
 * ECONNRESET before any answer: the request is sent again on another, once, as browsers do (the
 * operations sent here are safe to repeat: createOrder carries an idempotency key).
 */
export async function graphqlRequest<T>(graphqlUrl: string, query: string, variables?: object): Promise<T> {
  const payload = JSON.stringify({ query, variables });
  const { status, text } = await post(graphqlUrl, payload).catch((error: unknown) => {
    if (error instanceof ReusedSocketReset) return post(graphqlUrl, payload);
    throw error;
  });
  const body = JSON.parse(text) as GraphQLResponse<T>;
  if (body.errors?.length) throw new Error(body.errors.map((error) => error.message).join('; '));
  if (body.data === undefined || body.data === null) throw new Error(`no data in the answer (HTTP ${status})`);
  return body.data;
}

class ReusedSocketReset extends Error {}

function post(url: string, payload: string): Promise<{ status: number; text: string }> {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (req.reusedSocket && error.code === 'ECONNRESET') reject(new ReusedSocketReset(error.message));
      else reject(error);
    });
    req.end(payload);
  });
}

export interface WsClientOptions extends Partial<Omit<ClientOptions, 'url'>> {
  /** The operator's token by default; null connects without one. */
  token?: string | null;
}

/**
 * A graphql-ws client of `graphqlUrl` (http:// or ws://, or a function giving it on each connect)
 * that connects at once rather than on its first subscription. A refused connection shows in the
 * subscriptions' errors and in the `closed` event, not as an unhandled error.
 */
export function wsClient(graphqlUrl: string | (() => string), options: WsClientOptions = {}): Client {
  const { token, ...rest } = options;
  const toWs = (url: string) => url.replace(/^http/, 'ws');
  return createClient({
    url: typeof graphqlUrl === 'string' ? toWs(graphqlUrl) : () => toWs(graphqlUrl()),
    webSocketImpl: WebSocket,
    lazy: false,
    connectionParams: bearer(token),
    onNonLazyError: () => {},
    ...rest,
  });
}

/** Collects what a graphql-ws subscription delivers until the test stops it. */
export function collect<T>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const received: T[] = [];
  const errors: unknown[] = [];
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.data) received.push(value.data as T);
        if (value.errors) errors.push(...value.errors);
      },
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  return { received, errors, unsubscribe };
}

/** Subscribes and resolves once the server has acknowledged the connection. */
export function subscribe<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const connected = client.on('connected', () => {
      connected();
      resolve(unsubscribe);
    });
    const unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.data) onData(result.data);
        },
        error: reject,
        complete: () => undefined,
      },
    );
  });
}

/** A subscription over server-sent events (GraphQL over SSE, as GraphiQL subscribes): the response, and `stop` to end it. */
export async function subscribeOverSse(graphqlUrl: string, query: string, token?: string) {
  const controller = new AbortController();
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(token) },
    body: JSON.stringify({ query }),
    signal: controller.signal,
  });
  return { response, stop: () => controller.abort() };
}
