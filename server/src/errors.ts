/** Errors a client can act on: each has a code in `extensions.code` and a message that says what is wrong. */
import { createGraphQLError } from 'graphql-yoga';

export const badInput = (message: string, field?: string) =>
  createGraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) } });

export const notFound = (message: string) => createGraphQLError(message, { extensions: { code: 'NOT_FOUND' } });

export const conflict = (message: string) => createGraphQLError(message, { extensions: { code: 'CONFLICT' } });
