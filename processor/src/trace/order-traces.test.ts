import { describe, expect, it } from 'vitest';
import { createLogger, parseTraceparent, type Order, type StatusChange } from '@orders/core';
import type { ConsumedMessage } from '../kafka/consumed-message.ts';
import type { Announcement } from '../announcing/announcement.ts';
import { eventMessagesOf, indexEntryOf } from '../announcing/publish-status-change.ts';
import { tracedHandler, tracedLogger, tracedRun } from './order-traces.ts';

const traceA = '4bf92f3577b34da6a3ce929d0e0e4736';
const traceB = '0af7651916cd43dd8448eb211c80319c';
const message = (offset: number, orderId: string, traceId?: string): ConsumedMessage => ({
  topic: 'orders.created',
  partition: 0,
  offset: String(offset),
  key: Buffer.from('SKU-0001'),
  value: Buffer.from('{}'),
  headers: { orderId, ...(traceId ? { traceparent: Buffer.from(`00-${traceId}-00f067aa0ba902b7-01`) } : {}) },
});

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = tracedLogger(createLogger('test', 'debug', {}, (line) => lines.push(JSON.parse(line))));
  return { lines, logger };
}

const at = new Date('2026-12-02T05:00:00.000Z');
const order = { _id: 'o1', version: 2, history: [], createdAt: at, updatedAt: at } as unknown as Order;
const change = {
  _id: 'o1:2',
  orderId: 'o1',
  version: 2,
  previousStatus: 'PENDING',
  status: 'PROCESSED',
  error: null,
  at,
  partition: 0,
  seq: 1,
} as unknown as StatusChange;
const announced = (): { kind: 'decided'; announcements: Announcement[] } => ({
  kind: 'decided',
  announcements: [{ change, order }],
});

describe('an order’s trace through the processor', () => {
  it('puts the trace id of the one message handled on every line, a child logger’s included', async () => {
    const { lines, logger } = capture();
    const handle = tracedHandler(async (_message: ConsumedMessage) => {
      logger.child({ orderId: 'o1' }).info('order decided');
      logger.warn('message sent to dead letters');
      return announced();
    });
    await handle(message(1, 'o1', traceA));
    expect(lines.map((line) => line.traceId)).toEqual([traceA, traceA]);
  });

  it('gives each order of a run its own trace, and a line naming no order none', async () => {
    const { lines, logger } = capture();
    const run = tracedRun(async (messages: readonly ConsumedMessage[]) => {
      logger.info('order decided', { orderId: 'o1' });
      logger.info('order decided', { orderId: 'o2' });
      logger.info('order decided', { orderId: 'o3' });
      logger.info('a run of new orders');
      return { outcomes: messages.map(() => announced()) };
    });
    const { outcomes } = await run([message(1, 'o1', traceA), message(2, 'o2', traceB), message(3, 'o3')]);
    expect(lines.map((line) => line.traceId)).toEqual([traceA, traceB, undefined, undefined]);
    expect(outcomes.map((o) => parseTraceparent(o.announcements[0]?.traceparent)?.traceId)).toEqual([
      traceA,
      traceB,
      undefined,
    ]);
  });

  it('continues the trace in the announcements with a span id of their own', async () => {
    const outcome = await tracedHandler(async (_message: ConsumedMessage) => announced())(message(1, 'o1', traceA));
    const traceparent = outcome.announcements[0]!.traceparent!;
    expect(parseTraceparent(traceparent)?.spanId).not.toBe('00f067aa0ba902b7');
    const [event] = eventMessagesOf(outcome.announcements);
    expect(event?.headers).toEqual({ traceparent });
    expect(indexEntryOf(outcome.announcements[0]!).message.traceparent).toBe(traceparent);
    // Without a trace, no header and no field.
    expect(eventMessagesOf([{ change, order }])[0]?.headers).toBeUndefined();
    expect('traceparent' in indexEntryOf({ change, order }).message).toBe(false);
  });

  it('leaves lines outside a traced handler as they are', () => {
    const { lines, logger } = capture();
    logger.info('processor running', { orderId: 'o1' });
    expect(lines[0]?.traceId).toBeUndefined();
  });
});
