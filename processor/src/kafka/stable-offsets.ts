/**
 * A consumer group's committed offsets as the group will keep them, for a reader about to trust
 * them. A transaction's offsets are pending from when it sends them until the broker has written the
 * transaction's end into the group's log, and meanwhile a plain OffsetFetch answers with the offsets
 * from before: measured on the development broker, a read right after a commit had returned gave the
 * older offset 46 times in 200. A processor that takes over a partition in that moment starts from
 * the older offset and announces the decisions of the messages after it a second time.
 *
 * Kafka's answer (KIP-447) is OffsetFetch's `require_stable` (version 7 on): the broker answers
 * UNSTABLE_OFFSET_COMMIT while a partition has pending offsets. kafkajs 2.2.4 speaks OffsetFetch up
 * to version 4 only, so this module asks for it on a connection of its own: FindCoordinator
 * (version 1), then OffsetFetch (version 7), over plaintext like the project's other Kafka clients.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StableOffsetsOptions {
  /** Bootstrap brokers, `host:port`; the first that answers finds the group's coordinator. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  /** How long to wait in all, pending transactions included (a dead producer's lasts until it times out). */
  readonly timeoutMs?: number;
}

/** Called between two tries while an offset is pending (a consumer heartbeats here; throwing ends the wait). */
export type WhileWaiting = () => Promise<void>;

/** An error code from the broker that waiting does not cure. */
export class KafkaProtocolError extends Error {
  override readonly name = 'KafkaProtocolError';
  constructor(
    readonly api: string,
    readonly code: number,
  ) {
    super(`${api} refused with Kafka error code ${code}`);
  }
}

const FIND_COORDINATOR = 10;
const OFFSET_FETCH = 9;
const UNSTABLE_OFFSET_COMMIT = 88;
/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR: ask for the coordinator again. */
const COORDINATOR_MOVED = new Set([14, 15, 16]);
const RETRY_MS = 50;
const REQUEST_TIMEOUT_MS = 10_000;

/** Reads a group's committed offsets once none is pending. */
export class StableOffsets {
  /** The broker that found the coordinator last: asked first next time (a hung one costs a timeout). */
  private lastAnswered: string | undefined;

  constructor(private readonly options: StableOffsetsOptions) {}

  /**
   * The committed offset (the next to read) of each of `partitions` of `topic`, once none of them is
   * pending; partitions with no committed offset are left out.
   */
  async read(topic: string, partitions: readonly number[], whileWaiting?: WhileWaiting): Promise<Map<number, bigint>> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 60_000);
    let coordinator: Connection | undefined;
    try {
      for (;;) {
        coordinator ??= await this.findCoordinator();
        const answer = await fetchOffsets(coordinator, this.options.groupId, topic, partitions);
        if (answer.kind === 'offsets') return answer.offsets;
        if (answer.kind === 'moved') {
          coordinator.close();
          coordinator = undefined;
        }
        if (Date.now() > deadline) {
          throw new Error(`the committed offsets of ${topic} for group ${this.options.groupId} stayed pending`);
        }
        await whileWaiting?.();
        await sleep(RETRY_MS);
      }
    } finally {
      coordinator?.close();
    }
  }

  private async findCoordinator(): Promise<Connection> {
    const { brokers, clientId, groupId } = this.options;
    const first = this.lastAnswered;
    let lastError: unknown;
    for (const broker of first === undefined ? brokers : [first, ...brokers.filter((other) => other !== first)]) {
      try {
        const coordinator = await coordinatorFrom(broker, clientId, groupId);
        this.lastAnswered = broker;
        return coordinator;
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`no broker found the coordinator of group ${groupId}`, { cause: lastError });
  }
}

/** Asks `broker` where the group's coordinator is, and connects to it. */
async function coordinatorFrom(broker: string, clientId: string, groupId: string): Promise<Connection> {
  const bootstrap = await Connection.open(broker, clientId);
  try {
    // FindCoordinator v1: key, key_type 0 (a group).
    const answer = new Reader(
      await bootstrap.request(FIND_COORDINATOR, 1, false, new Writer().string(groupId).int8(0)),
    );
    answer.int32(); // throttle_time_ms
    const code = answer.int16();
    answer.nullableString(); // error_message
    answer.int32(); // node_id
    const host = answer.nullableString() ?? '';
    const port = answer.int32();
    if (code !== 0) throw new KafkaProtocolError('FindCoordinator', code);
    return await Connection.open(`${host}:${port}`, clientId);
  } finally {
    bootstrap.close();
  }
}

type FetchAnswer =
  | { readonly kind: 'offsets'; readonly offsets: Map<number, bigint> }
  | { readonly kind: 'pending' }
  | { readonly kind: 'moved' };

/** What an OffsetFetch error code means here: nothing (0), wait, ask again elsewhere, or give up. */
function answerFor(code: number): FetchAnswer | undefined {
  if (code === 0) return undefined;
  if (code === UNSTABLE_OFFSET_COMMIT) return { kind: 'pending' };
  if (COORDINATOR_MOVED.has(code)) return { kind: 'moved' };
  throw new KafkaProtocolError('OffsetFetch', code);
}

async function fetchOffsets(
  coordinator: Connection,
  groupId: string,
  topic: string,
  partitions: readonly number[],
): Promise<FetchAnswer> {
  // OffsetFetch v7 (flexible): group_id, topics [name, partition_indexes], require_stable.
  const body = new Writer()
    .compactString(groupId)
    .uvarint(2)
    .compactString(topic)
    .uvarint(partitions.length + 1);
  for (const partition of partitions) body.int32(partition);
  body.tagged(); // the topic's tagged fields
  body.bool(true).tagged();
  const answer = new Reader(await coordinator.request(OFFSET_FETCH, 7, true, body));
  answer.int32(); // throttle_time_ms
  const offsets = new Map<number, bigint>();
  let pending: FetchAnswer | undefined;
  // The answer has the one topic asked for.
  for (let topics = answer.uvarint() - 1; topics > 0; topics--) {
    answer.compactString(); // name
    for (let count = answer.uvarint() - 1; count > 0; count--) {
      const partition = answer.int32();
      const committed = answer.int64();
      answer.int32(); // committed_leader_epoch
      answer.compactString(); // metadata
      const code = answer.int16();
      answer.skipTagged();
      pending ??= answerFor(code);
      if (committed >= 0n) offsets.set(partition, committed);
    }
    answer.skipTagged();
  }
  const groupAnswer = answerFor(answer.int16());
  return groupAnswer ?? pending ?? { kind: 'offsets', offsets };
}

/** One broker connection, one request at a time: all this module needs. */
class Connection {
  private buffered = Buffer.alloc(0);
  private waiting: { resolve: (frame: Buffer) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private correlationId = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly clientId: string,
    private readonly address: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error(`the connection to ${address} closed`)));
  }

  static open(address: string, clientId: string): Promise<Connection> {
    const at = address.lastIndexOf(':');
    const host = address.slice(0, at).replace(/^\[|\]$/g, '');
    const port = Number(address.slice(at + 1));
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, timeout: REQUEST_TIMEOUT_MS });
      socket.once('error', reject);
      socket.once('timeout', () => socket.destroy(new Error(`no answer from ${address}`)));
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Connection(socket, clientId, address));
      });
    });
  }

  /** Sends one request and resolves with its answer's body (after the response header). */
  request(apiKey: number, apiVersion: number, flexible: boolean, body: Writer): Promise<Buffer> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const correlationId = ++this.correlationId;
    const header = new Writer().int16(apiKey).int16(apiVersion).int32(correlationId).string(this.clientId);
    if (flexible) header.tagged();
    const payload = Buffer.concat([header.bytes(), body.bytes()]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(Buffer.concat([size, payload]));
    }).then((frame) => {
      const answer = new Reader(frame);
      if (answer.int32() !== correlationId) throw new Error(`an answer from ${this.address} out of turn`);
      if (flexible) answer.skipTagged();
      return answer.rest();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private received(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    if (this.buffered.length < 4) return;
    const size = this.buffered.readInt32BE(0);
    if (this.buffered.length < 4 + size) return;
    const frame = this.buffered.subarray(4, 4 + size);
    this.buffered = this.buffered.subarray(4 + size);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve(frame);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }
}

/** Kafka's big-endian encodings, the classic and the compact (flexible versions) ones. */
class Writer {
  private readonly parts: Buffer[] = [];

  int8(value: number): this {
    return this.put(1, (buffer) => buffer.writeInt8(value));
  }
  int16(value: number): this {
    return this.put(2, (buffer) => buffer.writeInt16BE(value));
  }
  int32(value: number): this {
    return this.put(4, (buffer) => buffer.writeInt32BE(value));
  }
  bool(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }
  string(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    return this.int16(bytes.length).raw(bytes);
  }
  compactString(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    return this.uvarint(bytes.length + 1).raw(bytes);
  }
  uvarint(value: number): this {
    const bytes: number[] = [];
    let rest = value;
    while (rest >= 0x80) {
      bytes.push((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    bytes.push(rest);
    return this.raw(Buffer.from(bytes));
  }
  /** An empty set of tagged fields. */
  tagged(): this {
    return this.uvarint(0);
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }

  private raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }
  private put(size: number, write: (buffer: Buffer) => void): this {
    const buffer = Buffer.alloc(size);
    write(buffer);
    return this.raw(buffer);
  }
}

class Reader {
  private at = 0;

  constructor(private readonly buffer: Buffer) {}

  int16(): number {
    return this.take(2).readInt16BE(0);
  }
  int32(): number {
    return this.take(4).readInt32BE(0);
  }
  int64(): bigint {
    return this.take(8).readBigInt64BE(0);
  }
  nullableString(): string | null {
    const length = this.int16();
    return length < 0 ? null : this.take(length).toString('utf8');
  }
  compactString(): string | null {
    const length = this.uvarint() - 1;
    return length < 0 ? null : this.take(length).toString('utf8');
  }
  uvarint(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.take(1).readUInt8(0);
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
  }
  skipTagged(): void {
    for (let fields = this.uvarint(); fields > 0; fields--) {
      this.uvarint(); // tag
      this.take(this.uvarint());
    }
  }
  rest(): Buffer {
    return this.buffer.subarray(this.at);
  }

  private take(size: number): Buffer {
    if (this.at + size > this.buffer.length) throw new Error('a Kafka answer shorter than its fields');
    const part = this.buffer.subarray(this.at, this.at + size);
    this.at += size;
    return part;
  }
}
