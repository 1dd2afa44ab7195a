import { describe, expect, it } from 'vitest';
import type { Announcement, Consumed } from '../emit/publish-status-change.ts';
import { AnnouncementQueue, recordThenPublish, type UntilDone } from './announcements.ts';

const at = (offset: number): Consumed => ({ topic: 'orders.created', partition: 0, offset: String(offset) });
const announcement = (id: string) => ({ change: { _id: id } }) as unknown as Announcement;

describe('AnnouncementQueue', () => {
  it('sends at once when idle, and what comes meanwhile together in the next send, in order', async () => {
    const sends: { ids: string[]; upTo: string }[] = [];
    let release: () => void = () => {};
    const queue = new AnnouncementQueue(async (batch, upTo) => {
      sends.push({ ids: batch.map((a) => a.change._id), upTo: upTo.offset });
      if (sends.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    queue.add(at(0), [announcement('a')]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    queue.add(at(1), [announcement('b')]);
    queue.add(at(2), []);
    queue.add(at(3), [announcement('c'), announcement('d')]);
    release();
    await queue.settle();
    expect(sends).toEqual([
      { ids: ['a'], upTo: '0' },
      { ids: ['b', 'c', 'd'], upTo: '3' },
    ]);
    expect(queue.sentUpTo).toBe('3');
    expect(queue.busy).toBe(false);
  });

  it('after a failed send, sends nothing more and refuses what comes', async () => {
    const sent: string[] = [];
    const queue = new AnnouncementQueue(async (_batch, upTo) => {
      if (upTo.offset === '0') throw new Error('stopped');
      sent.push(upTo.offset);
    });
    queue.add(at(0), [announcement('a')]);
    await expect(queue.settle()).rejects.toThrow('stopped');
    expect(() => queue.add(at(1), [announcement('b')])).toThrow('stopped');
    expect(sent).toEqual([]);
    expect(queue.sentUpTo).toBeUndefined();
  });
});

describe('recordThenPublish', () => {
  /** Tries each step until it succeeds, as the consumer does, counting the tries. */
  const tries: string[] = [];
  const untilDone: UntilDone = async (what, _upTo, step) => {
    for (;;) {
      tries.push(what);
      try {
        return await step();
      } catch {
        // tried again
      }
    }
  };

  it('tries the transaction again while it fails, and records nothing in redis for offsets alone', async () => {
    tries.length = 0;
    let publishFailures = 1;
    let records = 0;
    const send = recordThenPublish(
      {
        record: async () => void records++,
        publish: async () => {
          if (publishFailures-- > 0) throw new Error('broker down');
        },
      },
      untilDone,
    );
    await send([], at(5));
    expect(tries).toEqual(['announcing', 'announcing']);
    expect(records).toBe(0);
  });

  it('records in redis until redis takes the changes, before the transaction that commits their offsets', async () => {
    tries.length = 0;
    let recordFailures = 2;
    const steps: string[] = [];
    const send = recordThenPublish(
      {
        record: async () => {
          if (recordFailures-- > 0) throw new Error('redis down');
          steps.push('record');
        },
        publish: async () => void steps.push('publish'),
      },
      untilDone,
    );
    await send([announcement('c')], at(6));
    expect(steps).toEqual(['record', 'publish']);
    expect(tries.filter((what) => what === 'recording announcements in redis')).toHaveLength(3);
  });
});
