/**
 * The GraphQL server as a process that dies the way a crash would (SIGKILL:
 * no handler runs, nothing is flushed) right after storing its
 * CRASH_AFTER_STORING-th order, before producing it: how the fault tests
 * leave an order to the outbox relay. The fault wraps the server's order
 * store from outside; the server itself knows nothing of it.
 */
import { runServer } from '@orders/server';

const crashAfter = Number(process.env.CRASH_AFTER_STORING ?? '1');
let stored = 0;

await runServer({
  wrapOrderInserter: (insert) => async (doc) => {
    await insert(doc);
    if (++stored < crashAfter) return;
    console.error(`fault injection: exiting between storing order ${stored} and producing it`);
    process.kill(process.pid, 'SIGKILL');
  },
});
