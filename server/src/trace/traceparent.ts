/**
 * The trace of each GraphQL request over HTTP: the caller's W3C `traceparent`
 * continued (the same trace id, this server's own span id), or a new trace
 * when the caller sent none or an invalid one. It is in the request's context
 * (createOrder stores its trace id on the order and sends it on to Kafka) and
 * in the response's `traceparent` header, so the caller learns the trace id to
 * look for in the logs.
 */
import type { Plugin } from 'graphql-yoga';
import { continueTrace, formatTraceparent, TRACEPARENT } from '@orders/core';

const traces = new WeakMap<Request, string>();

/** The request's traceparent, as this server continued it; undefined outside an HTTP request (graphql-ws). */
export const traceparentOf = (request: Request | undefined): string | undefined =>
  request === undefined ? undefined : traces.get(request);

export function useTraceparent(): Plugin {
  return {
    onRequest({ request }) {
      traces.set(request, formatTraceparent(continueTrace(request.headers.get(TRACEPARENT))));
    },
    onResponse({ request, response }) {
      const traceparent = traces.get(request);
      if (traceparent !== undefined) response.headers.set(TRACEPARENT, traceparent);
    },
  };
}
