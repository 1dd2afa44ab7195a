import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, isAfter, union } from './cursor.ts';

describe('cursors', () => {
  it('round-trip any vector, whatever the order its partitions were added in', () => {
    const vector = new Map([
      [3, 1_000_001],
      [0, 0],
      [5, Number.MAX_SAFE_INTEGER],
    ]);
    const cursor = encodeCursor(vector);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(vector);
    expect(encodeCursor(new Map([...vector].reverse()))).toBe(cursor);
    expect(decodeCursor(encodeCursor(new Map()))).toEqual(new Map());
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['unknown format', Buffer.from('v2:0.1').toString('base64url')],
    ['"0.x" is not partition.sequence', Buffer.from('v1:0.x').toString('base64url')],
    ['"-1.3" is not partition.sequence', Buffer.from('v1:-1.3').toString('base64url')],
    ['partition 2 appears twice', Buffer.from('v1:2.1,2.5').toString('base64url')],
    ['sequence 9999999999999999 is too large', Buffer.from('v1:0.9999999999999999').toString('base64url')],
  ])('refuse a cursor they did not make: %s', (why, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(`after: not a cursor this API gave (${why})`);
  });

  it('name the argument a bad cursor came in', () => {
    try {
      decodeCursor('%%%', 'from');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'from' } });
    }
  });

  it('compare per partition: a partition not named is before everything in it', () => {
    const vector = new Map([[1, 10]]);
    expect(isAfter(vector, 1, 11)).toBe(true);
    expect(isAfter(vector, 1, 10)).toBe(false);
    expect(isAfter(vector, 2, 0)).toBe(true);
  });

  it('join two points into the one that has seen what either has', () => {
    const joined = union(
      new Map([
        [0, 5],
        [1, 9],
      ]),
      new Map([
        [1, 7],
        [2, 3],
      ]),
    );
    expect(joined).toEqual(
      new Map([
        [0, 5],
        [1, 9],
        [2, 3],
      ]),
    );
  });
});
