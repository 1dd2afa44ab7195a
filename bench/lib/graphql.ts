/** The benchmarks' GraphQL clients: one over HTTP for operations, one over graphql-ws for subscriptions. */
import { Agent, request } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { authorization } from './token.ts';

/** Kept-alive connections, and node:http rather than fetch: the load generator shares the machine it measures. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string }[];
}

/**
 * Posts one operation; throws with the server's messages when it answers with errors. A kept-alive
 * connection that the server closed as idle just as it was reused fails with ECONNRESET before any
 * answer: the request is sent again on another, once, as browsers do (the operations sent here are
 * safe to repeat: createOrder carries an idempotency key).
 */
export async function graphqlRequest<T>(url: string, query: string, variables?: object): Promise<T> {
  const payload = JSON.stringify({ query, variables });
  const { status, text } = await post(url, payload).catch((error: unknown) => {
    if (error instanceof ReusedSocketReset) return post(url, payload);
    throw error;
  });
  const body = JSON.parse(text) as GraphQLResponse<T>;
  if (body.errors?.length) throw new Error(body.errors.map((error) => error.message).join('; '));
  if (body.data === undefined) throw new Error(`no data in the answer (HTTP ${status})`);
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

/** A graphql-ws client that connects at once (not lazily) and gives up after a few tries. */
export function wsClient(httpUrl: string): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: false,
    connectionParams: { authorization },
    retryAttempts: 3,
  });
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
