/**
 * Two servers and two processors at once, and graceful stops under load:
 * partitions shared between the processors, every change on every server,
 * and WebSocket clients moving to the next server when theirs stops.
 */
import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { PROCESSOR_GROUP, topicsFor } from '@orders/core';
import { sleep, type Running } from '../support/index.ts';
import {
  checkBooks,
  createOrders,
  decisionsOn,
  expectBooksHold,
  startCluster,
  startWithServer,
  stockNow,
  waitForFinal,
} from './cluster.ts';

// Each cluster is closed after its test by ./cluster.ts.
describe('two servers and two processors', () => {
  it('share the partitions between the processors and deliver every change on both servers', async () => {
    const cluster = await startCluster('fault_scale_out');
    const [first, second] = [await cluster.startServer(), await cluster.startServer()];
    const initial = await stockNow(cluster.models);
    cluster.startProcessor();
    cluster.startProcessor();
    const onFirst = decisionsOn(cluster, () => [first]);
    const onSecond = decisionsOn(cluster, () => [second]);
    await sleep(3000); // both processors in the group, both subscriptions live

    const ids = await createOrders(() => [first.url, second.url], 300, 150);
    await waitForFinal(cluster.models, 300);
    const books = await checkBooks(cluster, ids, initial);
    expect(books.problems).toEqual([]);

    const deadline = Date.now() + 20_000;
    while ((onFirst.decided.size < 300 || onSecond.decided.size < 300) && Date.now() < deadline) await sleep(200);
    expect({ first: onFirst.errors, second: onSecond.errors }).toEqual({ first: [], second: [] });
    expect([...onFirst.decided].sort()).toEqual([...ids].sort());
    expect([...onSecond.decided].sort()).toEqual([...ids].sort());

    const admin = cluster.kafka.admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([`${cluster.prefix}${PROCESSOR_GROUP}`]);
    await admin.disconnect();
    const topic = topicsFor(cluster.prefix).created.name;
    const assigned = groups[0]!.members.map(
      (member) => AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[topic] ?? [],
    );
    expect(assigned).toHaveLength(2);
    expect(assigned.every((partitions) => partitions.length > 0)).toBe(true);
    expect(assigned.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('processors joining under load', () => {
  // Each join moves partitions while their last owner's transactions have just committed: a new owner
  // that trusted the group's offsets at that moment started before them and announced their decisions again.
  it('take over partitions without deciding or announcing anything twice', async () => {
    const { cluster, server, initial } = await startWithServer('fault_join_under_load');
    cluster.startProcessor();
    await sleep(2000);
    const creating = createOrders(() => [server.url], 1000, 100);
    await sleep(1000);
    cluster.startProcessor();
    await sleep(3000);
    cluster.startProcessor();
    const ids = await creating;
    await expectBooksHold(cluster, ids, initial, { orders: 1000 });
  });
});

describe('SIGTERM under load', () => {
  it('lets a server and a processor finish what they hold; clients move to the next server; nothing is lost', async () => {
    const cluster = await startCluster('fault_sigterm');
    const up: Running[] = [await cluster.startServer(), await cluster.startServer()];
    const initial = await stockNow(cluster.models);
    const processor = cluster.startProcessor();
    const watcher = decisionsOn(cluster, () => up);
    await sleep(2000);

    const creating = createOrders(() => up.map((server) => server.url), 400, 100);
    await sleep(1000);
    const leaving = up.shift()!;
    await leaving.stop();
    expect(leaving.child.exitCode).toBe(0);
    await sleep(1000);
    await processor.stop();
    expect(processor.child.exitCode).toBe(0);
    cluster.startProcessor();
    const ids = await creating;

    await waitForFinal(cluster.models, 400);
    const books = await checkBooks(cluster, ids, initial);
    expect(books.problems).toEqual([]);
    // The socket to the stopped server was closed as "going away", and the client carried on with the other.
    expect(watcher.closes).toContain(1001);
    const deadline = Date.now() + 20_000;
    const lastIds = ids.slice(-50);
    while (!lastIds.every((id) => watcher.decided.has(id)) && Date.now() < deadline) await sleep(200);
    expect(lastIds.filter((id) => !watcher.decided.has(id))).toEqual([]);
  });
});
