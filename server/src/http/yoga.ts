/**
 * GraphQL over HTTP and SSE: Yoga on the schema, with the query limits
 * (graphql-armor), CSRF prevention, CORS for the allowed origins only, a
 * viewer required for every operation (anonymous introspection excepted when
 * allowed), introspection off when configured so, GraphiQL when switched on,
 * and each request's context built from the app's services.
 */
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import type { Logger, Viewer } from '@orders/core';
import { useRequireViewer, type Authenticator } from '../auth/authentication.ts';
import type { IntrospectionAccess } from './exposure-config.ts';
import {
  graphiqlOptions,
  renderGraphiql,
  useGraphiqlSecurityHeaders,
  type GraphiqlSettings,
} from './graphiql/graphiql.ts';
import type { RateLimiter } from '../auth/rate-limit.ts';
import { createLoaders, type Context, type Services } from '../context.ts';
import { schema } from '../schema/index.ts';
import { refusedAsLimitExceeded, refusingWithCode, useInputErrorCodes } from './input-errors.ts';
import { traceparentOf, useTraceparent } from '../trace/traceparent.ts';

/**
 * Query limits, tuned so that the dashboard's own operations pass with room to spare:
 * the deepest (an order's history with its order) is 5 levels, the largest far under these.
 */
const armor = new EnvelopArmor({
  maxDepth: { n: 8, ...refusedAsLimitExceeded },
  maxAliases: { n: 15, ...refusedAsLimitExceeded },
  maxDirectives: { n: 20, ...refusedAsLimitExceeded },
  maxTokens: { n: 2000 },
  costLimit: { maxCost: 5000, ...refusedAsLimitExceeded },
  blockFieldSuggestion: { enabled: true },
});

export interface GraphqlOptions {
  production: boolean;
  /** GraphiQL for browsers at the endpoint (what it needs to prefill a token), or false: none. */
  graphiql: GraphiqlSettings | false;
  /** Who may run introspection: nobody, any caller with a token, or anyone. */
  introspection: IntrospectionAccess;
  /** Whether a browser may call from `origin` a server it reached as `host` (CORS). */
  originAllowed: (origin: string, host: string | undefined) => boolean;
  services: Services;
  authenticator: Authenticator;
  createOrderLimiter: RateLimiter;
  logger: Logger;
  /** Plugins after the server's own (the metrics'). */
  extraPlugins?: Plugin[];
}

export type GraphqlHandler = YogaServerInstance<object, Context>;

function plugins(introspection: IntrospectionAccess): Plugin[] {
  return [
    // First, so that every answer (a refusal too) carries the request's traceparent.
    useTraceparent(),
    useRequireViewer({ allowIntrospection: introspection === 'anonymous' }) as Plugin,
    ...(armor.protect().plugins as Plugin[]),
    // Browsers send "simple" requests across sites without asking; GraphQL here needs a JSON body or this header.
    refusingWithCode(useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }), 'CSRF_HEADER_REQUIRED'),
    useInputErrorCodes(),
    ...(introspection === 'off'
      ? [{ onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule) } satisfies Plugin]
      : []),
  ];
}

/**
 * CORS headers for an allowed origin only: any other origin gets none at all, so a browser keeps its
 * page from reading the answer. Without credentials: the API reads a bearer token, never a cookie.
 */
function corsFor(originAllowed: GraphqlOptions['originAllowed']) {
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !originAllowed(origin, request.headers.get('host') ?? undefined)) return false;
    return { origin: [origin], credentials: false, maxAge: 600 };
  };
}

export function createGraphqlHandler(options: GraphqlOptions): GraphqlHandler {
  const { services, authenticator, createOrderLimiter, logger } = options;
  return createYoga<object, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Subscriptions in GraphiQL go over SSE: its fetches carry the Headers tab (and the token), its WebSocket would not.
    graphiql: options.graphiql ? graphiqlOptions(options.graphiql) : false,
    renderGraphiQL: renderGraphiql,
    batching: false,
    cors: corsFor(options.originAllowed),
    plugins: [
      ...plugins(options.introspection),
      ...(options.graphiql ? [useGraphiqlSecurityHeaders()] : []),
      ...(options.extraPlugins ?? []),
    ],
    // Over HTTP the viewer comes from the Authorization header; over graphql-ws it was settled when the socket opened.
    context: async (initial: { request?: Request; viewer?: Viewer | null }) => ({
      ...services,
      loaders: createLoaders(services.models),
      createOrderLimiter,
      traceparent: traceparentOf(initial.request),
      viewer:
        initial.viewer !== undefined
          ? initial.viewer
          : await authenticator.viewerOf(initial.request?.headers.get('authorization') ?? undefined),
    }),
    logging: {
      debug: (...args) => logger.debug(String(args[0])),
      info: (...args) => logger.info(String(args[0])),
      warn: (...args) => logger.warn(String(args[0])),
      error: (...args) => logger.error(String(args[0]), { detail: args.slice(1).map(String) }),
    },
  });
}
