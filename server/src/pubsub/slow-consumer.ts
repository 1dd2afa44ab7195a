/**
 * The one error a subscriber gets when it falls too far behind, whatever the transport: on SSE it is
 * the stream's last event, on graphql-ws the connection closes with TOO_SLOW and the same words.
 */
import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

export const SLOW_CONSUMER = 'SLOW_CONSUMER';

/** What a subscriber may leave unread before it is closed: events, and their bytes once serialised. */
export interface PendingBounds {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

export function slowConsumer(pending: string): GraphQLError {
  return createGraphQLError(
    `the subscriber fell too far behind (${pending} not yet read) and was closed; resume with the last cursor`,
    { extensions: { code: SLOW_CONSUMER } },
  );
}

export const isSlowConsumer = (error: unknown): boolean =>
  (error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code === SLOW_CONSUMER;
