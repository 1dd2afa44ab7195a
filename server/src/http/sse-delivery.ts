/**
 * One SSE subscription's results on their way to its client, bounded like a WebSocket's: the
 * execution is read as it produces, and what the client has not read yet waits here, at most
 * `bounds.maxEvents` results and `bounds.maxBytes` bytes. Beyond either, or when the viewer's token
 * expires, the stream ends with one last `next` event carrying the error (SLOW_CONSUMER,
 * TOKEN_EXPIRED), then `complete`.
 *
 * A client that stopped reading never asks for that last event: Yoga's stream waits for the socket to
 * drain. It is then written straight to the response, which is ended: a client reading again finds the
 * events sent before, the error, and the end. Written after a blank line, so that it starts an event
 * of its own even if the one before had only its `event:` line out (an SSE reader drops an event
 * without data).
 */
import type { ServerResponse } from 'node:http';
import type { ExecutionResult, GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import type { Logger } from '@orders/core';
import { slowConsumer, type PendingBounds } from '../pubsub/slow-consumer.ts';
import { atExpiry, tokenExpired } from './token-expiry.ts';

/** Why a delivery ended before its source did. */
export type EndReason = 'slow' | 'expired';

export interface SseDeliveryOptions {
  readonly bounds: PendingBounds;
  /** The viewer's token expiry (epoch ms); none for a delivery without a viewer. */
  readonly expiresAt?: number;
  /** The response the stream is written to, for a stalled client's last event. */
  readonly response?: ServerResponse;
  /** How long the last event may wait for the client to ask for it before it is written directly. */
  readonly lastEventWaitMs?: number;
  readonly logger: Logger;
  /** Told once when the delivery ends early, and why. */
  onEndedEarly?(reason: EndReason): void;
  /** Told of each result handed to the client. */
  onDelivered?(): void;
  /** Told once when the delivery is over, for whatever reason (the subject's count is released). */
  onFinished?(): void;
}

interface Waiting {
  readonly result: ExecutionResult;
  readonly bytes: number;
}

const LAST_EVENT_WAIT_MS = 2000;

export class SseDelivery implements AsyncIterableIterator<ExecutionResult> {
  private readonly queue: Waiting[] = [];
  private queuedBytes = 0;
  private asking: ((next: IteratorResult<ExecutionResult>) => void) | undefined;
  /** The error the client is told last, until it is handed over. */
  private lastWords: ExecutionResult | undefined;
  private ended = false;
  private finished = false;
  private readonly cancelExpiry: () => void;
  private lastEventTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: AsyncIterator<ExecutionResult>,
    private readonly options: SseDeliveryOptions,
  ) {
    options.response?.once('close', () => void this.return());
    this.cancelExpiry =
      options.expiresAt === undefined ? () => undefined : atExpiry(options.expiresAt, () => this.endEarly('expired'));
    void this.pump();
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    const waiting = this.queue.shift();
    if (waiting !== undefined) {
      this.queuedBytes -= waiting.bytes;
      this.options.onDelivered?.();
      return Promise.resolve({ done: false, value: waiting.result });
    }
    const last = this.lastWords;
    if (last !== undefined) {
      this.lastWords = undefined;
      this.finish();
      return Promise.resolve({ done: false, value: last });
    }
    if (this.ended) {
      this.finish();
      return Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve) => (this.asking = resolve));
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.stopReading();
    this.lastWords = undefined;
    this.answer({ done: true, value: undefined });
    this.finish();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Reads the execution as it produces, whether or not the client reads. */
  private async pump(): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.source.next();
        if (done || this.ended) break;
        this.offer(value);
      }
    } catch (error) {
      if (this.ended) return;
      this.end(errorResult(error, this.options.logger), 'keep');
      return;
    }
    if (!this.ended) this.end(undefined, 'keep');
  }

  private offer(result: ExecutionResult): void {
    if (this.asking !== undefined) {
      this.options.onDelivered?.();
      this.answer({ done: false, value: result });
      return;
    }
    // Measured only when it has to wait: a client that keeps up costs no serialisation here.
    const bytes = Buffer.byteLength(JSON.stringify(result));
    const { maxEvents, maxBytes } = this.options.bounds;
    if (this.queue.length + 1 > maxEvents || this.queuedBytes + bytes > maxBytes) {
      this.endEarly('slow');
      return;
    }
    this.queue.push({ result, bytes });
    this.queuedBytes += bytes;
  }

  private endEarly(reason: EndReason): void {
    if (this.ended) return;
    const pending = `${this.queue.length} events, ${this.queuedBytes} bytes`;
    this.options.onEndedEarly?.(reason);
    this.end({ errors: [reason === 'slow' ? slowConsumer(pending) : tokenExpired()] }, 'drop');
    // A client behind on its reading may never ask again: past a short wait its last event is written for it.
    if (reason === 'slow') this.writeLastWords();
    else if (this.lastWords !== undefined) {
      this.lastEventTimer = setTimeout(() => this.writeLastWords(), this.options.lastEventWaitMs ?? LAST_EVENT_WAIT_MS);
      this.lastEventTimer.unref();
    }
  }

  /**
   * Ends the delivery: nothing more is read; `last` (if any) is the client's last event, after what
   * waits for it when the source ended by itself (`keep`), instead of it when the client is cut off (`drop`).
   */
  private end(last: ExecutionResult | undefined, waiting: 'keep' | 'drop'): void {
    this.stopReading();
    if (waiting === 'drop') {
      this.queue.length = 0;
      this.queuedBytes = 0;
    }
    this.lastWords = last;
    // Someone asking means nothing waits: the end (or the last event) is handed over at once.
    if (this.asking === undefined) return;
    if (last === undefined) {
      this.answer({ done: true, value: undefined });
      this.finish();
      return;
    }
    this.lastWords = undefined;
    this.answer({ done: false, value: last });
    this.finish();
  }

  private stopReading(): void {
    if (this.ended) return;
    this.ended = true;
    this.cancelExpiry();
    Promise.resolve(this.source.return?.()).catch((error: unknown) =>
      this.options.logger.warn('an SSE subscription could not leave its source', { error }),
    );
  }

  private answer(next: IteratorResult<ExecutionResult>): void {
    const asking = this.asking;
    this.asking = undefined;
    asking?.(next);
  }

  private finish(): void {
    clearTimeout(this.lastEventTimer);
    if (this.finished) return;
    this.finished = true;
    this.options.onFinished?.();
  }

  /** The last event and the stream's end, written straight to a response whose stream is stuck. */
  private writeLastWords(): void {
    const last = this.lastWords;
    const response = this.options.response;
    if (last === undefined || response === undefined || response.writableEnded || response.destroyed) return;
    this.lastWords = undefined;
    // Yoga's stream, once the socket drains, may still write to the ended response: that failure is expected.
    response.on('error', (error) => this.options.logger.debug('an ended SSE stream refused a write', { error }));
    response.end(`\n\nevent: next\ndata: ${JSON.stringify(last)}\n\nevent: complete\ndata:\n\n`);
    this.finish();
  }
}

/** A source's failure as the stream's last event: a GraphQL error as it is, anything else masked. */
function errorResult(error: unknown, logger: Logger): ExecutionResult {
  if (isGraphQLError(error)) return { errors: [error] };
  logger.error('an SSE subscription failed', { error });
  return { errors: [createGraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] };
}

const isGraphQLError = (error: unknown): error is GraphQLError =>
  error instanceof Error && error.name === 'GraphQLError' && 'extensions' in error;
