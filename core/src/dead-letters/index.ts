/** Dead letters the operator can list, requeue and discard: the shared contract and its store. */
export * from './letter.ts';
export * from './store.ts';
