/**
 * The trace an order's messages carry, through the processor: the
 * `traceparent` header of its OrderCreated message goes on to the status
 * changes it announces (their Kafka headers and Redis message, see
 * publish-status-change.ts), and every log line about the order carries its
 * `traceId`. Put around the handlers where they are wired, so that the
 * handlers themselves need not know about traces: while a handler runs, an
 * async-local scope says which order has which trace, and the handlers'
 * logger reads it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { continueTrace, formatTraceparent, headerText, traceOfHeaders, type Logger } from '@orders/core';
import type { ConsumedMessage } from '../kafka/consumed-message.ts';
import type { Announcement } from '../announcing/announcement.ts';

interface TraceScope {
  /** Order id → trace id, for the orders of the messages being handled. */
  readonly byOrder: ReadonlyMap<string, string>;
  /** The trace of the one message being handled: for its lines that name no order (a dead letter's). */
  readonly only: string | undefined;
}

const scope = new AsyncLocalStorage<TraceScope>();

/** The order a message is about, as the server's header names it (set with every OrderCreated it sends). */
function orderIdOf(message: ConsumedMessage): string | undefined {
  return headerText(message.headers, 'orderId');
}

function scopeOf(messages: readonly ConsumedMessage[]): TraceScope {
  const byOrder = new Map<string, string>();
  for (const message of messages) {
    const traceId = traceOfHeaders(message.headers)?.traceId;
    const orderId = orderIdOf(message);
    if (traceId !== undefined && orderId !== undefined) byOrder.set(orderId, traceId);
  }
  const only = messages.length === 1 ? traceOfHeaders(messages[0]!.headers)?.traceId : undefined;
  return { byOrder, only };
}

/** The outcome with its announcements carrying the message's trace on: a new span id, the same trace id. */
function carried<O extends { readonly announcements: readonly Announcement[] }>(outcome: O, message: ConsumedMessage) {
  const trace = traceOfHeaders(message.headers);
  if (trace === null || outcome.announcements.length === 0) return outcome;
  const traceparent = formatTraceparent(continueTrace(trace));
  return { ...outcome, announcements: outcome.announcements.map((a) => ({ ...a, traceparent })) } as O;
}

/** A one-message handler whose announcements and log lines carry the message's trace. */
export function tracedHandler<A extends unknown[], O extends { readonly announcements: readonly Announcement[] }>(
  handle: (message: ConsumedMessage, ...rest: A) => Promise<O>,
): (message: ConsumedMessage, ...rest: A) => Promise<O> {
  return (message, ...rest) =>
    scope.run(scopeOf([message]), async () => carried(await handle(message, ...rest), message));
}

/**
 * A handler of a run of messages, traced the same way: its result's outcomes (in the messages' order,
 * maybe fewer) carry their messages' traces, and the rest of the result goes through as it is.
 */
export function tracedRun<
  O extends { readonly announcements: readonly Announcement[] },
  R extends { readonly outcomes: readonly O[] },
>(decide: (messages: readonly ConsumedMessage[]) => Promise<R>): (messages: readonly ConsumedMessage[]) => Promise<R> {
  return (messages) =>
    scope.run(scopeOf(messages), async () => {
      const run = await decide(messages);
      return { ...run, outcomes: run.outcomes.map((outcome, i) => carried(outcome, messages[i]!)) };
    });
}

/**
 * A logger whose lines carry `traceId` when they are about an order of the messages being handled:
 * the order named by the line or by the child logger it came from; a line naming no order, the trace
 * of the one message handled. Outside a traced handler, lines go out as they are.
 */
export function tracedLogger(logger: Logger, orderId?: string): Logger {
  const withTrace = (fields: Record<string, unknown> | undefined) => {
    const current = scope.getStore();
    if (current === undefined) return fields;
    const about = typeof fields?.orderId === 'string' ? fields.orderId : orderId;
    // Messages without the orderId header (not sent by a server): the one message's trace still holds.
    const traceId = about === undefined || current.byOrder.size === 0 ? current.only : current.byOrder.get(about);
    return traceId === undefined || fields?.traceId !== undefined ? fields : { ...fields, traceId };
  };
  return {
    debug: (message, fields) => logger.debug(message, withTrace(fields)),
    info: (message, fields) => logger.info(message, withTrace(fields)),
    warn: (message, fields) => logger.warn(message, withTrace(fields)),
    error: (message, fields) => logger.error(message, withTrace(fields)),
    child: (fields) =>
      tracedLogger(logger.child(fields), typeof fields.orderId === 'string' ? fields.orderId : orderId),
  };
}
