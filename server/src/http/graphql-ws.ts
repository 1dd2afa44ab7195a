/**
 * graphql-ws (the `graphql-transport-ws` protocol) on the GraphQL path of the
 * HTTP server, executing through Yoga's envelop so both transports share one
 * schema, context and plugins.
 *
 * Guarded like the HTTP side, with the subscriber policy SSE applies too: a
 * browser may connect only from an allowed origin; a socket that sends no
 * connection_init in time is closed (4408, by graphql-ws); the token in
 * connectionParams is checked when the connection opens (a bad one closes it
 * with 4403), and the connection is closed with 4403 when the token expires,
 * however long it was valid; a connection without a token (introspection
 * outside production) is closed with 4401 after a short while; a token's
 * subject holds at most so many connections (4029 beyond) and subscriptions
 * (LIMIT_EXCEEDED beyond); messages are limited in size and a connection in
 * the number of its subscriptions; every event is checked against the
 * subscriber's token before it is sent; and a connection whose client leaves
 * more than so many events or bytes unread is closed with 1013 rather than
 * held in memory without end: the client resumes from its cursor.
 */
import type { IncomingMessage, Server } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { CloseCode, type Context, type SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { ExecutionArgs, GraphQLError } from 'graphql';
import { createGraphQLError, type YogaServerInstance } from 'graphql-yoga';
import type { Logger, Viewer } from '@orders/core';
import { isExpired, sharingScope } from '../auth/access.ts';
import { authorizationParam, type Authenticator } from '../auth/authentication.ts';
import { subscriptionField } from '../metrics/graphql.ts';
import type { PendingBounds } from '../pubsub/slow-consumer.ts';
import { SharedSubscriptions, type SendJson } from './shared-subscriptions.ts';
import { limitExceeded } from './sse-subscriptions.ts';
import { subjectLimitMessage, type Release, type SubjectLimit, type SubjectLimits } from './subject-limits.ts';
import { KEEP_ALIVE_MS, keepAlive } from './socket-keep-alive.ts';
import { atExpiry } from './token-expiry.ts';

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

export interface GraphqlWsOptions {
  authenticator: Authenticator;
  /** Whether a browser's Origin may open a socket; requests without one (other programs) always may. */
  originAllowed: (origin: string, request: IncomingMessage) => boolean;
  maxMessageBytes: number;
  maxSubscriptions: number;
  /** What a connection's client may leave unread before it is closed as too slow (1013). */
  bounds: PendingBounds;
  /** What one token subject may hold open: connections here, subscriptions over every transport. */
  limits: SubjectLimits;
  /** How long a socket may take to send connection_init (then 4408). */
  connectionInitTimeoutMs: number;
  /** How long a connection without a token stays open (then 4401). */
  anonymousTimeoutMs: number;
  /** Told of each subscription, event, and connection closed or refused (the server's metrics). */
  metrics?: SocketMetrics;
}

/** What the metrics count of the sockets and their subscriptions. */
export interface SocketMetrics {
  subscribed(field: string): void;
  completed(field: string): void;
  delivered(): void;
  tooSlow(): void;
  tokenExpired(): void;
  anonymousClosed(): void;
  refused(limit: SubjectLimit): void;
}

/** The close code for a subject over its connection limit. */
export const TOO_MANY_CONNECTIONS = 4029;
/** The close code for a connection without a token at its deadline. */
export const UNAUTHORIZED = 4401;

/** What the server keeps on each connection, beside the socket. */
interface ConnectionState {
  viewer?: Viewer | null;
  /** Frames sent and not yet written to the socket, and frames sent in all. */
  readonly unsent: { events: number; sent: number };
  /** What the connection holds of its subject's share, released when it closes. */
  readonly releases: Release[];
  /** The subject's share each open subscription holds, by subscription id. */
  readonly subscriptions: Map<string, Release>;
}

/** Which execution a subscription may share (the same operation, variables and access scope), and how its results reach the socket. */
interface Sharing {
  key: string;
  viewer: Viewer | null;
  send: SendJson;
}

type WsContext = Context<Record<string, unknown> | undefined, Extra>;

export function attachGraphqlWs(
  httpServer: Server,
  yoga: YogaServerInstance<object, object>,
  logger: Logger,
  options: GraphqlWsOptions,
): { close(): Promise<void>; wss: WebSocketServer; shared: SharedSubscriptions } {
  const wss = socketServer(httpServer, yoga.graphqlEndpoint, logger, options);
  const shared = new SharedSubscriptions();
  const sharings = new WeakMap<ExecutionArgs, Sharing>();
  const states = new WeakMap<object, ConnectionState>();
  // Each connection's open subscriptions by id, with their root field: graphql-ws completes each once.
  const open = new WeakMap<object, Map<string, string>>();
  const sent = new WeakMap<WebSocket, { sent: number }>();
  const stateOf = (extra: object): ConnectionState => {
    let state = states.get(extra);
    if (state === undefined) {
      states.set(extra, (state = { unsent: { events: 0, sent: 0 }, releases: [], subscriptions: new Map() }));
      sent.set((extra as Extra).socket, state.unsent);
    }
    return state;
  };

  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => subscribeShared(shared, args, sharings.get(args)) as never,
      connectionInitWaitTimeout: options.connectionInitTimeoutMs,
      onConnect: (ctx) => admit(ctx, stateOf(ctx.extra), options, logger),
      onSubscribe: async (ctx, id, params) => {
        const prepared = await prepareOperation(yoga, ctx, id, params, stateOf(ctx.extra), options, logger);
        if (!('args' in prepared)) return prepared;
        const state = stateOf(ctx.extra);
        const viewer = state.viewer ?? null;
        if (prepared.field !== undefined && viewer !== null) {
          const release = options.limits.acquire('subscriptions', viewer);
          if (release === undefined) {
            options.metrics?.refused('subscriptions');
            return [limitExceeded('subscriptions', options.limits.max('subscriptions'))];
          }
          state.subscriptions.set(id, release);
        }
        sharings.set(prepared.args, prepared.sharing);
        if (options.metrics && prepared.field !== undefined) {
          const fields = open.get(ctx.extra) ?? new Map<string, string>();
          open.set(ctx.extra, fields.set(id, prepared.field));
          options.metrics.subscribed(prepared.field);
        }
        return prepared.args;
      },
      onComplete: (ctx, id) => {
        const state = stateOf(ctx.extra);
        state.subscriptions.get(id)?.();
        state.subscriptions.delete(id);
        const field = open.get(ctx.extra)?.get(id);
        if (field === undefined) return;
        open.get(ctx.extra)?.delete(id);
        options.metrics?.completed(field);
      },
      onError: (_ctx, _id, _payload, errors) => {
        logger.debug('graphql-ws operation error', { errors: errors.map((e) => e.message) });
      },
    },
    wss,
    // graphql-ws's own liveness check ends a client that stopped reading without a word: ours says why.
    0,
  );
  checkLiveness(wss, options, logger, (socket) => sent.get(socket)?.sent ?? 0);
  return {
    wss,
    shared,
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Each socket's liveness check, a client that stopped reading closed as too slow and counted (see socket-keep-alive.ts). */
function checkLiveness(
  wss: WebSocketServer,
  options: GraphqlWsOptions,
  logger: Logger,
  sentTo: (socket: WebSocket) => number,
): void {
  const onStalled = (bufferedBytes: number) => {
    options.metrics?.tooSlow();
    logger.warn('websocket closed: the client stopped reading', { bufferedBytes });
  };
  wss.on('connection', (socket) => keepAlive(socket, KEEP_ALIVE_MS, onStalled, TOO_SLOW, () => sentTo(socket)));
}

/** The WebSocket server on the GraphQL path: messages limited in size, browsers only from allowed origins. */
function socketServer(httpServer: Server, path: string, logger: Logger, options: GraphqlWsOptions): WebSocketServer {
  return new WebSocketServer({
    server: httpServer,
    path,
    // The ws default is 100 MiB; no GraphQL message here needs more than a request body.
    maxPayload: options.maxMessageBytes,
    verifyClient: ({ origin, req }, done) => {
      if (!origin || options.originAllowed(origin, req)) return done(true);
      logger.warn('websocket refused: origin not allowed', { origin });
      done(false, 403, 'Origin not allowed');
    },
  });
}

/** A subscription through the shared executions, its viewer checked for each subscriber and each event. */
function subscribeShared(shared: SharedSubscriptions, args: ExecutionArgs, sharing: Sharing | undefined) {
  const root = args.rootValue as EnvelopedRoot;
  if (sharing === undefined) return root.subscribe(args);
  const { viewer } = sharing;
  // Checked for each subscriber and each event, not only when the subscription began.
  const stillAllowed = () => viewer === null || !isExpired(viewer);
  return shared.subscribe(sharing.key, () => root.subscribe(args) as never, stillAllowed, sharing.send);
}

/**
 * Settles a connection's viewer from the token in its connectionParams: a bad token refuses it (4403),
 * a subject holding its most connections too (4029). The connection is closed with 4403 when the token
 * expires, or, without a token, with 4401 once its short grace is over. What it holds is released when
 * it closes.
 */
async function admit(
  ctx: WsContext,
  state: ConnectionState,
  options: GraphqlWsOptions,
  logger: Logger,
): Promise<boolean> {
  let viewer: Viewer | null;
  try {
    viewer = state.viewer = await options.authenticator.viewerOf(authorizationParam(ctx.connectionParams));
  } catch (error) {
    logger.info('websocket refused: bad token', { reason: error instanceof Error ? error.message : String(error) });
    return false; // closes with 4403 Forbidden
  }
  const socket = ctx.extra.socket;
  const release = () => {
    for (const release of [...state.releases, ...state.subscriptions.values()]) release();
  };
  socket.once('close', release);
  if (viewer === null) {
    const timer = setTimeout(() => {
      options.metrics?.anonymousClosed();
      socket.close(
        UNAUTHORIZED,
        `Unauthorized: a connection without a token closes after ${options.anonymousTimeoutMs} ms`,
      );
    }, options.anonymousTimeoutMs);
    timer.unref();
    state.releases.push(() => clearTimeout(timer));
    return true;
  }
  const connection = options.limits.acquire('connections', viewer);
  if (connection === undefined) {
    options.metrics?.refused('connections');
    const max = options.limits.max('connections');
    logger.info('websocket refused: too many connections for one subject', { subject: viewer.subject, max });
    socket.close(TOO_MANY_CONNECTIONS, `Too many connections: ${subjectLimitMessage('connections', max)}`);
    return false;
  }
  state.releases.push(connection);
  state.releases.push(
    atExpiry(viewer.expiresAt, () => {
      options.metrics?.tokenExpired();
      socket.close(CloseCode.Forbidden, 'Forbidden: the token has expired');
    }),
  );
  return true;
}

/**
 * One subscribe message made ready to execute through Yoga's envelop, with what it may share with
 * other subscribers; or the errors that refuse it (too many subscriptions, an invalid operation).
 */
async function prepareOperation(
  yoga: YogaServerInstance<object, object>,
  ctx: WsContext,
  id: string,
  params: SubscribePayload,
  state: ConnectionState,
  options: GraphqlWsOptions,
  logger: Logger,
): Promise<readonly GraphQLError[] | { args: ExecutionArgs; sharing: Sharing; field?: string }> {
  const viewer = state.viewer ?? null;
  // graphql-ws has already registered this one: the others are the connection's open subscriptions.
  const others = Object.keys(ctx.subscriptions).length - 1;
  if (others >= options.maxSubscriptions) {
    return [
      createGraphQLError(`a connection may hold at most ${options.maxSubscriptions} subscriptions`, {
        extensions: { code: 'LIMIT_EXCEEDED' },
      }),
    ];
  }
  const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
    ...ctx,
    req: ctx.extra.request,
    socket: ctx.extra.socket,
    params,
    viewer,
  });
  const args: ExecutionArgs = {
    schema,
    operationName: params.operationName,
    document: parse(params.query),
    variableValues: params.variables,
    contextValue: await contextFactory(),
    rootValue: { execute, subscribe } satisfies EnvelopedRoot,
  };
  const errors = validate(args.schema, args.document);
  if (errors.length > 0) return errors;
  const key = JSON.stringify([
    sharingScope(viewer),
    params.query,
    params.operationName ?? null,
    params.variables ?? null,
  ]);
  const send = nextMessages(ctx.extra.socket, id, options.bounds, state.unsent, (behind) => {
    options.metrics?.tooSlow();
    logger.warn('websocket closed: the client fell behind', behind);
  });
  const metrics = options.metrics;
  const counted: SendJson = metrics
    ? (json) => {
        send(json);
        metrics.delivered();
      }
    : send;
  const field = subscriptionField(args.document, params.operationName);
  return { args, sharing: { key, viewer, send: counted }, field };
}

/** The close code for a client too slow to keep up: "Try Again Later", which graphql-ws clients retry. */
export const TOO_SLOW = 1013;

/**
 * The `next` messages of one subscription, written straight to its socket around a result already
 * serialised once for every subscriber of the event: the frame graphql-ws would write, without
 * serialising the result again for each. Nothing is written to a socket that is no longer open; a
 * socket whose client leaves more than `bounds` unread (frames not yet written out, counted in
 * `unsent` for the whole connection, or bytes buffered) is closed instead (`onTooSlow` is told).
 */
export function nextMessages(
  socket: Pick<WebSocket, 'readyState' | 'bufferedAmount' | 'send' | 'close'>,
  id: string,
  bounds: PendingBounds,
  unsent: { events: number; sent?: number },
  onTooSlow: (behind: { events: number; bytes: number }) => void,
): SendJson {
  const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  const written = () => void (unsent.events -= 1);
  return (resultJson) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    const bytes = socket.bufferedAmount;
    if (bytes > bounds.maxBytes || unsent.events >= bounds.maxEvents) {
      const events = unsent.events;
      onTooSlow({ events, bytes });
      socket.close(
        TOO_SLOW,
        `Try Again Later: ${events} events, ${bytes} bytes not yet read; resume with the last cursor`,
      );
      return;
    }
    unsent.events += 1;
    if (unsent.sent !== undefined) unsent.sent += 1;
    socket.send(`${head}${resultJson}}`, written);
  };
}
