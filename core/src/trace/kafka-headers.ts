/**
 * The trace in Kafka messages: a `traceparent` header, read and written by
 * hand. OpenTelemetry's kafkajs instrumentation is not used: it propagates the
 * context active when `send` is called, and this system sends many orders'
 * messages in one call (batched sends, one transaction per batch of
 * decisions), so it would give them all one trace; it also needs the SDK and
 * a module-loading hook to do anything (see the README's Observability section).
 */
import type { IHeaders } from 'kafkajs';
import { continueTrace, formatTraceparent, parseTraceparent, TRACEPARENT, type TraceContext } from './trace-context.ts';

/** A header of a Kafka message as text: the last value of a repeated one, undefined when it is absent. */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const last = Array.isArray(value) ? value.at(-1) : value;
  return last?.toString();
}

/** The trace context a message's headers carry, or null without a valid one. */
export function traceOfHeaders(headers: IHeaders | undefined): TraceContext | null {
  const value = headerText(headers, TRACEPARENT);
  return value === undefined ? null : parseTraceparent(value);
}

/** The headers that carry a trace on to the next hop (a span id of its own); none without a trace. */
export function traceHeaders(from: TraceContext | string | null | undefined): Record<string, string> {
  if (from === null || from === undefined) return {};
  return { [TRACEPARENT]: formatTraceparent(continueTrace(from)) };
}
