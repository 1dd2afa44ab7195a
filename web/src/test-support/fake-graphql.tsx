/**
 * A GraphQL server in memory for component tests: a real urql Client whose
 * exchange answers each operation by name, and lets a test push subscription
 * events. Components under test render inside `<Providers>`.
 */
import type { ReactNode } from 'react';
import { Client, Provider, makeResult, type Exchange, type Operation } from 'urql';
import { filter, fromValue, makeSubject, map, merge, mergeMap, pipe, type Subject } from 'wonka';
import { ConnectionMonitor } from '../graphql/connection-monitor.ts';
import { ConnectionProvider } from '../graphql/connection-context.tsx';
import { LiveOrdersProvider } from '../orders/LiveOrdersContext.tsx';
import type { StatusFilter } from '../orders/status-filter.ts';

type Data = Record<string, unknown>;
export interface Answer {
  data?: Data;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}
/** Answers a query or a mutation, by operation name, from its variables. */
export type Handlers = Record<string, (variables: Record<string, unknown>) => Answer>;

const operationName = (op: Operation) =>
  op.query.definitions.flatMap((d) => (d.kind === 'OperationDefinition' && d.name ? [d.name.value] : []))[0] ?? '';

export function fakeGraphql(handlers: Handlers) {
  const feeds = new Map<string, Subject<Data>>();
  const feed = (name: string) => {
    if (!feeds.has(name)) feeds.set(name, makeSubject<Data>());
    return feeds.get(name)!;
  };
  const requests: { name: string; variables: Record<string, unknown> }[] = [];

  const exchange: Exchange = () => (operations$) => {
    const requests$ = pipe(
      operations$,
      filter((op) => op.kind === 'query' || op.kind === 'mutation'),
      mergeMap((op) => {
        const name = operationName(op);
        const variables = (op.variables ?? {}) as Record<string, unknown>;
        requests.push({ name, variables });
        const handler = handlers[name];
        const answer = handler ? handler(variables) : { errors: [{ message: `no fake answer for ${name}` }] };
        return fromValue(
          makeResult(op, { data: answer.data ?? null, ...(answer.errors ? { errors: answer.errors } : {}) }),
        );
      }),
    );
    const subscriptions$ = pipe(
      operations$,
      filter((op) => op.kind === 'subscription'),
      mergeMap((op) =>
        pipe(
          feed(operationName(op)).source,
          map((data) => makeResult(op, { data })),
        ),
      ),
    );
    return merge([requests$, subscriptions$]);
  };

  const client = new Client({ url: 'http://test/graphql', exchanges: [exchange] });
  const monitor = new ConnectionMonitor();

  function Providers({ children, statusFilter = 'ALL' }: { children: ReactNode; statusFilter?: StatusFilter }) {
    return (
      <Provider value={client}>
        <ConnectionProvider monitor={monitor}>
          <LiveOrdersProvider filter={statusFilter}>{children}</LiveOrdersProvider>
        </ConnectionProvider>
      </Provider>
    );
  }

  return {
    client,
    requests,
    Providers,
    /** The live feed's state, as graphql-ws would report it. */
    monitor,
    /** Sends a subscription event to every subscriber of the named subscription. */
    push: (subscription: string, data: Data) => feed(subscription).next(data),
  };
}
