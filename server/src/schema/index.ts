/** The GraphQL schema: every domain file registers its types on the builder. */
import { builder } from './builder.ts';
import './catalogue.ts';
import './dead-letters.ts';
import './order/index.ts';
import './pipeline.ts';
import './stats.ts';

export const schema = builder.toSchema();
