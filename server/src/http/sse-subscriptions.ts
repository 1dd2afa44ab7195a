/**
 * The subscriber policy for subscriptions over SSE, as graphql-ws applies it to sockets: a viewer's
 * subject holds at most its share of subscriptions (refused with LIMIT_EXCEEDED beyond it), and each
 * subscription's results reach its client through an SseDelivery (bounded; ended with SLOW_CONSUMER
 * or TOKEN_EXPIRED as its last event). Counted in the server's metrics with the transport `sse`.
 */
import type { ServerResponse } from 'node:http';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import type { Logger, Viewer } from '@orders/core';
import { subscriptionField } from '../metrics/graphql.ts';
import type { PendingBounds } from '../pubsub/slow-consumer.ts';
import { SseDelivery } from './sse-delivery.ts';
import { subjectLimitMessage, type SubjectLimit, type SubjectLimits } from './subject-limits.ts';

export type Transport = 'graphql-ws' | 'sse';

/** What the metrics count of the subscribers, on either transport. */
export interface SubscriberMetrics {
  subscribed(field: string, transport: Transport): void;
  completed(field: string, transport: Transport): void;
  delivered(transport: Transport): void;
  tooSlow(transport: Transport): void;
  tokenExpired(transport: Transport): void;
  refused(limit: SubjectLimit, transport: Transport): void;
}

export interface SsePolicyOptions {
  readonly bounds: PendingBounds;
  readonly limits: SubjectLimits;
  readonly logger: Logger;
  readonly metrics?: SubscriberMetrics;
}

/** What an SSE request's context holds beside the app's: the fetch request, the node response, the viewer. */
interface SseContext {
  request?: Request;
  res?: ServerResponse;
  viewer?: Viewer | null;
}

export const limitExceeded = (limit: SubjectLimit, max: number) =>
  createGraphQLError(subjectLimitMessage(limit, max), { extensions: { code: 'LIMIT_EXCEEDED' } });

export function useSseSubscriberPolicy(options: SsePolicyOptions): Plugin {
  const { limits, metrics, logger, bounds } = options;
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const context = args.contextValue as SseContext;
      // Without a fetch Request it is a graphql-ws subscription: the socket applies the same policy.
      if (!context.request) return undefined;
      const viewer = context.viewer ?? null;
      const release = viewer === null ? () => undefined : limits.acquire('subscriptions', viewer);
      if (release === undefined) {
        metrics?.refused('subscriptions', 'sse');
        setResultAndStopExecution({ errors: [limitExceeded('subscriptions', limits.max('subscriptions'))] });
        return undefined;
      }
      const field = subscriptionField(args.document, args.operationName) ?? 'unknown';
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return release();
          metrics?.subscribed(field, 'sse');
          const source = (result as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
          setResult(
            new SseDelivery(source, {
              bounds,
              expiresAt: viewer?.expiresAt,
              response: context.res,
              logger,
              onEndedEarly: (reason) => {
                if (reason === 'slow') {
                  metrics?.tooSlow('sse');
                  logger.warn('SSE subscription closed: the client fell behind', { field });
                } else metrics?.tokenExpired('sse');
              },
              onDelivered: () => metrics?.delivered('sse'),
              onFinished: () => {
                release();
                metrics?.completed(field, 'sse');
              },
            }),
          );
        },
      };
    },
  };
}
