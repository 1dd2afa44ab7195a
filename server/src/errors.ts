/** Errors a client can act on: each has a code in `extensions.code` and a message that says what is wrong. */
import { createGraphQLError } from 'graphql-yoga';

/** `field` names the argument or input field the error concerns, so a form can show it beside that field. */
const clientError = (code: string, message: string, field?: string) =>
  createGraphQLError(message, { extensions: { code, ...(field ? { field } : {}) } });

export const badInput = (message: string, field?: string) => clientError('BAD_USER_INPUT', message, field);

export const notFound = (message: string, field?: string) => clientError('NOT_FOUND', message, field);

export const conflict = (message: string) => clientError('CONFLICT', message);

/** Something the server needs is not there yet; the same request succeeds later. */
export const unavailable = (message: string) => clientError('UNAVAILABLE', message);
