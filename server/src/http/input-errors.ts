/**
 * Refusals that graphql-js and graphql-armor raise carry a message but no code: this gives them one, as
 * every refusal of the API has (see errors.ts), so that a client can tell them apart without reading
 * the message.
 *
 * - A variable that does not fit the schema (a wrong type, a value out of range, a field the input type
 *   does not define) is refused before any resolver runs: BAD_USER_INPUT, with the input field at fault.
 * - A query over the limits: the codes of query-limits.ts.
 * - A request refused by a plugin before it is parsed (CSRF prevention): the code it is given here.
 */
import type { GraphQLError } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';

const isGraphQLError = (error: unknown): error is GraphQLError =>
  error instanceof Error && 'extensions' in error && typeof error.extensions === 'object';

const INVALID_VARIABLE = /^Variable "\$(\w+)" got invalid value /;

/** The input field an invalid-variable error is about (the variable itself when it has no path); else undefined. */
export function fieldOfInvalidVariable(message: string): string | undefined {
  const variable = INVALID_VARIABLE.exec(message)?.[1];
  if (variable === undefined) return undefined;
  const undefinedField = /; Field "(\w+)" is not defined by type/.exec(message)?.[1];
  if (undefinedField !== undefined) return undefinedField;
  const path = / at "([\w.[\]]+)"; /.exec(message)?.[1] ?? variable;
  return path
    .replace(/\[\d+\]/g, '')
    .split('.')
    .at(-1);
}

function withInputCode(error: GraphQLError): GraphQLError {
  if (error.extensions.code !== undefined) return error;
  const field = fieldOfInvalidVariable(error.message);
  if (field === undefined) return error;
  return createGraphQLError(error.message, {
    nodes: error.nodes,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT', field },
  });
}

/** Gives invalid-variable errors their code and field. */
export function useInputErrorCodes(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (isAsyncIterable(result) || result.errors === undefined) return;
        setResult({ ...result, errors: result.errors.map(withInputCode) });
      },
    }),
  };
}

/** A plugin whose refusals of a request (in onRequestParse) carry `code`. */
export function refusingWithCode(plugin: Plugin, code: string): Plugin {
  const parse = plugin.onRequestParse;
  if (parse === undefined) return plugin;
  return {
    ...plugin,
    onRequestParse: async (payload) => {
      try {
        return await parse(payload);
      } catch (error) {
        if (!isGraphQLError(error) || error.extensions.code !== undefined) throw error;
        throw createGraphQLError(error.message, { extensions: { ...error.extensions, code } });
      }
    },
  };
}
