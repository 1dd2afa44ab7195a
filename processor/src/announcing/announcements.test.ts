import { describe, expect, it } from 'vitest';
import type { Announcement, Consumed } from './announcement.ts';
import { AnnouncementQueue, announcementSteps, type AnnouncementSteps, type UntilDone } from './announcements.ts';

const at = (offset: number): Consumed => ({ topic: 'orders.created', partition: 0, offset: String(offset) });
const announcement = (id: string) => ({ change: { _id: id } }) as unknown as Announcement;
const ids = (batch: readonly Announcement[]) => batch.map((a) => a.change._id);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Steps that log what they are given, the sends held until released. */
function loggedSteps() {
  const log: string[] = [];
  const releases: (() => void)[] = [];
  const steps: AnnouncementSteps = {
    record: async (batch, message) => void log.push(`record ${ids(batch).join(',')} @${message.offset}`),
    send: async (batch, upTo) => {
      log.push(`send ${ids(batch).join(',')} up to ${upTo.offset}`);
      await new Promise<void>((resolve) => releases.push(resolve));
    },
  };
  return { log, steps, release: () => releases.shift()?.() };
}

/** A queue whose transactions succeed at once, each one's start time logged. */
function timedQueue(minIntervalMs: number) {
  const starts: number[] = [];
  const queue = new AnnouncementQueue(
    { record: async () => {}, send: async () => void starts.push(Date.now()) },
    minIntervalMs,
  );
  return { queue, starts };
}

describe('AnnouncementQueue', () => {
  it('records each message in Redis at once, and sends what comes during a transaction together in the next, in order', async () => {
    const { log, steps, release } = loggedSteps();
    const queue = new AnnouncementQueue(steps);
    queue.add(at(0), [announcement('a')]);
    await tick();
    queue.add(at(1), [announcement('b')]);
    queue.add(at(2), []);
    queue.add(at(3), [announcement('c'), announcement('d')]);
    await tick();
    // Redis has b, c and d while the first transaction is still out.
    expect(log).toEqual(['record a @0', 'send a up to 0', 'record b @1', 'record c,d @3']);
    release();
    await tick();
    release();
    await queue.settle();
    expect(log.slice(4)).toEqual(['send b,c,d up to 3']);
    expect(queue.sentUpTo).toBe('3');
    expect(queue.busy).toBe(false);
  });

  it('leaves at least minIntervalMs between the starts of two transactions, however fast they are', async () => {
    const { queue, starts } = timedQueue(150);
    queue.add(at(0), [announcement('a')]);
    await tick();
    queue.add(at(1), [announcement('b')]);
    await tick();
    queue.add(at(2), [announcement('c')]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(starts).toHaveLength(2);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(145);
    await queue.settle();
  });

  it('sends what is left at once when settled, without waiting out the interval', async () => {
    const { queue, starts } = timedQueue(5_000);
    queue.add(at(0), [announcement('a')]);
    await tick();
    queue.add(at(1), [announcement('b')]);
    const settled = Date.now();
    await queue.settle();
    expect(starts).toHaveLength(2);
    expect(Date.now() - settled).toBeLessThan(1_000);
  });

  it('does not send a transaction before Redis has taken everything in it', async () => {
    const log: string[] = [];
    let releaseRecord: () => void = () => {};
    const queue = new AnnouncementQueue({
      record: async (batch) => {
        if (ids(batch)[0] === 'b') await new Promise<void>((resolve) => (releaseRecord = resolve));
        log.push(`record ${ids(batch).join(',')}`);
      },
      send: async (batch) => void log.push(`send ${ids(batch).join(',')}`),
    });
    queue.add(at(0), [announcement('a')]);
    queue.add(at(1), [announcement('b')]);
    queue.add(at(2), [announcement('c')]);
    await tick();
    expect(log).toEqual(['record a']);
    releaseRecord();
    await queue.settle();
    expect(log).toEqual(['record a', 'record b', 'record c', 'send a,b,c']);
  });

  it('after a failed step, sends nothing more and refuses what comes', async () => {
    const sent: string[] = [];
    const queue = new AnnouncementQueue({
      record: async (batch) => {
        if (ids(batch)[0] === 'a') throw new Error('stopped');
      },
      send: async (_batch, upTo) => void sent.push(upTo.offset),
    });
    queue.add(at(0), [announcement('a')]);
    await expect(queue.settle()).rejects.toThrow('stopped');
    expect(() => queue.add(at(1), [announcement('b')])).toThrow('stopped');
    expect(sent).toEqual([]);
    expect(queue.sentUpTo).toBeUndefined();
  });
});

describe('announcementSteps', () => {
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
    let transactionFailures = 1;
    const steps = announcementSteps(
      {
        record: async () => {},
        sendInTransaction: async () => {
          if (transactionFailures-- > 0) throw new Error('broker down');
        },
      },
      untilDone,
    );
    const queue = new AnnouncementQueue(steps);
    queue.add(at(5), []);
    await queue.settle();
    expect(tries).toEqual(['announcing', 'announcing']);
  });

  it('records in redis until redis takes the changes, before the transaction that commits their offsets', async () => {
    tries.length = 0;
    let recordFailures = 2;
    const done: string[] = [];
    const steps = announcementSteps(
      {
        record: async () => {
          if (recordFailures-- > 0) throw new Error('redis down');
          done.push('record');
        },
        sendInTransaction: async () => void done.push('sendInTransaction'),
      },
      untilDone,
    );
    const queue = new AnnouncementQueue(steps);
    queue.add(at(6), [announcement('c')]);
    await queue.settle();
    expect(done).toEqual(['record', 'sendInTransaction']);
    expect(tries.filter((what) => what === 'recording announcements in redis')).toHaveLength(3);
  });
});
