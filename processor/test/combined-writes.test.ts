/**
 * The processor's combined writes on the real MongoDB-wire server: an ordered insert of a run's claims
 * stops at the first claim made already, however long the run, so that no claim decided after it is
 * written (FerretDB 1.24 alone stops only within each 100 documents of a command).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeId } from '@orders/core';
import { CombinedWrites } from '../src/records/combined-writes.ts';
import type { StatusChange } from '../src/records/status-change.ts';
import { createTestBed, type TestBed } from './harness.ts';

let bed: TestBed;
beforeAll(async () => {
  bed = await createTestBed();
});
afterAll(() => bed?.close());

const claims = (run: string, count: number): StatusChange[] =>
  Array.from({ length: count }, (_, i) => ({
    _id: changeId(`${run}-${i}`, 2),
    orderId: `${run}-${i}`,
    version: 2,
    previousStatus: 'PENDING',
    status: 'PROCESSED',
    error: null,
    at: new Date(),
    stockAfter: 1000 - i,
    partition: 0,
    seq: 2 * i + 1,
  }));

const stored = async (changes: readonly StatusChange[]) =>
  (await bed.models.StatusChange.find({ _id: { $in: changes.map((change) => change._id) } }, { _id: 1 }).lean()).map(
    (doc) => doc._id,
  );

describe('CombinedWrites.insertChangesInOrder', () => {
  it('writes nothing of a run of 150 whose first claim exists, and says so', async () => {
    const run = claims('first', 150);
    await bed.models.StatusChange.create(run[0]!);
    expect(await new CombinedWrites(bed.models).insertChangesInOrder(run)).toBe(0);
    expect(await stored(run)).toEqual([run[0]!._id]);
  });

  it('writes the claims before the first that exists, and none after it', async () => {
    const run = claims('middle', 180);
    await bed.models.StatusChange.create(run[120]!);
    expect(await new CombinedWrites(bed.models).insertChangesInOrder(run)).toBe(120);
    expect((await stored(run)).sort()).toEqual(
      run
        .slice(0, 121)
        .map((change) => change._id)
        .sort(),
    );
  });

  it('writes a whole run when none exists', async () => {
    const run = claims('whole', 130);
    expect(await new CombinedWrites(bed.models).insertChangesInOrder(run)).toBe(130);
    expect(await stored(run)).toHaveLength(130);
  });
});
