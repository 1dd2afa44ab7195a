/**
 * Cursors on the stream of status changes. Every change is placed in the
 * stream of the partition whose processor wrote it, at a sequence number that
 * only grows there (see `positionOf` in core). A cursor is how far a client
 * has seen in each stream: a vector, one sequence per partition. A partition
 * a cursor does not name is one with no change yet when the cursor was given.
 *
 * On the wire it is opaque: `v1:` then `partition.seq` pairs, base64url.
 */
import { badInput } from '../errors.ts';

/** Partition → the last sequence seen in it. */
export type Vector = ReadonlyMap<number, number>;

const PREFIX = 'v1:';
/** More partitions than any topic here has: a cursor claiming more was not made by this API. */
const MAX_STREAMS = 1024;

export function encodeCursor(vector: Vector): string {
  const pairs = [...vector].sort(([a], [b]) => a - b).map(([partition, seq]) => `${partition}.${seq}`);
  return Buffer.from(PREFIX + pairs.join(','), 'utf8').toString('base64url');
}

/** Reads a cursor a client sent back, or throws a BAD_USER_INPUT error naming `field` that says why not. */
export function decodeCursor(cursor: string, field = 'after'): Vector {
  const refuse = (why: string) =>
    badInput(
      `${field}: not a cursor this API gave (${why}); pass the \`cursor\` of the last change you received`,
      field,
    );
  if (cursor.length > 32 * MAX_STREAMS || !/^[A-Za-z0-9_-]*$/.test(cursor)) throw refuse('not base64url');
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX)) throw refuse('unknown format');
  const body = text.slice(PREFIX.length);
  const vector = new Map<number, number>();
  if (body === '') return vector;
  for (const pair of body.split(',')) {
    const match = /^(\d{1,9})\.(\d{1,16})$/.exec(pair);
    if (match === null) throw refuse(`"${pair}" is not partition.sequence`);
    const partition = Number(match[1]);
    const seq = Number(match[2]);
    if (!Number.isSafeInteger(seq)) throw refuse(`sequence ${match[2]} is too large`);
    if (vector.has(partition)) throw refuse(`partition ${partition} appears twice`);
    vector.set(partition, seq);
  }
  if (vector.size > MAX_STREAMS) throw refuse('too many partitions');
  return vector;
}

/** Whether the change at `seq` of `partition` comes after what `vector` has seen there. */
export function isAfter(vector: Vector, partition: number, seq: number): boolean {
  return seq > (vector.get(partition) ?? -1);
}

/** The point that has seen everything either of `a` and `b` has seen. */
export function union(a: Vector, b: Vector): Map<number, number> {
  const merged = new Map(a);
  for (const [partition, seq] of b) if (isAfter(merged, partition, seq)) merged.set(partition, seq);
  return merged;
}
