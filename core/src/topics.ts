/**
 * Names of the Kafka topics, Redis channels and the consumer group that the
 * server and the processor share. One prefix (NAME_PREFIX) goes before every
 * name, so that several systems (or test suites) share one broker and one
 * Redis without seeing each other's events.
 */

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

export interface Topics {
  /**
   * OrderCreated events, keyed by SKU: the processor's input. All orders of one product go to one
   * partition, so one processor at a time decides that product's stock and its orders.
   */
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
