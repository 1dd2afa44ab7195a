/**
 * Names of the Kafka topics and Redis channels that the server and the
 * processor share. A prefix lets several systems (or test suites) share one
 * broker without seeing each other's events.
 */

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

export interface Topics {
  /** OrderCreated events, keyed by order id: the processor's input. */
  readonly created: TopicSpec;
  /** OrderStatusChanged events, keyed by order id: the event log of every decision. */
  readonly status: TopicSpec;
  /** Messages the processor could not parse, with the reason. */
  readonly deadLetters: TopicSpec;
}

/** Partitions of `orders.created`: the most processor instances that can share the work. */
export const CREATED_PARTITIONS = 6;

export function topicsFor(prefix = ''): Topics {
  return {
    created: { name: `${prefix}orders.created`, partitions: CREATED_PARTITIONS },
    status: { name: `${prefix}orders.status`, partitions: CREATED_PARTITIONS },
    deadLetters: { name: `${prefix}orders.dlq`, partitions: 1 },
  };
}

export function allTopics(topics: Topics): TopicSpec[] {
  return [topics.created, topics.status, topics.deadLetters];
}

export const PROCESSOR_GROUP = 'order-processor';

export interface Channels {
  readonly created: string;
  readonly status: string;
}

export function channelsFor(prefix = ''): Channels {
  return { created: `${prefix}order.created`, status: `${prefix}order.status` };
}
