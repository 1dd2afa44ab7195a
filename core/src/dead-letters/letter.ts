/**
 * A dead letter as the operator sees it: a message of `orders.created` (or any
 * topic the processor reads) that could not be acted on, kept with its reason,
 * named by where it was in its partition, and shown safely whatever its bytes.
 */

/** The parts of a consumed Kafka message a dead letter keeps. */
export interface DeadMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The message's headers as text (a `traceparent` among them), so a requeue sends them again. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A recorded dead letter: the message, why it died and when. */
export interface RecordedDeadLetter extends DeadMessage {
  readonly id: string;
  readonly reason: string;
  readonly deadAt: Date;
}

/**
 * The letter's id: where its message sat. A message delivered again has the same id, so it is
 * recorded once; the same bytes sent again (a requeue) sit at a new offset and are a new letter.
 */
export const deadLetterId = (message: Pick<DeadMessage, 'topic' | 'partition' | 'offset'>) =>
  `${message.topic}:${message.partition}:${message.offset}`;

/** How many characters of a value the API shows; the rest is cut and flagged. */
export const SHOWN_VALUE_LENGTH = 4096;

export interface ShownValue {
  readonly text: string;
  readonly truncated: boolean;
}

/**
 * Bytes as text a screen can show: invalid UTF-8 becomes U+FFFD (as Node's decoder does), control
 * characters other than tab and line breaks become U+FFFD too (they would move a terminal's cursor
 * or hide what follows), and the text is cut at `limit` characters without splitting a character.
 */
export function showBytes(bytes: Buffer | null, limit = SHOWN_VALUE_LENGTH): ShownValue | null {
  if (bytes === null) return null;
  const characters = Array.from(bytes.toString('utf8'));
  const truncated = characters.length > limit;
  const kept = truncated ? characters.slice(0, limit) : characters;
  // eslint-disable-next-line no-control-regex
  const text = kept.join('').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '\uFFFD');
  return { text, truncated };
}
