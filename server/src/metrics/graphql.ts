/**
 * The GraphQL layer's metrics: graphql-yoga's Prometheus plugin (operation
 * counts, durations and errors by operation name and type, on the server's
 * registry, served by the server's own guarded `/metrics` rather than the
 * plugin's open one). Subscriptions and the events they deliver are counted
 * by the subscriber policy of each transport (http/graphql-ws.ts,
 * http/sse-subscriptions.ts).
 */
import type { Plugin } from 'graphql-yoga';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { getOperationAST, type DocumentNode } from 'graphql';
import type { ServerMetrics } from './server-metrics.ts';

export function useGraphqlMetrics(metrics: ServerMetrics): Plugin[] {
  return [
    usePrometheus({
      registry: metrics.registry,
      endpoint: false,
      skipIntrospection: true,
      // A URL carries a query string of the client's choosing: not a bounded label.
      labels: { url: false },
      // What an operator reads (counts, durations and errors by operation, execute and subscribe phases),
      // without the summary that repeats the duration histogram at a higher cost, nor the cheap phases.
      metrics: {
        graphql_envelop_request_time_summary: false,
        graphql_envelop_phase_parse: false,
        graphql_envelop_phase_validate: false,
        graphql_envelop_phase_context: false,
      },
    }),
  ];
}

/**
 * The root field of a subscription operation, the label of its subscriptions ('unknown' when it is not
 * a plain field); undefined when the operation is not a subscription.
 */
export function subscriptionField(document: DocumentNode, operationName?: string | null): string | undefined {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'subscription') return undefined;
  const field = operation.selectionSet.selections[0];
  return field?.kind === 'Field' ? field.name.value : 'unknown';
}
