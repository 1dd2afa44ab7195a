/** The server's side of dead letters: the operator's list and actions, and the count the pipeline monitor reads. */
export * from './dead-letters.ts';
