/** Trace context: the W3C `traceparent` an order carries end to end, and its Kafka header. */
export * from './trace-context.ts';
export * from './kafka-headers.ts';
