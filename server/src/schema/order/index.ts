/** Orders: the types, their queries, the mutations that make and retry them, and their subscriptions. */
import './types.ts';
import './queries.ts';
import './mutations.ts';
import './subscriptions.ts';
