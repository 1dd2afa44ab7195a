/**
 * Where dead letters are kept for the operator: each letter once in MongoDB
 * (inserted with its id as `_id`: a claim, so a message delivered again is
 * recorded once), each action on a letter once (the same claim, keyed by the
 * letter's id), and the open letters in a Redis sorted set, newest first.
 * Lists and counts come from Redis only: FerretDB 1.24 pushes no sort or
 * limit down, and MongoDB is read by `_id` alone.
 */
import type { Redis } from 'ioredis';
import mongoose, { type Connection, type Model } from 'mongoose';
import type { RedisConfig } from '../config.ts';
import { isDuplicateKey, nullableField, requiredField } from '../models.ts';
import { createRedis } from '../redis-client.ts';
import { deadLetterId, type DeadMessage, type RecordedDeadLetter } from './letter.ts';

const { Schema } = mongoose;

const deadLetterSchema = new Schema(
  {
    _id: requiredField(String),
    topic: requiredField(String),
    partition: requiredField(Number),
    offset: requiredField(String),
    // Base64: the bytes exactly as they came, whatever they are, for a requeue to send again.
    key: nullableField(String),
    value: nullableField(String),
    headers: { type: Schema.Types.Mixed, default: {} },
    reason: requiredField(String),
    deadAt: requiredField(Date),
  },
  { versionKey: false, minimize: false },
);

export const DEAD_LETTER_ACTIONS = ['REQUEUED', 'DISCARDED'] as const;
export type DeadLetterActionKind = (typeof DEAD_LETTER_ACTIONS)[number];

const deadLetterActionSchema = new Schema(
  {
    _id: requiredField(String),
    action: { type: String, enum: DEAD_LETTER_ACTIONS, required: true },
    at: requiredField(Date),
    /** Where a requeued message went again. */
    requeuedPartition: nullableField(Number),
    requeuedOffset: nullableField(String),
  },
  { versionKey: false },
);

interface DeadLetterDoc {
  _id: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  reason: string;
  deadAt: Date;
}

export interface DeadLetterAction {
  readonly letterId: string;
  readonly action: DeadLetterActionKind;
  readonly at: Date;
  readonly requeuedPartition: number | null;
  readonly requeuedOffset: string | null;
}

interface DeadLetterActionDoc {
  _id: string;
  action: DeadLetterActionKind;
  at: Date;
  requeuedPartition: number | null;
  requeuedOffset: string | null;
}

/** The Redis key of a system's open letters. A hash tag of its own: the order index drops its own keys by tag. */
export const openDeadLettersKey = (prefix = '') => `{${prefix}dead-letters}:open`;

// Members all score 0 and sort by their bytes: `<13 digits of ms><id>`, so newest first is a reverse range.
const TIME_DIGITS = 13;
const memberOf = (letter: { id: string; deadAt: Date }) =>
  String(Math.max(0, letter.deadAt.getTime())).padStart(TIME_DIGITS, '0') + letter.id;

export interface DeadLetterPage {
  readonly letters: readonly { letter: RecordedDeadLetter; cursor: string }[];
  readonly hasMore: boolean;
}

export class DeadLetterStore {
  private readonly letters: Model<DeadLetterDoc>;
  private readonly actions: Model<DeadLetterActionDoc>;
  private readonly openKey: string;

  constructor(
    connection: Connection,
    private readonly redis: Redis,
    prefix = '',
  ) {
    this.letters =
      (connection.models.DeadLetter as Model<DeadLetterDoc> | undefined) ??
      connection.model<DeadLetterDoc>('DeadLetter', deadLetterSchema, 'deadletters');
    this.actions =
      (connection.models.DeadLetterAction as Model<DeadLetterActionDoc> | undefined) ??
      connection.model<DeadLetterActionDoc>('DeadLetterAction', deadLetterActionSchema, 'deadletteractions');
    this.openKey = openDeadLettersKey(prefix);
  }

  /**
   * Records a letter once and lists it as open. A message seen again (redelivered before its offset
   * was committed) finds its letter there and lists it again only if nobody has acted on it: the
   * first try may have stopped between the two writes.
   */
  async record(message: DeadMessage, reason: string, deadAt = new Date()): Promise<RecordedDeadLetter> {
    const letter: RecordedDeadLetter = { ...message, id: deadLetterId(message), reason, deadAt };
    try {
      await this.letters.create({
        _id: letter.id,
        topic: letter.topic,
        partition: letter.partition,
        offset: letter.offset,
        key: letter.key?.toString('base64') ?? null,
        value: letter.value?.toString('base64') ?? null,
        headers: { ...letter.headers },
        reason,
        deadAt,
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const stored = await this.find(letter.id);
      if (stored === null) throw error;
      if ((await this.actionOn(stored.id)) === null) await this.redis.zadd(this.openKey, 0, memberOf(stored));
      return stored;
    }
    await this.redis.zadd(this.openKey, 0, memberOf(letter));
    return letter;
  }

  async find(id: string): Promise<RecordedDeadLetter | null> {
    const doc = await this.letters.findById(id).lean<DeadLetterDoc>();
    return doc === null ? null : letterFromDocument(doc);
  }

  /** How many letters nobody has acted on yet. */
  openCount(): Promise<number> {
    return this.redis.zcard(this.openKey);
  }

  /** Open letters, newest first, `limit` after the one `after` names (a cursor from a page). */
  async page({ limit, after }: { limit: number; after?: string }): Promise<DeadLetterPage> {
    const max = after === undefined ? '+' : `(${after}`;
    const members = await this.redis.zrevrangebylex(this.openKey, max, '-', 'LIMIT', 0, limit + 1);
    const wanted = members.slice(0, limit);
    // One lookup by _id each: FerretDB's SQLite backend would scan the collection for an `$in`.
    const found = await Promise.all(wanted.map((member) => this.find(member.slice(TIME_DIGITS))));
    const letters = found.flatMap((letter, i) => (letter === null ? [] : [{ letter, cursor: wanted[i]! }]));
    return { letters, hasMore: members.length > limit };
  }

  /** What was done with a letter, or null while it is open. */
  async actionOn(id: string): Promise<DeadLetterAction | null> {
    const doc = await this.actions.findById(id).lean<DeadLetterActionDoc>();
    return doc === null ? null : actionFromDocument(doc);
  }

  /** Claims the one action a letter gets; false when another was claimed first. */
  async claimAction(letter: RecordedDeadLetter, action: DeadLetterActionKind, at = new Date()): Promise<boolean> {
    try {
      await this.actions.create({ _id: letter.id, action, at });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** Gives a claim back, when the action it was for could not be done (the requeue's send failed). */
  async releaseAction(letter: RecordedDeadLetter): Promise<void> {
    await this.actions.deleteOne({ _id: letter.id });
  }

  /** Notes where a requeued message went, once it is there. */
  async noteRequeued(letter: RecordedDeadLetter, partition: number, offset: string): Promise<void> {
    await this.actions.updateOne(
      { _id: letter.id },
      { $set: { requeuedPartition: partition, requeuedOffset: offset } },
    );
  }

  /** Takes a handled letter off the open list. */
  async close(letter: RecordedDeadLetter): Promise<void> {
    await this.redis.zrem(this.openKey, memberOf(letter));
  }

  /** Drops the open list (for tests and a system's end; the records stay in MongoDB). */
  async dropOpenList(): Promise<void> {
    await this.redis.unlink(this.openKey);
  }
}

/** Deletes a system's open list over a connection of its own, for runs that end (tests); the records go with the database. */
export async function dropOpenDeadLetters(config: RedisConfig, prefix: string): Promise<number> {
  const redis = createRedis(config);
  try {
    return await redis.unlink(openDeadLettersKey(prefix));
  } finally {
    redis.disconnect();
  }
}

function letterFromDocument(doc: DeadLetterDoc): RecordedDeadLetter {
  const bytes = (base64: string | null) => (base64 === null ? null : Buffer.from(base64, 'base64'));
  return {
    id: doc._id,
    topic: doc.topic,
    partition: doc.partition,
    offset: doc.offset,
    key: bytes(doc.key),
    value: bytes(doc.value),
    headers: doc.headers ?? {},
    reason: doc.reason,
    deadAt: new Date(doc.deadAt),
  };
}

function actionFromDocument(doc: DeadLetterActionDoc): DeadLetterAction {
  return {
    letterId: doc._id,
    action: doc.action,
    at: new Date(doc.at),
    requeuedPartition: doc.requeuedPartition ?? null,
    requeuedOffset: doc.requeuedOffset ?? null,
  };
}
