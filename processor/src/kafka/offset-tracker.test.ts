import { describe, expect, it } from 'vitest';
import type { Announcement, Consumed } from '../announcing/announcement.ts';
import { AnnouncementQueue, type AnnouncementSteps } from '../announcing/announcements.ts';
import { OffsetTracker } from './offset-tracker.ts';

const at = (offset: number): Consumed => ({ topic: 'orders.created', partition: 0, offset: String(offset) });
const announcement = (id: string) => ({ change: { _id: id } }) as unknown as Announcement;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A partition's tracker over the real announcement queue, its Kafka commits and transactions logged. */
function tracked(options: { failSendAt?: number; commitEvery?: bigint; commitAfterMs?: number } = {}) {
  const commits: string[] = [];
  const sends: string[] = [];
  const held: (() => void)[] = [];
  let holding = false;
  let clock = 0;
  const steps: AnnouncementSteps = {
    record: async () => {},
    send: async (_batch, upTo) => {
      if (holding) await new Promise<void>((resolve) => held.push(resolve));
      if (upTo.offset === String(options.failSendAt)) throw new Error('the group is rebalancing');
      sends.push(upTo.offset);
    },
  };
  const queue = new AnnouncementQueue(steps);
  const tracker = new OffsetTracker({
    queue,
    commit: async (next) => void commits.push(next),
    commitEvery: options.commitEvery,
    commitAfterMs: options.commitAfterMs,
    now: () => clock,
  });
  return {
    tracker,
    queue,
    commits,
    sends,
    advance: (ms: number) => (clock += ms),
    /** Holds every transaction until `release`. */
    hold: () => (holding = true),
    release: () => {
      holding = false;
      held.splice(0).forEach((resolve) => resolve());
    },
  };
}

describe('OffsetTracker', () => {
  it('commits messages that announce nothing in groups: after commitEvery of them, one past the last handled', async () => {
    const { tracker, commits } = tracked({ commitEvery: 3n, commitAfterMs: 1_000 });
    for (const offset of [0, 1]) await tracker.accept(at(offset), []);
    expect(commits).toEqual([]);
    await tracker.accept(at(2), []);
    expect(commits).toEqual(['3']);
    expect(tracker.committedUpTo).toBe('2');
  });

  it('commits messages that announce nothing once commitAfterMs has passed since the last commit', async () => {
    const { tracker, commits, advance } = tracked({ commitEvery: 100n, commitAfterMs: 200 });
    await tracker.accept(at(0), []);
    advance(199);
    await tracker.accept(at(1), []);
    expect(commits).toEqual([]);
    advance(1);
    await tracker.accept(at(2), []);
    expect(commits).toEqual(['3']);
  });

  it('does not commit a message that announces something itself: its transaction commits it', async () => {
    const { tracker, queue, commits, sends } = tracked({ commitEvery: 1n });
    expect(await tracker.accept(at(0), [announcement('a')])).toBe(true);
    expect(await tracker.finish('0')).toBeUndefined();
    expect(sends).toEqual(['0']);
    expect(queue.sentUpTo).toBe('0');
    expect(commits).toEqual([]);
  });

  it('hands a message that announces nothing to the queue while it is sending, so offsets commit in order', async () => {
    const { tracker, commits, sends, hold, release } = tracked({ commitEvery: 1n });
    hold();
    await tracker.accept(at(0), [announcement('a')]);
    await tick();
    // The queue is busy with offset 0: committing offset 2 here would commit 0 before its changes are sent.
    await tracker.accept(at(1), []);
    expect(commits).toEqual([]);
    release();
    await tracker.finish('0');
    expect(sends).toEqual(['0', '1']);
    expect(commits).toEqual([]);
  });

  it('commits what is left when the batch ends, and nothing when it handled nothing', async () => {
    const { tracker, commits } = tracked({ commitEvery: 100n, commitAfterMs: 1_000 });
    await tracker.accept(at(5), []);
    await tracker.accept(at(6), []);
    expect(await tracker.finish('5')).toBeUndefined();
    expect(commits).toEqual(['7']);

    const empty = tracked();
    expect(await empty.tracker.finish(undefined)).toBeUndefined();
    expect(empty.commits).toEqual([]);
  });

  it('commits nothing after a failed send, and says to handle again from the first message neither sent nor committed', async () => {
    const { tracker, commits, sends } = tracked({ failSendAt: 12, commitEvery: 1n });
    await tracker.accept(at(10), []);
    expect(commits).toEqual(['11']);
    await tracker.accept(at(11), [announcement('b')]);
    await tick();
    await tracker.accept(at(12), [announcement('c')]);
    await tick();
    // The queue has failed: it refuses what comes next, and the batch stops.
    expect(await tracker.accept(at(13), [announcement('d')])).toBe(false);
    expect(await tracker.finish('10')).toBe('12');
    expect(sends).toEqual(['11']);
    expect(commits).toEqual(['11']);
  });

  it('commits no message that announces nothing once a send has failed: the failed one would be skipped', async () => {
    const { tracker, commits, sends } = tracked({ failSendAt: 30, commitEvery: 1n });
    await tracker.accept(at(30), [announcement('a')]);
    await tick();
    await tick();
    // The queue failed and is idle again; a message that announces nothing (an order published twice,
    // say) must not commit past offset 30, whose changes were never sent.
    expect(await tracker.accept(at(31), [])).toBe(false);
    expect(await tracker.finish('30')).toBe('30');
    expect(sends).toEqual([]);
    expect(commits).toEqual([]);
  });

  it('says to handle the whole batch again when its first send failed and nothing was committed', async () => {
    const { tracker, commits } = tracked({ failSendAt: 20 });
    await tracker.accept(at(20), [announcement('a')]);
    expect(await tracker.finish('20')).toBe('20');
    expect(commits).toEqual([]);
  });
});
