import { describe, expect, it } from 'vitest';
import { traceHeaders, traceOfHeaders } from './kafka-headers.ts';
import { continueTrace, formatTraceparent, parseTraceparent, startTrace, traceIdOf } from './trace-context.ts';

const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace context', () => {
  it('reads a W3C traceparent and writes it back the same', () => {
    const context = parseTraceparent(CALLER);
    expect(context).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
    expect(formatTraceparent(context!)).toBe(CALLER);
  });

  it('refuses what the recommendation calls invalid', () => {
    for (const value of [
      undefined,
      42,
      '',
      'garbage',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01', // all-zero trace id
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', // all-zero span id
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', // version ff
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', // upper case
      `${CALLER}-extra`, // version 00 has nothing after the flags
    ]) {
      expect(parseTraceparent(value), String(value)).toBeNull();
    }
    // A later version may carry more fields: its first four are read.
    expect(traceIdOf('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it('continues a trace with the same trace id and flags and a span id of its own', () => {
    const next = continueTrace(CALLER);
    expect(next.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(next.traceFlags).toBe(1);
    expect(next.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(next.spanId).not.toBe('00f067aa0ba902b7');
    expect(continueTrace('4bf92f3577b34da6a3ce929d0e0e4736').traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('starts a new valid trace when there is none to continue', () => {
    const fresh = continueTrace('not a trace');
    expect(parseTraceparent(formatTraceparent(fresh))).toEqual(fresh);
    expect(startTrace().traceId).not.toBe(startTrace().traceId);
    expect(continueTrace(null).traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('carries a trace in Kafka headers, as a string or a Buffer, and none without one', () => {
    const headers = traceHeaders(CALLER);
    expect(traceOfHeaders(headers)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceOfHeaders({ traceparent: Buffer.from(CALLER) })?.spanId).toBe('00f067aa0ba902b7');
    expect(traceOfHeaders({ traceparent: 'nonsense' })).toBeNull();
    expect(traceOfHeaders(undefined)).toBeNull();
    expect(traceHeaders(null)).toEqual({});
  });
});
