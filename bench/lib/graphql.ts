/** The benchmarks' GraphQL clients: one over HTTP for operations, one over graphql-ws for subscriptions. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string }[];
}

/** Posts one operation; throws with the server's messages when it answers with errors. */
export async function graphqlRequest<T>(url: string, query: string, variables?: object): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResponse<T>;
  if (body.errors?.length) throw new Error(body.errors.map((error) => error.message).join('; '));
  if (body.data === undefined) throw new Error(`no data in the answer (HTTP ${response.status})`);
  return body.data;
}

/** A graphql-ws client that connects at once (not lazily) and gives up after a few tries. */
export function wsClient(httpUrl: string): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: false,
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
