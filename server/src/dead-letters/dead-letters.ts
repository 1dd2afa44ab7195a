/**
 * What an operator does with dead letters: lists the open ones (newest
 * first, a page at a time), counts them, and requeues or discards one. Each
 * letter gets one action, claimed in MongoDB before it is done: a second
 * requeue or discard of the same letter is refused with
 * DEAD_LETTER_ALREADY_HANDLED and sends nothing.
 */
import { createGraphQLError } from 'graphql-yoga';
import type { Producer } from 'kafkajs';
import type { DeadLetterAction, DeadLetterActionKind, DeadLetterStore, RecordedDeadLetter } from '@orders/core';
import { badInput } from '../errors.ts';

export const DEFAULT_DEAD_LETTER_PAGE = 20;
export const MAX_DEAD_LETTER_PAGE = 100;

export const deadLetterNotFound = (id: string) =>
  createGraphQLError(`there is no dead letter ${JSON.stringify(id)}: ids come from the deadLetters list`, {
    extensions: { code: 'DEAD_LETTER_NOT_FOUND', field: 'id' },
  });

export const deadLetterAlreadyHandled = (id: string, done: DeadLetterAction | null) =>
  createGraphQLError(
    `dead letter ${id} was ${done ? `${done.action.toLowerCase()} at ${done.at.toISOString()}` : 'handled already'}; ` +
      'each letter is requeued or discarded once',
    { extensions: { code: 'DEAD_LETTER_ALREADY_HANDLED', field: 'id', ...(done ? { action: done.action } : {}) } },
  );

export interface DeadLetterPageShape {
  edges: { cursor: string; node: RecordedDeadLetter }[];
  totalCount: () => Promise<number>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** The result of an action: the letter, what was done, and where a requeued message went. */
export interface DeadLetterActionShape extends DeadLetterAction {
  readonly letter: RecordedDeadLetter;
}

export class DeadLetters {
  constructor(
    private readonly store: DeadLetterStore,
    private readonly producer: Producer,
  ) {}

  /** How many letters wait for an operator: what the Pipeline panel shows. */
  count(): Promise<number> {
    return this.store.openCount();
  }

  async page(args: { first?: number | null; after?: string | null }): Promise<DeadLetterPageShape> {
    const first = args.first ?? DEFAULT_DEAD_LETTER_PAGE;
    if (!Number.isInteger(first) || first < 0 || first > MAX_DEAD_LETTER_PAGE) {
      throw badInput(`"first" must be between 0 and ${MAX_DEAD_LETTER_PAGE}, got ${first}`, 'first');
    }
    const after = args.after ? decodeCursor(args.after) : undefined;
    const { letters, hasMore } = await this.store.page({ limit: first, after });
    const edges = letters.map(({ letter, cursor }) => ({ cursor: encodeCursor(cursor), node: letter }));
    // An empty page keeps the cursor it was asked from, and says there is more only with a cursor to ask
    // from (as the orders' pages do: server/src/orders/pagination.ts).
    const startCursor = edges[0]?.cursor ?? args.after ?? null;
    const endCursor = edges.at(-1)?.cursor ?? startCursor;
    return {
      edges,
      totalCount: () => this.store.openCount(),
      pageInfo: {
        hasNextPage: hasMore && endCursor !== null,
        hasPreviousPage: Boolean(args.after),
        startCursor,
        endCursor,
      },
    };
  }

  /** Sends the letter's message again, key, value and headers as they were, to the topic it came from. */
  async requeue(id: string): Promise<DeadLetterActionShape> {
    const { letter, at } = await this.claim(id, 'REQUEUED');
    let sent;
    try {
      [sent] = await this.producer.send({
        topic: letter.topic,
        acks: -1,
        messages: [{ key: letter.key, value: letter.value, headers: { ...letter.headers } }],
      });
    } catch (error) {
      // Nothing went out: the letter stays open, and the operator may try again.
      await this.store.releaseAction(letter);
      throw error;
    }
    const partition = sent?.partition ?? null;
    const offset = sent?.baseOffset ?? null;
    if (partition !== null && offset !== null) await this.store.noteRequeued(letter, partition, offset);
    await this.store.close(letter);
    return { letter, letterId: id, action: 'REQUEUED', at, requeuedPartition: partition, requeuedOffset: offset };
  }

  async discard(id: string): Promise<DeadLetterActionShape> {
    const { letter, at } = await this.claim(id, 'DISCARDED');
    await this.store.close(letter);
    return { letter, letterId: id, action: 'DISCARDED', at, requeuedPartition: null, requeuedOffset: null };
  }

  private async claim(id: string, action: DeadLetterActionKind) {
    const letter = await this.store.find(id);
    if (letter === null) throw deadLetterNotFound(id);
    const at = new Date();
    if (!(await this.store.claimAction(letter, action, at))) {
      throw deadLetterAlreadyHandled(id, await this.store.actionOn(id));
    }
    return { letter, at };
  }
}

// A cursor is the letter's place in the open list, opaque to clients.
const encodeCursor = (member: string) => Buffer.from(member, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const member = Buffer.from(cursor, 'base64url').toString('utf8');
  if (/^\d{13}.+:\d+:\d+$/.test(member)) return member;
  throw badInput('"after" is not a cursor this API gave out', 'after');
}
