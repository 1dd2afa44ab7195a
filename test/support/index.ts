/**
 * The one test-support module, for the test suites, the benchmarks and the
 * end-to-end suite alike (a folder with this public entry rather than a
 * workspace package: nothing of it ships, and every user sits in this
 * repository). What it gives:
 *
 * - a system of its own on the shared servers, run in this process
 *   (`startTestServer`, `startTestProcessor`) or as processes
 *   (`startProcesses`, `launch`), and dropped again (`dropSystem`);
 * - waiting for a condition with a deadline (`waitFor`, `retrying`);
 * - GraphQL clients over HTTP (`graphqlAnswer`, `graphqlRequest`) and
 *   graphql-ws (`wsClient`, `collect`, `subscribe`);
 * - authorization as the operator (`authorization`, `bearer`, `tokenFor`);
 * - an SSE subscription that a test can stop reading (`openSse`),
 * - a payment service of a test's own, with its ledger and outage switch (`startPaymentService`).
 *
 * It reaches the server and the processor through their public entries only.
 */
export * from './auth.ts';
export * from './graphql.ts';
export * from './in-process.ts';
export * from './payment-service.ts';
export * from './processes.ts';
export * from './status-message.ts';
export * from './system.ts';
export * from './tcp-proxy.ts';
export * from './wait.ts';
export * from './sse.ts';
