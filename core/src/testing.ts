/**
 * @orders/core/testing: what tests and benchmarks use to clear a system of their own and to look
 * inside it. Kept out of the main entry: no service drops an index or predicts a partition.
 */

// Dropping a test system's derived data in Redis.
export { dropOrderIndex } from './order-index/order-index.ts';
export { dropOpenDeadLetters } from './dead-letters/store.ts';

// Looking inside: how the index encodes a status, and the partition the producers give a key.
export { statusNumber } from './order-index/layout.ts';
export { keyPartitioner } from './kafka-failover.ts';
