/**
 * Dead letters an operator can act on, against a real server and processor:
 * a poison message of `orders.created` is listed with its reason and its
 * value shown safely, a discard closes it once, a requeue sends it again
 * (and, still unreadable, it comes back as a new letter), and customers and
 * unknown ids get errors with codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { newOrderDocument, topicsFor } from '@orders/core';
import { startTestServer, waitFor, type GraphQLResponse, type TestServer } from '../../test/support/index.ts';

let server: TestServer;
let createdTopic: string;
beforeAll(async () => {
  server = await startTestServer('dead-letters', {}, { withProcessor: true });
  createdTopic = topicsFor(server.config.namePrefix).created.name;
});
afterAll(() => server?.close());

interface Letter {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  reason: string;
  deadAt: string;
  key: string | null;
  value: string | null;
  valueTruncated: boolean;
}
type LettersAnswer = GraphQLResponse<{
  deadLetters: {
    totalCount: number;
    edges: { cursor: string; node: Letter }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
  deadLetterCount: number;
}>;

const LETTERS = `query($first: Int, $after: String) {
  deadLetterCount
  deadLetters(first: $first, after: $after) {
    totalCount
    edges { cursor node { id topic partition offset reason deadAt key value valueTruncated } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const REQUEUE = `mutation($id: ID!) { requeueDeadLetter(id: $id) { action at requeuedPartition requeuedOffset deadLetter { id } } }`;
const DISCARD = `mutation($id: ID!) { discardDeadLetter(id: $id) { action at deadLetter { id reason } } }`;

const letters = (variables: Record<string, unknown> = {}) =>
  server.graphql(LETTERS, variables) as Promise<LettersAnswer>;

async function produce(key: string, value: Buffer | string) {
  const producer = server.kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic: createdTopic, messages: [{ key, value }] });
  } finally {
    await producer.disconnect();
  }
}

/** The open letter whose key is `key`, once the processor has recorded it. */
async function letterWithKey(key: string, except: readonly string[] = []): Promise<Letter> {
  let found: Letter | undefined;
  await waitFor(`a dead letter keyed ${key}`, async () => {
    const answer = await letters({ first: 100 });
    found = answer.data?.deadLetters.edges
      .map((edge) => edge.node)
      .find((l) => l.key === key && !except.includes(l.id));
    return found !== undefined;
  });
  return found!;
}

const openIds = async () => (await letters({ first: 100 })).data!.deadLetters.edges.map((edge) => edge.node.id);

describe('dead letters', () => {
  it('lists a poison message with its reason, where it sat, and its value shown safely', async () => {
    await produce('poison-text', 'this is not JSON');
    const letter = await letterWithKey('poison-text');
    expect(letter).toMatchObject({ topic: createdTopic, reason: 'the message is not JSON', value: 'this is not JSON' });
    expect(letter.id).toBe(`${createdTopic}:${letter.partition}:${letter.offset}`);
    expect(letter.valueTruncated).toBe(false);
    expect(Date.now() - new Date(letter.deadAt).getTime()).toBeLessThan(60_000);

    // Invalid UTF-8, a control character and more than the shown length.
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe, 0x1b]), Buffer.from('x'.repeat(5000))]);
    await produce('poison-bytes', bytes);
    const binary = await letterWithKey('poison-bytes');
    expect(binary.valueTruncated).toBe(true);
    expect(binary.value!.startsWith('\uFFFD\uFFFD\uFFFD')).toBe(true);
    expect(Array.from(binary.value!)).toHaveLength(4096);

    const answer = await letters();
    expect(answer.data!.deadLetterCount).toBe(2);
    expect(answer.data!.deadLetters.totalCount).toBe(2);
    // Newest first.
    expect(answer.data!.deadLetters.edges.map((edge) => edge.node.id)).toEqual([binary.id, letter.id]);
  });

  it('pages through the open letters with first and after', async () => {
    const first = await letters({ first: 1 });
    const page = first.data!.deadLetters;
    expect(page.edges).toHaveLength(1);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await letters({ first: 1, after: page.pageInfo.endCursor });
    expect(second.data!.deadLetters.edges).toHaveLength(1);
    expect(second.data!.deadLetters.edges[0]!.node.id).not.toBe(page.edges[0]!.node.id);
    expect((await letters({ after: 'not-a-cursor' })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
  });

  it('answers first: 0 with the count and no next page behind a null cursor, and keeps a cursor it was given', async () => {
    const empty = (await letters({ first: 0 })).data!.deadLetters;
    expect(empty.totalCount).toBe(2);
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
    const cursor = (await letters({ first: 1 })).data!.deadLetters.pageInfo.endCursor;
    const after = (await letters({ first: 0, after: cursor })).data!.deadLetters;
    expect(after.pageInfo).toEqual({ hasNextPage: true, endCursor: cursor });
  });

  it('discards a letter once: it leaves the list and the count, and a second discard is refused and sends nothing', async () => {
    await produce('poison-discard', '{"half": ');
    const letter = await letterWithKey('poison-discard');
    const countBefore = (await letters()).data!.deadLetterCount;
    const messagesBefore = await server.messageCount(createdTopic);

    const discarded = await server.graphql<{ discardDeadLetter: { action: string; deadLetter: { id: string } } }>(
      DISCARD,
      { id: letter.id },
    );
    expect(discarded.errors).toBeUndefined();
    expect(discarded.data!.discardDeadLetter).toMatchObject({ action: 'DISCARDED', deadLetter: { id: letter.id } });
    expect(await openIds()).not.toContain(letter.id);
    expect((await letters()).data!.deadLetterCount).toBe(countBefore - 1);

    const again = await server.graphql(DISCARD, { id: letter.id });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'DEAD_LETTER_ALREADY_HANDLED', action: 'DISCARDED' });
    const requeueAfter = await server.graphql(REQUEUE, { id: letter.id });
    expect(requeueAfter.errors?.[0]?.extensions?.code).toBe('DEAD_LETTER_ALREADY_HANDLED');
    expect(await server.messageCount(createdTopic)).toBe(messagesBefore);
    expect((await letters()).data!.deadLetterCount).toBe(countBefore - 1);
  });

  it('requeues a still-unreadable message: it goes to its topic again and comes back as a new letter with its reason', async () => {
    await produce('poison-requeue', 'still not JSON');
    const letter = await letterWithKey('poison-requeue');
    const messagesBefore = await server.messageCount(createdTopic);

    const requeued = await server.graphql<{
      requeueDeadLetter: { action: string; requeuedPartition: number; requeuedOffset: string };
    }>(REQUEUE, { id: letter.id });
    expect(requeued.errors).toBeUndefined();
    expect(requeued.data!.requeueDeadLetter).toMatchObject({ action: 'REQUEUED', requeuedPartition: letter.partition });
    expect(BigInt(requeued.data!.requeueDeadLetter.requeuedOffset)).toBeGreaterThan(BigInt(letter.offset));
    expect(await server.messageCount(createdTopic)).toBe(messagesBefore + 1);

    const comeBack = await letterWithKey('poison-requeue', [letter.id]);
    expect(comeBack).toMatchObject({ reason: 'the message is not JSON', value: 'still not JSON', topic: createdTopic });
    expect(comeBack.offset).toBe(requeued.data!.requeueDeadLetter.requeuedOffset);
    const open = await openIds();
    expect(open).toContain(comeBack.id);
    expect(open).not.toContain(letter.id);

    const twice = await server.graphql(REQUEUE, { id: letter.id });
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'DEAD_LETTER_ALREADY_HANDLED', action: 'REQUEUED' });
    expect(await server.messageCount(createdTopic)).toBe(messagesBefore + 1);
  });

  it('requeues a message made readable since: the processor decides its order, and no letter comes back', async () => {
    // An OrderCreated about an order no server has stored yet: a dead letter, "unknown order".
    const orderId = randomBytes(12).toString('hex');
    const at = new Date();
    const event = {
      v: 1,
      type: 'OrderCreated',
      orderId,
      version: 1,
      customerId: 'cus_0001',
      sku: 'SKU-0004',
      quantity: 1,
      at: at.toISOString(),
    };
    await produce(`readable-${orderId}`, JSON.stringify(event));
    const letter = await letterWithKey(`readable-${orderId}`);
    expect(letter.reason).toBe('unknown order');

    // The order is stored after all; requeued, its message is decided like any other.
    await server.models.Order.create(
      newOrderDocument({
        _id: orderId,
        orderNumber: `ORD-REQUEUE-${orderId.slice(-6)}`,
        customerId: 'cus_0001',
        sku: 'SKU-0004',
        quantity: 1,
        total: 10,
        idempotencyKey: null,
        createdAt: at,
      }),
    );
    const requeued = await server.graphql(REQUEUE, { id: letter.id });
    expect(requeued.errors).toBeUndefined();
    await waitFor('the requeued order decided', async () => {
      const order = await server.models.Order.findById(orderId).lean();
      return order !== null && order.status !== 'PENDING';
    });
    const open = (await letters({ first: 100 })).data!.deadLetters.edges.map((edge) => edge.node);
    expect(open.filter((l) => l.key === `readable-${orderId}`)).toEqual([]);
  });

  it('answers an unknown id with DEAD_LETTER_NOT_FOUND, and a customer with FORBIDDEN', async () => {
    for (const mutation of [REQUEUE, DISCARD]) {
      const answer = await server.graphql(mutation, { id: `${createdTopic}:0:999999` });
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'DEAD_LETTER_NOT_FOUND', field: 'id' });
    }
    const customer = await server.token('customer', 'cus_0001');
    const [listed, counted, discarded] = await Promise.all([
      server.graphql(`{ deadLetters { totalCount } }`, {}, customer),
      server.graphql(`{ deadLetterCount }`, {}, customer),
      server.graphql(DISCARD, { id: (await openIds())[0] }, customer),
    ]);
    for (const answer of [listed, counted, discarded]) expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await server.graphql(`{ deadLetterCount }`, {}, null)).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });
});
