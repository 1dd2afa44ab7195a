import { describe, expect, it } from 'vitest';
import { retrying, waitFor } from './wait.ts';

describe('waitFor', () => {
  it('resolves with the first truthy value the check gives, trying again after a throw', async () => {
    let calls = 0;
    const value = await waitFor(
      'the third call',
      () => {
        calls++;
        if (calls === 1) throw new Error('not yet');
        return calls >= 3 ? `call ${calls}` : false;
      },
      1000,
      5,
    );
    expect(value).toBe('call 3');
  });

  it('fails at the deadline naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        'a condition that never holds',
        () => {
          throw new Error('still broken');
        },
        50,
        10,
      ),
    ).rejects.toThrow(/timed out after 50 ms waiting for a condition that never holds \(last error: still broken\)/);
  });
});

describe('retrying', () => {
  it('gives what the operation gives once it stops failing', async () => {
    let calls = 0;
    const value = await retrying('a flaky read', async () => {
      if (++calls < 2) throw new Error('connection reset');
      return calls;
    });
    expect(value).toBe(2);
  });
});
