/**
 * The dashboard's one GraphQL client: urql over HTTP for queries and
 * mutations, graphql-ws for subscriptions. The WebSocket reconnects for ever
 * with a jittered backoff and resubscribes every live subscription; a
 * ConnectionMonitor follows it for the indicator and for catching up.
 *
 * No document cache: urql's cacheExchange would refetch the order table after
 * every createOrder (it invalidates by __typename), while the views here stay
 * current by merging subscription events, by version.
 *
 * Queries and mutations over HTTP go by their persisted document id (the
 * hash codegen embeds in each document, see codegen.ts), never by their text:
 * a server that accepts persisted operations only from some roles (its
 * PERSISTED_OPERATIONS_ONLY) serves the dashboard all the same. An id the
 * server does not know (a development build ahead of it) is sent again with
 * its text. Subscriptions and WebSocket mutations go as text, which the
 * server matches against the same persisted documents.
 */
import { Client, fetchExchange, subscriptionExchange, type TypedDocumentNode } from 'urql';
import { persistedExchange } from '@urql/exchange-persisted';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { ConnectionMonitor } from './connection-monitor.ts';
import { reconnectDelay } from './connection-state.ts';

/**
 * The operation context that sends a query or mutation over the WebSocket
 * instead of HTTP. The bulk generator uses it: hundreds of mutations in flight
 * would otherwise take the browser's six HTTP connections from the rest of the page.
 */
export const overWebSocket = { overWebSocket: true } as const;

/** The id codegen gave a document (`__meta__.hash`); undefined for one it did not make, which goes as text. */
export function persistedIdOf(document: TypedDocumentNode<unknown, never> | object): string | undefined {
  const meta = (document as { __meta__?: { hash?: unknown } }).__meta__;
  return typeof meta?.hash === 'string' ? meta.hash : undefined;
}

/** Ping the server this often, and drop a socket that does not answer within PONG_TIMEOUT_MS. */
const KEEP_ALIVE_MS = 10_000;
const PONG_TIMEOUT_MS = 5_000;

export function graphqlEndpoints(location: Pick<Location, 'protocol' | 'host'>): { http: string; ws: string } {
  const secure = location.protocol === 'https:';
  return {
    http: `${location.protocol}//${location.host}/graphql`,
    ws: `${secure ? 'wss' : 'ws'}://${location.host}/graphql`,
  };
}

export interface GraphqlConnection {
  readonly client: Client;
  readonly monitor: ConnectionMonitor;
  readonly ws: WsClient;
  dispose(): void;
}

/** The urql client: queries and mutations over HTTP, subscriptions (and operations that ask for it) over `ws`. */
function createUrqlClient(url: string, authorization: string, ws: WsClient): Client {
  return new Client({
    url,
    // urql sends queries as GET: the header tells the server's CSRF prevention this is no cross-site form.
    fetchOptions: { headers: { authorization, 'x-graphql-yoga-csrf': 'dashboard' } },
    exchanges: [
      subscriptionExchange({
        isSubscriptionOperation: (operation) =>
          operation.kind === 'subscription' || operation.context.overWebSocket === true,
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
      persistedExchange({
        enableForMutation: true,
        generateHash: (_query, document) => Promise.resolve(persistedIdOf(document)),
      }),
      fetchExchange,
    ],
  });
}

/**
 * `token` goes with every request (Authorization header) and in the
 * WebSocket's connectionParams; `onForbidden` is called when the server
 * closes the socket for the token (4403: expired or refused).
 */
export function createGraphqlConnection(
  location: Pick<Location, 'protocol' | 'host'>,
  token: string,
  onForbidden: () => void = () => {},
): GraphqlConnection {
  const endpoints = graphqlEndpoints(location);
  const authorization = `Bearer ${token}`;
  const monitor = new ConnectionMonitor(navigator.onLine);
  let socket: WebSocket | undefined;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;

  const ws = createWsClient({
    url: endpoints.ws,
    // Connect now, not at the first subscription, so the indicator tells the truth from the start.
    lazy: false,
    connectionParams: { authorization },
    keepAlive: KEEP_ALIVE_MS,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelay(retries))),
    onNonLazyError: (error) => {
      // Only a fatal close code from the server gets here; the indicator shows it as offline.
      console.error('live feed stopped', error);
      monitor.report({ type: 'downTooLong' });
    },
    on: {
      connecting: () => monitor.report({ type: 'connecting' }),
      connected: (connected) => {
        socket = connected as WebSocket;
        monitor.report({ type: 'connected' });
      },
      closed: (event) => {
        // 4403: the server refused the token or it expired. Retrying with the same one cannot help.
        if ((event as { code?: unknown } | null)?.code === 4403) onForbidden();
        socket = undefined;
        clearTimeout(pongTimer);
        monitor.report({ type: 'closed' });
      },
      ping: (received) => {
        if (received) return;
        clearTimeout(pongTimer);
        // A socket that stops answering (a sleeping laptop, a dead proxy) is closed so that a retry begins.
        pongTimer = setTimeout(() => {
          if (socket?.readyState === WebSocket.OPEN) socket.close(4408, 'Pong timeout');
        }, PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });

  const client = createUrqlClient(endpoints.http, authorization, ws);

  const online = () => monitor.report({ type: 'browserOnline', online: true });
  const offline = () => monitor.report({ type: 'browserOnline', online: false });
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);

  return {
    client,
    monitor,
    ws,
    dispose() {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      clearTimeout(pongTimer);
      void ws.dispose();
    },
  };
}
