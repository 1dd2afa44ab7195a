/**
 * Trusted documents: the dashboard's operations, persisted when it is built (codegen's
 * persisted-documents.json, keyed by `sha256:<hex>`), run by id; and the roles an operator names in
 * PERSISTED_OPERATIONS_ONLY may run nothing else. Every other client keeps arbitrary operations.
 *
 * Over HTTP and SSE, graphql-yoga's persisted-operations plugin reads the id from
 * `extensions.persistedQuery.sha256Hash` and refuses a text from a restricted role before it is parsed.
 * graphql-ws has no such request step: there the operation's document must be one of the persisted
 * ones (compared as printed, so that layout and comments do not matter), checked before it runs.
 *
 * | refusal | code |
 * | --- | --- |
 * | a text from a restricted role | PERSISTED_QUERY_ONLY |
 * | an id the server does not know | PERSISTED_QUERY_NOT_FOUND (message `PersistedQueryNotFound`, which clients of automatic persisted queries answer with the text) |
 * | neither a text nor an id | PERSISTED_QUERY_ID_REQUIRED |
 */
import { readFileSync } from 'node:fs';
import { parse, print, type DocumentNode } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Logger, Viewer } from '@orders/core';

/** A token's role, as the viewer it names has it. */
type Role = Viewer['role'];

/** A persisted document's id → its text. */
export type PersistedDocuments = ReadonlyMap<string, string>;

/** Reads codegen's persisted-documents.json; throws with the file's name when it is missing or malformed. */
export function loadPersistedDocuments(file: string): PersistedDocuments {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the persisted documents in ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${file} is not a map of persisted document ids to documents`);
  }
  const entries = Object.entries(parsed);
  if (!entries.every(([, text]) => typeof text === 'string')) {
    throw new Error(`${file} holds a persisted document that is not a string`);
  }
  return new Map(entries as [string, string][]);
}

/**
 * The persisted documents the server starts with. Without the file, a server that restricts a role
 * cannot start (its clients could run nothing); one that restricts none runs arbitrary operations only.
 */
export function persistedDocumentsAtStart(
  file: string,
  persistedOnlyFor: readonly Role[],
  logger: Logger,
): PersistedDocuments {
  try {
    return loadPersistedDocuments(file);
  } catch (error) {
    if (persistedOnlyFor.length > 0) throw error;
    logger.warn('no persisted documents: clients must send their operations as text', { error });
    return new Map();
  }
}

export interface TrustedDocumentsOptions {
  readonly documents: PersistedDocuments;
  /** The roles that may run persisted operations only. */
  readonly persistedOnlyFor: readonly Role[];
  /** Who sends a request, from its Authorization header. */
  readonly viewerOf: (request: Request) => Promise<Viewer | null>;
}

const persistedOnly = () =>
  createGraphQLError(
    'this token may run persisted operations only: send the id of one of the dashboard’s documents ' +
      'in extensions.persistedQuery.sha256Hash instead of a query',
    { extensions: { code: 'PERSISTED_QUERY_ONLY' } },
  );

export function useTrustedDocuments(options: TrustedDocumentsOptions): Plugin[] {
  const restricted = new Set<Role>(options.persistedOnlyFor);
  const mayRunAnything = async (request: Request) => {
    const viewer = await options.viewerOf(request);
    // No viewer: refused further on for that (useRequireViewer), with its own code.
    return viewer === null || !restricted.has(viewer.role);
  };
  const persisted = usePersistedOperations({
    getPersistedOperation: (id) => options.documents.get(id) ?? null,
    allowArbitraryOperations: restricted.size === 0 ? true : mayRunAnything,
    customErrors: {
      notFound: { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
      persistedQueryOnly: persistedOnly,
      keyNotFound: {
        message: 'a request needs a query, or a persisted document id in extensions.persistedQuery.sha256Hash',
        extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED' },
      },
    },
  }) as Plugin;
  if (restricted.size === 0) return [persisted];
  return [persisted, useOnlyPersistedDocuments(options.documents, restricted)];
}

/** Before an operation runs (over graphql-ws too): a restricted viewer's document must be a persisted one. */
function useOnlyPersistedDocuments(documents: PersistedDocuments, restricted: ReadonlySet<Role>): Plugin {
  const printed = new Set([...documents.values()].map((text) => print(parse(text))));
  const trusted = new WeakMap<DocumentNode, boolean>();
  const refused = (document: DocumentNode, context: unknown) => {
    const role = (context as { viewer?: Viewer | null }).viewer?.role;
    if (role === undefined || !restricted.has(role)) return false;
    let known = trusted.get(document);
    if (known === undefined) trusted.set(document, (known = printed.has(print(document))));
    return !known;
  };
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      if (refused(args.document, args.contextValue)) setResultAndStopExecution({ errors: [persistedOnly()] });
    },
    onSubscribe: ({ args, setResultAndStopExecution }) => {
      if (refused(args.document, args.contextValue)) setResultAndStopExecution({ errors: [persistedOnly()] });
    },
  };
}
