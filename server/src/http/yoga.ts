/**
 * GraphQL over HTTP and SSE: Yoga on the schema, with the query limits
 * (query-limits.ts), trusted documents (trusted-documents.ts), CSRF
 * prevention, CORS for the allowed origins only, a viewer required for every
 * operation (anonymous introspection excepted when allowed), introspection off
 * when configured so, GraphiQL when switched on,
 * and each request's context built from the app's services.
 */
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
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
import { refusingWithCode, useInputErrorCodes } from './input-errors.ts';
import { useQueryLimits, type QueryLimits } from './query-limits.ts';
import { useTrustedDocuments, type PersistedDocuments } from './trusted-documents.ts';
import { traceparentOf, useTraceparent } from '../trace/traceparent.ts';

/** A token's role, as the viewer it names has it. */
type Role = Viewer['role'];

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
  /** What one operation may ask (see query-limits.ts). */
  queryLimits: QueryLimits;
  /** The dashboard's persisted operations, and the roles that may run nothing else (see trusted-documents.ts). */
  trustedDocuments: { documents: PersistedDocuments; persistedOnlyFor: readonly Role[] };
  /** Plugins after the server's own (the metrics'). */
  extraPlugins?: Plugin[];
}

export type GraphqlHandler = YogaServerInstance<object, Context>;

function plugins({ introspection, queryLimits, trustedDocuments, authenticator }: GraphqlOptions): Plugin[] {
  return [
    // First, so that every answer (a refusal too) carries the request's traceparent.
    useTraceparent(),
    ...useTrustedDocuments({
      ...trustedDocuments,
      viewerOf: (request) => authenticator.viewerOf(request.headers.get('authorization') ?? undefined),
    }),
    useRequireViewer({ allowIntrospection: introspection === 'anonymous' }) as Plugin,
    ...useQueryLimits(queryLimits),
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
      ...plugins(options),
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
