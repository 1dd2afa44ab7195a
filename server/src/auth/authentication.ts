/**
 * Authentication on both transports: the viewer of an HTTP request comes from
 * its Authorization header, the viewer of a WebSocket from the
 * `authorization` of its connectionParams (checked when it opens). An
 * operation without a viewer is refused with UNAUTHENTICATED, except schema
 * introspection outside production, so GraphiQL can show the schema before a
 * token is pasted.
 */
import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isExpired, unauthenticated } from './access.ts';
import { TokenError, bearerToken, verifyToken, type Viewer } from '@orders/core';

export interface Authenticator {
  /** The viewer of an `Authorization` value: null without one; UNAUTHENTICATED when it is not valid. */
  viewerOf(authorization: unknown): Promise<Viewer | null>;
}

/** How many verified tokens are remembered: a client sends the same one with every request. */
const REMEMBERED_TOKENS = 10_000;

/**
 * Checking a token's signature costs more than the rest of a small request's authentication, so
 * a token verified once is remembered (by its whole text, oldest forgotten first) until it expires.
 */
export function createAuthenticator(key: Uint8Array): Authenticator {
  const verified = new Map<string, Viewer>();
  return {
    async viewerOf(authorization) {
      try {
        const token = bearerToken(authorization);
        if (token === undefined) return null;
        const known = verified.get(token);
        if (known !== undefined && !isExpired(known)) return known;
        verified.delete(token);
        const viewer = await verifyToken(key, token);
        if (verified.size >= REMEMBERED_TOKENS) verified.delete(verified.keys().next().value!);
        verified.set(token, viewer);
        return viewer;
      } catch (error) {
        if (error instanceof TokenError) throw unauthenticated(error.message);
        throw error;
      }
    },
  };
}

/** The `authorization` entry of graphql-ws connectionParams, whatever its case. */
export function authorizationParam(connectionParams: Readonly<Record<string, unknown>> | undefined): unknown {
  if (!connectionParams) return undefined;
  const key = Object.keys(connectionParams).find((name) => name.toLowerCase() === 'authorization');
  return key === undefined ? undefined : connectionParams[key];
}

function onlyIntrospection(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operations.find((candidate) => candidate.name?.value === operationName) ?? operations[0];
  return (
    operation !== undefined &&
    operation.selectionSet.selections.every(
      (selection) => selection.kind === Kind.FIELD && selection.name.value.startsWith('__'),
    )
  );
}

/** Refuses every operation of a context without a live viewer (introspection aside, when allowed). */
export function useRequireViewer(options: { allowIntrospection: boolean }): Plugin<{ viewer?: Viewer | null }> {
  const refuse = (viewer: Viewer | null | undefined, document: DocumentNode, operationName?: string | null) => {
    if (viewer && !isExpired(viewer)) return undefined;
    if (!viewer && options.allowIntrospection && onlyIntrospection(document, operationName)) return undefined;
    return {
      errors: [
        viewer
          ? unauthenticated('the token has expired')
          : unauthenticated('sign in: send "Authorization: Bearer <token>"'),
      ],
    };
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refuse(args.contextValue.viewer, args.document, args.operationName);
      if (refused) setResultAndStopExecution(refused);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = refuse(args.contextValue.viewer, args.document, args.operationName);
      if (refused) setResultAndStopExecution(refused);
    },
  };
}
