/**
 * The order processor as a process whose Kafka transactions end in doubt: every
 * DOUBTFUL_COMMIT_EVERY-th commit of its status events fails, in turn in the two
 * ways a broker going away can make it fail:
 *
 * - the commit reached the broker and took effect, and its answer was lost;
 * - the commit never reached the broker, nor did the abort after it, so the
 *   transaction is left open at the broker.
 *
 * Either way the processor sees an error and cannot tell which. The fault wraps
 * the processor's producer from outside (the `wrapStatusProducer` option); the
 * processor itself knows nothing of it.
 */
import type { Producer, Transaction } from 'kafkajs';
import { runProcessor } from '@orders/processor';

const every = Number(process.env.DOUBTFUL_COMMIT_EVERY ?? '5');
let commits = 0;
let faults = 0;

function doubtful(transaction: Transaction): Transaction {
  let leftOpen = false;
  // The transaction may inherit its methods (core's kafka-failover.ts wraps it so): keep it as the prototype.
  return Object.assign(Object.create(transaction) as Transaction, {
    async commit() {
      if (++commits % every !== 0) return transaction.commit();
      const answerLost = ++faults % 2 === 1;
      if (answerLost) await transaction.commit();
      else leftOpen = true;
      const what = answerLost ? 'committed, and its answer was lost' : 'never reached the broker';
      console.error(`fault injection: commit ${commits} ${what}`);
      throw new Error(`fault injection: commit ${commits} ${what}`);
    },
    async abort() {
      if (leftOpen) throw new Error('fault injection: the abort never reached the broker either');
      return transaction.abort();
    },
  });
}

await runProcessor({
  wrapStatusProducer: (producer: Producer): Producer =>
    new Proxy(producer, {
      get: (target, property: keyof Producer) =>
        property === 'transaction' ? async () => doubtful(await target.transaction()) : Reflect.get(target, property),
    }),
});
