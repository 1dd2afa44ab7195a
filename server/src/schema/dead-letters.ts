/**
 * Dead letters for operators: the open letters (a connection, newest first,
 * with their count), and the one action each gets, requeue or discard.
 * Everything here is FORBIDDEN to customers.
 */
import { DEAD_LETTER_ACTIONS, showBytes, type DeadLetterActionKind, type RecordedDeadLetter } from '@orders/core';
import { operatorsOnly } from '../auth/access.ts';
import type { DeadLetterActionShape } from '../dead-letters/dead-letters.ts';
import { builder } from './builder.ts';

export const DeadLetter = builder.objectRef<RecordedDeadLetter>('DeadLetter').implement({
  description:
    'A message the processor could not act on, kept with the reason until an operator requeues or discards it.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Where the message sat: `<topic>:<partition>:<offset>`.' }),
    topic: t.exposeString('topic', { description: 'The topic the message came from, and goes back to on a requeue.' }),
    partition: t.exposeInt('partition'),
    offset: t.exposeString('offset', { description: 'A Kafka offset, as a string (it may exceed 2^53).' }),
    reason: t.exposeString('reason', { description: 'Why the processor could not act on it.' }),
    deadAt: t.field({ type: 'DateTime', description: 'When it was set aside.', resolve: (letter) => letter.deadAt }),
    key: t.string({
      nullable: true,
      description: 'The message key as text (invalid UTF-8 replaced), or null without one.',
      resolve: (letter) => showBytes(letter.key)?.text ?? null,
    }),
    value: t.string({
      nullable: true,
      description:
        'The raw value as text, safe to show: invalid UTF-8 and control characters replaced by U+FFFD, ' +
        'cut at 4096 characters (see valueTruncated). Null for a message without a value.',
      resolve: (letter) => showBytes(letter.value)?.text ?? null,
    }),
    valueTruncated: t.boolean({
      description: 'Whether `value` was cut; a requeue still sends every byte.',
      resolve: (letter) => showBytes(letter.value)?.truncated ?? false,
    }),
  }),
});

const DeadLetterConnection = builder.connectionObject(
  { type: DeadLetter, name: 'DeadLetterConnection', description: 'A page of open dead letters, newest first.' },
  { name: 'DeadLetterEdge' },
);

const DeadLetterActionKindEnum = builder.enumType('DeadLetterActionKind', {
  description: 'What an operator did with a dead letter.',
  values: Object.fromEntries(DEAD_LETTER_ACTIONS.map((action) => [action, { value: action }])) as Record<
    DeadLetterActionKind,
    { value: DeadLetterActionKind }
  >,
});

const DeadLetterAction = builder.objectRef<DeadLetterActionShape>('DeadLetterAction').implement({
  description: 'The one action a dead letter got.',
  fields: (t) => ({
    deadLetter: t.field({ type: DeadLetter, resolve: (done) => done.letter }),
    action: t.field({ type: DeadLetterActionKindEnum, resolve: (done) => done.action }),
    at: t.field({ type: 'DateTime', resolve: (done) => done.at }),
    requeuedPartition: t.exposeInt('requeuedPartition', {
      nullable: true,
      description: 'Where a requeued message went again: its partition (null for a discard).',
    }),
    requeuedOffset: t.exposeString('requeuedOffset', {
      nullable: true,
      description: 'Where a requeued message went again: its new offset (null for a discard).',
    }),
  }),
});

builder.queryFields((t) => ({
  deadLetters: t.field({
    type: DeadLetterConnection,
    description: 'Dead letters nobody has acted on yet, newest first. Operators only.',
    args: {
      first: t.arg.int({ required: false, defaultValue: 20, description: 'From 0 to 100.' }),
      after: t.arg.string({ required: false, description: 'The endCursor of the page before.' }),
    },
    resolve: operatorsOnly('read the dead letters', (_root, args, { deadLetters }) => deadLetters.page(args)),
  }),
  deadLetterCount: t.int({
    description: 'How many dead letters wait for an operator. Operators only.',
    resolve: operatorsOnly('read the dead letters', (_root, _args, { deadLetters }) => deadLetters.count()),
  }),
}));

const ONCE_PER_LETTER =
  'Once per letter: DEAD_LETTER_ALREADY_HANDLED afterwards; DEAD_LETTER_NOT_FOUND for an unknown id. Operators only.';

builder.mutationFields((t) => ({
  requeueDeadLetter: t.field({
    type: DeadLetterAction,
    description: `Sends the letter’s message again (its key, value and headers) to the topic it came from, and closes the letter. ${ONCE_PER_LETTER}`,
    args: { id: t.arg.id({ required: true }) },
    resolve: operatorsOnly('requeue dead letters', (_root, { id }, { deadLetters }) => deadLetters.requeue(id)),
  }),
  discardDeadLetter: t.field({
    type: DeadLetterAction,
    description: `Closes the letter without sending anything. ${ONCE_PER_LETTER}`,
    args: { id: t.arg.id({ required: true }) },
    resolve: operatorsOnly('discard dead letters', (_root, { id }, { deadLetters }) => deadLetters.discard(id)),
  }),
}));
