import type { OrderStatusMessage } from '@orders/core';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, type Vector } from './cursor.ts';
import { headAfter, seenAfter, type FedMessage } from './status-feed.ts';

/** A status message with only what the feed's rules read: its place in a stream, if any. */
const change = (partition?: number, seq?: number) =>
  ({ change: { changeId: `c-${partition}-${seq}`, partition, seq } }) as unknown as OrderStatusMessage;
const fed = (message: OrderStatusMessage, seen: Vector): FedMessage => ({
  ...message,
  seen,
  cursor: encodeCursor(seen),
});
const vector = (entries: [number, number][]): Vector => new Map(entries);

describe('the status feed delivering live changes (headAfter)', () => {
  it('delivers a change after the head of its stream and moves that head to it, leaving the others', () => {
    const head = vector([
      [0, 4],
      [1, 9],
    ]);
    const next = headAfter(head, change(0, 5));
    expect(next).toEqual(
      vector([
        [0, 5],
        [1, 9],
      ]),
    );
    expect(head.get(0)).toBe(4);
  });

  it('drops a change at or before the head of its stream: it was delivered already', () => {
    const head = vector([[0, 4]]);
    expect(headAfter(head, change(0, 4))).toBeUndefined();
    expect(headAfter(head, change(0, 2))).toBeUndefined();
  });

  it('delivers the first change of a stream it has not seen, whatever its sequence', () => {
    expect(headAfter(new Map(), change(3, 0))).toEqual(vector([[3, 0]]));
  });

  it('delivers a message with no place in a stream without moving any head', () => {
    const head = vector([[0, 4]]);
    expect(headAfter(head, change())).toBe(head);
  });

  it('gives each delivered change a cursor that resumes right after it', () => {
    const next = headAfter(vector([[0, 4]]), change(1, 2))!;
    expect(decodeCursor(encodeCursor(next))).toEqual(
      vector([
        [0, 4],
        [1, 2],
      ]),
    );
  });
});

describe('a resuming subscription handing over live changes (seenAfter)', () => {
  it('hands over a change it did not catch up on, having then seen everything the change had', () => {
    const seen = vector([[0, 4]]);
    const next = seenAfter(
      seen,
      fed(
        change(0, 5),
        vector([
          [0, 5],
          [2, 7],
        ]),
      ),
    );
    expect(next).toEqual(
      vector([
        [0, 5],
        [2, 7],
      ]),
    );
  });

  it('skips a change its catch-up already handed over', () => {
    const seen = vector([[0, 6]]);
    expect(seenAfter(seen, fed(change(0, 5), vector([[0, 5]])))).toBeUndefined();
    expect(seenAfter(seen, fed(change(0, 6), vector([[0, 6]])))).toBeUndefined();
  });

  it('never goes back on a stream: what it had seen further stays', () => {
    const seen = vector([
      [0, 4],
      [1, 10],
    ]);
    expect(
      seenAfter(
        seen,
        fed(
          change(0, 5),
          vector([
            [0, 5],
            [1, 3],
          ]),
        ),
      ),
    ).toEqual(
      vector([
        [0, 5],
        [1, 10],
      ]),
    );
  });
});
