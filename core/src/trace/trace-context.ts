/**
 * One trace id from the click to the subscriber: the W3C Trace Context
 * (`traceparent`) an order carries from createOrder through Kafka, the
 * processor's decision, the status event and its Redis message, and every log
 * line about the order. Each hop keeps the trace id and names itself with a
 * new span id, as the W3C recommendation has it; ids are checked with
 * OpenTelemetry's own rules (@opentelemetry/api), so the same header reaches
 * an OpenTelemetry SDK unchanged if one is ever put in front.
 */
import { randomBytes } from 'node:crypto';
import { isSpanContextValid, TraceFlags, type SpanContext } from '@opentelemetry/api';

/** The header's name, in HTTP and in Kafka messages alike. */
export const TRACEPARENT = 'traceparent';

/** A trace context as OpenTelemetry holds it: trace id, span id and flags. */
export type TraceContext = Pick<SpanContext, 'traceId' | 'spanId' | 'traceFlags'>;

// version-traceid-spanid-flags; a later version may add fields after the flags, version ff is invalid.
const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The trace context a `traceparent` value names, or null when it is not a valid one. */
export function parseTraceparent(value: unknown): TraceContext | null {
  if (typeof value !== 'string') return null;
  const match = TRACEPARENT_FORMAT.exec(value.trim());
  if (!match) return null;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  const context = { traceId: traceId!, spanId: spanId!, traceFlags: parseInt(flags!, 16) };
  return isSpanContextValid(context) ? context : null;
}

/** The `traceparent` value of a trace context (version 00). */
export function formatTraceparent(context: TraceContext): string {
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

const newSpanId = () => randomBytes(8).toString('hex');

/** A new trace, sampled: what a request without a valid `traceparent` starts. */
export function startTrace(): TraceContext {
  return { traceId: randomBytes(16).toString('hex'), spanId: newSpanId(), traceFlags: TraceFlags.SAMPLED };
}

/**
 * The next hop of a trace: the same trace id and flags, a span id of its own. From a `traceparent`
 * value, a trace id alone (as an order stores it) or a context; a new trace when given nothing valid.
 */
export function continueTrace(from: TraceContext | string | null | undefined): TraceContext {
  const parent = typeof from === 'string' ? (parseTraceparent(from) ?? traceOfId(from)) : from;
  if (!parent) return startTrace();
  return { traceId: parent.traceId, spanId: newSpanId(), traceFlags: parent.traceFlags };
}

/** A trace id on its own (32 hex digits, not all zero) as a context to continue, or null. */
function traceOfId(traceId: string): TraceContext | null {
  const context = { traceId, spanId: newSpanId(), traceFlags: TraceFlags.SAMPLED };
  return isSpanContextValid(context) ? context : null;
}

/** The trace id a `traceparent` value names, or null. */
export const traceIdOf = (traceparent: unknown): string | null => parseTraceparent(traceparent)?.traceId ?? null;
