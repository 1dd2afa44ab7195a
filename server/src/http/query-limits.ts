/**
 * The limits on what one operation may ask, each refusal with its own code and a message that says
 * which limit and by how much (graphql-armor words them all "Syntax Error: …", which they are not):
 *
 * | limit | code |
 * | --- | --- |
 * | depth | QUERY_TOO_DEEP |
 * | aliases | TOO_MANY_ALIASES |
 * | directives | TOO_MANY_DIRECTIVES |
 * | tokens | TOO_MANY_TOKENS |
 * | cost | QUERY_TOO_COSTLY |
 * | ids in one `nodes(ids:)` | TOO_MANY_IDS |
 *
 * The cost is graphql-armor's, counted when the operation is validated; a `nodes(ids:)` field is
 * counted again when it runs, as a list of as many items as it has ids (its ids may come in a
 * variable, which validation does not see).
 */
import { Kind, validate, visit, type DocumentNode, type GraphQLError, type ValidationContext } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';

export interface QueryLimits {
  /** The most ids one `nodes(ids:)` takes (NODES_MAX_IDS). */
  readonly nodesMaxIds: number;
}

/**
 * Tuned so that the dashboard's own operations pass with room to spare: the deepest (an order's
 * history with its order) is 5 levels, the largest far under these.
 */
export const QUERY_MAX_DEPTH = 8;
export const QUERY_MAX_ALIASES = 15;
export const QUERY_MAX_DIRECTIVES = 20;
export const QUERY_MAX_TOKENS = 2000;
export const QUERY_MAX_COST = 5000;

/** graphql-armor's refusal, reported with `code` and without its "Syntax Error: " prefix. */
function refusedAs(code: string) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const refusal = createGraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code } });
        // The token limit refuses while parsing, with no validation under way: thrown then.
        if (context === null) throw refusal;
        context.reportError(refusal);
      },
    ],
  };
}

const costOptions = { maxCost: QUERY_MAX_COST, ...refusedAs('QUERY_TOO_COSTLY') };

const armor = new EnvelopArmor({
  maxDepth: { n: QUERY_MAX_DEPTH, ...refusedAs('QUERY_TOO_DEEP') },
  maxAliases: { n: QUERY_MAX_ALIASES, ...refusedAs('TOO_MANY_ALIASES') },
  maxDirectives: { n: QUERY_MAX_DIRECTIVES, ...refusedAs('TOO_MANY_DIRECTIVES') },
  maxTokens: { n: QUERY_MAX_TOKENS, ...refusedAs('TOO_MANY_TOKENS') },
  costLimit: costOptions,
  blockFieldSuggestion: { enabled: true },
});

/** The plugins that hold an operation to the limits. */
export function useQueryLimits(limits: QueryLimits): Plugin[] {
  return [...(armor.protect().plugins as Plugin[]), useNodesLimit(limits)];
}

/** How many ids each root `nodes` field of the document asks for, with the request's variables. */
export function idsPerNodesField(document: DocumentNode, variables: Record<string, unknown> | undefined): number[] {
  const counts: number[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION || definition.operation !== 'query') continue;
    for (const selection of definition.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD || selection.name.value !== 'nodes') continue;
      const ids = selection.arguments?.find((argument) => argument.name.value === 'ids')?.value;
      if (ids?.kind === Kind.LIST) counts.push(ids.values.length);
      else if (ids?.kind === Kind.VARIABLE) {
        const value = variables?.[ids.name.value];
        counts.push(Array.isArray(value) ? value.length : 1);
      } else counts.push(1);
    }
  }
  return counts;
}

/**
 * The document as graphql-armor's cost counts it with each root `nodes` field a list of its ids: the
 * count goes in as a `first` argument, which the cost rule multiplies by (and which nothing executes).
 */
function withIdsCounted(document: DocumentNode, counts: readonly number[]): DocumentNode {
  let at = 0;
  return visit(document, {
    OperationDefinition: (operation) => {
      if (operation.operation !== 'query') return false;
      return {
        ...operation,
        selectionSet: {
          ...operation.selectionSet,
          selections: operation.selectionSet.selections.map((selection) => {
            if (selection.kind !== Kind.FIELD || selection.name.value !== 'nodes') return selection;
            const first = {
              kind: Kind.ARGUMENT,
              name: { kind: Kind.NAME, value: 'first' },
              value: { kind: Kind.INT, value: String(counts[at++] ?? 1) },
            } as const;
            return { ...selection, arguments: [first, ...(selection.arguments ?? [])] };
          }),
        },
      };
    },
  });
}

/** Refuses a `nodes(ids:)` over its cap, and an operation whose cost with every id counted is over the limit. */
function useNodesLimit(limits: QueryLimits): Plugin {
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      const counts = idsPerNodesField(args.document, args.variableValues ?? undefined);
      const most = Math.max(0, ...counts);
      if (most > limits.nodesMaxIds) {
        const message = `nodes(ids:) takes at most ${limits.nodesMaxIds} ids, got ${most}`;
        setResultAndStopExecution({
          errors: [createGraphQLError(message, { extensions: { code: 'TOO_MANY_IDS', max: limits.nodesMaxIds } })],
        });
        return;
      }
      if (!counts.some((count) => count > 1)) return;
      const errors = validate(args.schema, withIdsCounted(args.document, counts), [costLimitRule(costOptions)]);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}
