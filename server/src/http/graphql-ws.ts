/**
 * graphql-ws (the `graphql-transport-ws` protocol) on the GraphQL path of the
 * HTTP server, executing through Yoga's envelop so both transports share one
 * schema, context and plugins.
 */
import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { ExecutionArgs } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from '@orders/core';
import { SharedSubscriptions } from './shared-subscriptions.ts';

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

export function attachGraphqlWs(
  httpServer: Server,
  yoga: YogaServerInstance<object, object>,
  logger: Logger,
): { close(): Promise<void>; wss: WebSocketServer; shared: SharedSubscriptions } {
  const wss = new WebSocketServer({ server: httpServer, path: yoga.graphqlEndpoint, maxPayload: 1024 * 1024 });
  const shared = new SharedSubscriptions();
  // Which execution each subscription may share: the same operation with the same variables.
  const sharingKeys = new WeakMap<ExecutionArgs, string>();
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => {
        const root = args.rootValue as EnvelopedRoot;
        const key = sharingKeys.get(args);
        return (
          key === undefined ? root.subscribe(args) : shared.subscribe(key, () => root.subscribe(args) as never)
        ) as never;
      },
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
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
        sharingKeys.set(args, JSON.stringify([params.query, params.operationName ?? null, params.variables ?? null]));
        return args;
      },
      onError: (_ctx, _id, _payload, errors) => {
        logger.debug('graphql-ws operation error', { errors: errors.map((e) => e.message) });
      },
    },
    wss,
  );
  return {
    wss,
    shared,
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
