/**
 * The order processor as a process killed (SIGKILL, no cleanup) at its
 * KILL_AT_COMMIT-th Kafka commit, just before the commit goes out: the orders
 * of that transaction are authorized at the payment service, claimed in
 * MongoDB and written to Redis, and their offsets are not committed. The
 * fault wraps the processor's producer from outside (`wrapStatusProducer`);
 * the processor itself knows nothing of it.
 */
import type { Producer, Transaction } from 'kafkajs';
import { runProcessor } from '@orders/processor';

const killAt = Number(process.env.KILL_AT_COMMIT ?? '3');
let commits = 0;

function killedBeforeCommit(transaction: Transaction): Transaction {
  // The transaction may inherit its methods (core's kafka-failover.ts wraps it so): keep it as the prototype.
  return Object.assign(Object.create(transaction) as Transaction, {
    async commit() {
      if (++commits < killAt) return transaction.commit();
      console.error(`fault injection: killed before commit ${commits}`);
      process.kill(process.pid, 'SIGKILL');
      return new Promise(() => {});
    },
  });
}

await runProcessor({
  wrapStatusProducer: (producer: Producer): Producer =>
    new Proxy(producer, {
      get: (target, property: keyof Producer) =>
        property === 'transaction'
          ? async () => killedBeforeCommit(await target.transaction())
          : Reflect.get(target, property),
    }),
});
