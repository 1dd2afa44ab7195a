/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query BulkGenerator_CatalogueQuery {\n    customers {\n      id\n    }\n    products {\n      sku\n    }\n  }\n": typeof types.BulkGenerator_CatalogueQueryDocument,
    "\n  mutation BulkGenerator_CreateOrderMutation($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      id\n    }\n  }\n": typeof types.BulkGenerator_CreateOrderMutationDocument,
    "\n  query CreateOrderForm_CatalogueQuery {\n    customers {\n      id\n      name\n      email\n    }\n    products {\n      sku\n      name\n      price\n      stock\n    }\n  }\n": typeof types.CreateOrderForm_CatalogueQueryDocument,
    "\n  mutation CreateOrderForm_CreateOrderMutation($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      ...OrderTable_Order\n    }\n  }\n": typeof types.CreateOrderForm_CreateOrderMutationDocument,
    "\n  fragment OrderDetailDrawer_Order on Order {\n    id\n    orderNumber\n    status\n    version\n    quantity\n    total\n    attempts\n    error\n    createdAt\n    updatedAt\n    customer {\n      id\n      name\n      email\n    }\n    product {\n      sku\n      name\n      price\n    }\n    history {\n      version\n      status\n      previousStatus\n      at\n      error\n    }\n  }\n": typeof types.OrderDetailDrawer_OrderFragmentDoc,
    "\n  query OrderDetailDrawer_OrderQuery($id: ID!) {\n    order(id: $id) {\n      ...OrderDetailDrawer_Order\n    }\n  }\n": typeof types.OrderDetailDrawer_OrderQueryDocument,
    "\n  subscription OrderDetailDrawer_OrderUpdatedSubscription($id: ID!) {\n    orderUpdated(id: $id) {\n      ...OrderDetailDrawer_Order\n    }\n  }\n": typeof types.OrderDetailDrawer_OrderUpdatedSubscriptionDocument,
    "\n  mutation OrderDetailDrawer_RetryOrderMutation($id: ID!) {\n    retryOrder(id: $id) {\n      ...OrderDetailDrawer_Order\n      ...OrderTable_Order\n    }\n  }\n": typeof types.OrderDetailDrawer_RetryOrderMutationDocument,
    "\n  fragment OrderTable_Order on Order {\n    id\n    orderNumber\n    quantity\n    total\n    status\n    version\n    error\n    createdAt\n    processedAt\n    failedAt\n    customer {\n      id\n      name\n    }\n    product {\n      sku\n      name\n    }\n  }\n": typeof types.OrderTable_OrderFragmentDoc,
    "\n  query OrderTable_OrdersQuery($first: Int!, $after: String, $status: [OrderStatus!]) {\n    orders(first: $first, after: $after, status: $status) {\n      totalCount\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      edges {\n        cursor\n        node {\n          ...OrderTable_Order\n        }\n      }\n    }\n  }\n": typeof types.OrderTable_OrdersQueryDocument,
    "\n  subscription OrderTable_OrderCreatedSubscription {\n    orderCreated {\n      ...OrderTable_Order\n    }\n  }\n": typeof types.OrderTable_OrderCreatedSubscriptionDocument,
    "\n  subscription OrderTable_OrderStatusChangedSubscription {\n    orderStatusChanged {\n      previousStatus\n      status\n      version\n      order {\n        ...OrderTable_Order\n      }\n    }\n  }\n": typeof types.OrderTable_OrderStatusChangedSubscriptionDocument,
    "\n  query DeadLetterList_DeadLettersQuery($first: Int!) {\n    deadLetters(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          reason\n          deadAt\n          topic\n          partition\n          offset\n          key\n          value\n          valueTruncated\n        }\n      }\n    }\n  }\n": typeof types.DeadLetterList_DeadLettersQueryDocument,
    "\n  mutation DeadLetterList_RequeueMutation($id: ID!) {\n    requeueDeadLetter(id: $id) {\n      action\n      requeuedPartition\n      requeuedOffset\n    }\n  }\n": typeof types.DeadLetterList_RequeueMutationDocument,
    "\n  mutation DeadLetterList_DiscardMutation($id: ID!) {\n    discardDeadLetter(id: $id) {\n      action\n    }\n  }\n": typeof types.DeadLetterList_DiscardMutationDocument,
    "\n  fragment PipelinePanel_Health on PipelineHealth {\n    at\n    decisionsPerSecond\n    decisionsLastMinute\n    decisionLatencyP95Seconds\n    consumerLag {\n      total\n      partitions {\n        partition\n        lag\n      }\n    }\n    processors\n    deadLetters\n    warnings {\n      code\n      message\n    }\n  }\n": typeof types.PipelinePanel_HealthFragmentDoc,
    "\n  query PipelinePanel_HealthQuery {\n    pipelineHealth {\n      at\n      ...PipelinePanel_Health\n    }\n  }\n": typeof types.PipelinePanel_HealthQueryDocument,
    "\n  subscription PipelinePanel_HealthSubscription {\n    pipelineHealth {\n      at\n      ...PipelinePanel_Health\n    }\n  }\n": typeof types.PipelinePanel_HealthSubscriptionDocument,
    "\n  fragment OrdersPerMinuteChart_OrderStats on OrderStats {\n    perMinute {\n      at\n      created\n      processed\n      failed\n    }\n  }\n": typeof types.OrdersPerMinuteChart_OrderStatsFragmentDoc,
    "\n  fragment StatsCards_OrderStats on OrderStats {\n    at\n    total\n    pending\n    processed\n    failed\n    successRate\n    perMinute {\n      at\n      created\n    }\n  }\n": typeof types.StatsCards_OrderStatsFragmentDoc,
    "\n  query StatsPanel_OrderStatsQuery {\n    orderStats {\n      at\n      ...StatsCards_OrderStats\n      ...OrdersPerMinuteChart_OrderStats\n    }\n  }\n": typeof types.StatsPanel_OrderStatsQueryDocument,
    "\n  subscription StatsPanel_OrderStatsSubscription {\n    orderStats {\n      at\n      ...StatsCards_OrderStats\n      ...OrdersPerMinuteChart_OrderStats\n    }\n  }\n": typeof types.StatsPanel_OrderStatsSubscriptionDocument,
};
const documents: Documents = {
    "\n  query BulkGenerator_CatalogueQuery {\n    customers {\n      id\n    }\n    products {\n      sku\n    }\n  }\n": types.BulkGenerator_CatalogueQueryDocument,
    "\n  mutation BulkGenerator_CreateOrderMutation($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      id\n    }\n  }\n": types.BulkGenerator_CreateOrderMutationDocument,
    "\n  query CreateOrderForm_CatalogueQuery {\n    customers {\n      id\n      name\n      email\n    }\n    products {\n      sku\n      name\n      price\n      stock\n    }\n  }\n": types.CreateOrderForm_CatalogueQueryDocument,
    "\n  mutation CreateOrderForm_CreateOrderMutation($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      ...OrderTable_Order\n    }\n  }\n": types.CreateOrderForm_CreateOrderMutationDocument,
    "\n  fragment OrderDetailDrawer_Order on Order {\n    id\n    orderNumber\n    status\n    version\n    quantity\n    total\n    attempts\n    error\n    createdAt\n    updatedAt\n    customer {\n      id\n      name\n      email\n    }\n    product {\n      sku\n      name\n      price\n    }\n    history {\n      version\n      status\n      previousStatus\n      at\n      error\n    }\n  }\n": types.OrderDetailDrawer_OrderFragmentDoc,
    "\n  query OrderDetailDrawer_OrderQuery($id: ID!) {\n    order(id: $id) {\n      ...OrderDetailDrawer_Order\n    }\n  }\n": types.OrderDetailDrawer_OrderQueryDocument,
    "\n  subscription OrderDetailDrawer_OrderUpdatedSubscription($id: ID!) {\n    orderUpdated(id: $id) {\n      ...OrderDetailDrawer_Order\n    }\n  }\n": types.OrderDetailDrawer_OrderUpdatedSubscriptionDocument,
    "\n  mutation OrderDetailDrawer_RetryOrderMutation($id: ID!) {\n    retryOrder(id: $id) {\n      ...OrderDetailDrawer_Order\n      ...OrderTable_Order\n    }\n  }\n": types.OrderDetailDrawer_RetryOrderMutationDocument,
    "\n  fragment OrderTable_Order on Order {\n    id\n    orderNumber\n    quantity\n    total\n    status\n    version\n    error\n    createdAt\n    processedAt\n    failedAt\n    customer {\n      id\n      name\n    }\n    product {\n      sku\n      name\n    }\n  }\n": types.OrderTable_OrderFragmentDoc,
    "\n  query OrderTable_OrdersQuery($first: Int!, $after: String, $status: [OrderStatus!]) {\n    orders(first: $first, after: $after, status: $status) {\n      totalCount\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      edges {\n        cursor\n        node {\n          ...OrderTable_Order\n        }\n      }\n    }\n  }\n": types.OrderTable_OrdersQueryDocument,
    "\n  subscription OrderTable_OrderCreatedSubscription {\n    orderCreated {\n      ...OrderTable_Order\n    }\n  }\n": types.OrderTable_OrderCreatedSubscriptionDocument,
    "\n  subscription OrderTable_OrderStatusChangedSubscription {\n    orderStatusChanged {\n      previousStatus\n      status\n      version\n      order {\n        ...OrderTable_Order\n      }\n    }\n  }\n": types.OrderTable_OrderStatusChangedSubscriptionDocument,
    "\n  query DeadLetterList_DeadLettersQuery($first: Int!) {\n    deadLetters(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          reason\n          deadAt\n          topic\n          partition\n          offset\n          key\n          value\n          valueTruncated\n        }\n      }\n    }\n  }\n": types.DeadLetterList_DeadLettersQueryDocument,
    "\n  mutation DeadLetterList_RequeueMutation($id: ID!) {\n    requeueDeadLetter(id: $id) {\n      action\n      requeuedPartition\n      requeuedOffset\n    }\n  }\n": types.DeadLetterList_RequeueMutationDocument,
    "\n  mutation DeadLetterList_DiscardMutation($id: ID!) {\n    discardDeadLetter(id: $id) {\n      action\n    }\n  }\n": types.DeadLetterList_DiscardMutationDocument,
    "\n  fragment PipelinePanel_Health on PipelineHealth {\n    at\n    decisionsPerSecond\n    decisionsLastMinute\n    decisionLatencyP95Seconds\n    consumerLag {\n      total\n      partitions {\n        partition\n        lag\n      }\n    }\n    processors\n    deadLetters\n    warnings {\n      code\n      message\n    }\n  }\n": types.PipelinePanel_HealthFragmentDoc,
    "\n  query PipelinePanel_HealthQuery {\n    pipelineHealth {\n      at\n      ...PipelinePanel_Health\n    }\n  }\n": types.PipelinePanel_HealthQueryDocument,
    "\n  subscription PipelinePanel_HealthSubscription {\n    pipelineHealth {\n      at\n      ...PipelinePanel_Health\n    }\n  }\n": types.PipelinePanel_HealthSubscriptionDocument,
    "\n  fragment OrdersPerMinuteChart_OrderStats on OrderStats {\n    perMinute {\n      at\n      created\n      processed\n      failed\n    }\n  }\n": types.OrdersPerMinuteChart_OrderStatsFragmentDoc,
    "\n  fragment StatsCards_OrderStats on OrderStats {\n    at\n    total\n    pending\n    processed\n    failed\n    successRate\n    perMinute {\n      at\n      created\n    }\n  }\n": types.StatsCards_OrderStatsFragmentDoc,
    "\n  query StatsPanel_OrderStatsQuery {\n    orderStats {\n      at\n      ...StatsCards_OrderStats\n      ...OrdersPerMinuteChart_OrderStats\n    }\n  }\n": types.StatsPanel_OrderStatsQueryDocument,
    "\n  subscription StatsPanel_OrderStatsSubscription {\n    orderStats {\n      at\n      ...StatsCards_OrderStats\n      ...OrdersPerMinuteChart_OrderStats\n    }\n  }\n": types.StatsPanel_OrderStatsSubscriptionDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BulkGenerator_CatalogueQuery {\n    customers {\n      id\n    }\n    products {\n      sku\n    }\n  }\n"): (typeof documents)["\n  query BulkGenerator_CatalogueQuery {\n    customers {\n      id\n    }\n    products {\n      sku\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BulkGenerator_CreateOrderMutation($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation BulkGenerator_CreateOrderMutation($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CreateOrderForm_CatalogueQuery {\n    customers {\n      id\n      name\n      email\n    }\n    products {\n      sku\n      name\n      price\n      stock\n    }\n  }\n"): (typeof documents)["\n  query CreateOrderForm_CatalogueQuery {\n    customers {\n      id\n      name\n      email\n    }\n    products {\n      sku\n      name\n      price\n      stock\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateOrderForm_CreateOrderMutation($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      ...OrderTable_Order\n    }\n  }\n"): (typeof documents)["\n  mutation CreateOrderForm_CreateOrderMutation($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      ...OrderTable_Order\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderDetailDrawer_Order on Order {\n    id\n    orderNumber\n    status\n    version\n    quantity\n    total\n    attempts\n    error\n    createdAt\n    updatedAt\n    customer {\n      id\n      name\n      email\n    }\n    product {\n      sku\n      name\n      price\n    }\n    history {\n      version\n      status\n      previousStatus\n      at\n      error\n    }\n  }\n"): (typeof documents)["\n  fragment OrderDetailDrawer_Order on Order {\n    id\n    orderNumber\n    status\n    version\n    quantity\n    total\n    attempts\n    error\n    createdAt\n    updatedAt\n    customer {\n      id\n      name\n      email\n    }\n    product {\n      sku\n      name\n      price\n    }\n    history {\n      version\n      status\n      previousStatus\n      at\n      error\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderDetailDrawer_OrderQuery($id: ID!) {\n    order(id: $id) {\n      ...OrderDetailDrawer_Order\n    }\n  }\n"): (typeof documents)["\n  query OrderDetailDrawer_OrderQuery($id: ID!) {\n    order(id: $id) {\n      ...OrderDetailDrawer_Order\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OrderDetailDrawer_OrderUpdatedSubscription($id: ID!) {\n    orderUpdated(id: $id) {\n      ...OrderDetailDrawer_Order\n    }\n  }\n"): (typeof documents)["\n  subscription OrderDetailDrawer_OrderUpdatedSubscription($id: ID!) {\n    orderUpdated(id: $id) {\n      ...OrderDetailDrawer_Order\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OrderDetailDrawer_RetryOrderMutation($id: ID!) {\n    retryOrder(id: $id) {\n      ...OrderDetailDrawer_Order\n      ...OrderTable_Order\n    }\n  }\n"): (typeof documents)["\n  mutation OrderDetailDrawer_RetryOrderMutation($id: ID!) {\n    retryOrder(id: $id) {\n      ...OrderDetailDrawer_Order\n      ...OrderTable_Order\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderTable_Order on Order {\n    id\n    orderNumber\n    quantity\n    total\n    status\n    version\n    error\n    createdAt\n    processedAt\n    failedAt\n    customer {\n      id\n      name\n    }\n    product {\n      sku\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment OrderTable_Order on Order {\n    id\n    orderNumber\n    quantity\n    total\n    status\n    version\n    error\n    createdAt\n    processedAt\n    failedAt\n    customer {\n      id\n      name\n    }\n    product {\n      sku\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderTable_OrdersQuery($first: Int!, $after: String, $status: [OrderStatus!]) {\n    orders(first: $first, after: $after, status: $status) {\n      totalCount\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      edges {\n        cursor\n        node {\n          ...OrderTable_Order\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OrderTable_OrdersQuery($first: Int!, $after: String, $status: [OrderStatus!]) {\n    orders(first: $first, after: $after, status: $status) {\n      totalCount\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      edges {\n        cursor\n        node {\n          ...OrderTable_Order\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OrderTable_OrderCreatedSubscription {\n    orderCreated {\n      ...OrderTable_Order\n    }\n  }\n"): (typeof documents)["\n  subscription OrderTable_OrderCreatedSubscription {\n    orderCreated {\n      ...OrderTable_Order\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OrderTable_OrderStatusChangedSubscription {\n    orderStatusChanged {\n      previousStatus\n      status\n      version\n      order {\n        ...OrderTable_Order\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription OrderTable_OrderStatusChangedSubscription {\n    orderStatusChanged {\n      previousStatus\n      status\n      version\n      order {\n        ...OrderTable_Order\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DeadLetterList_DeadLettersQuery($first: Int!) {\n    deadLetters(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          reason\n          deadAt\n          topic\n          partition\n          offset\n          key\n          value\n          valueTruncated\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query DeadLetterList_DeadLettersQuery($first: Int!) {\n    deadLetters(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          reason\n          deadAt\n          topic\n          partition\n          offset\n          key\n          value\n          valueTruncated\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeadLetterList_RequeueMutation($id: ID!) {\n    requeueDeadLetter(id: $id) {\n      action\n      requeuedPartition\n      requeuedOffset\n    }\n  }\n"): (typeof documents)["\n  mutation DeadLetterList_RequeueMutation($id: ID!) {\n    requeueDeadLetter(id: $id) {\n      action\n      requeuedPartition\n      requeuedOffset\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeadLetterList_DiscardMutation($id: ID!) {\n    discardDeadLetter(id: $id) {\n      action\n    }\n  }\n"): (typeof documents)["\n  mutation DeadLetterList_DiscardMutation($id: ID!) {\n    discardDeadLetter(id: $id) {\n      action\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PipelinePanel_Health on PipelineHealth {\n    at\n    decisionsPerSecond\n    decisionsLastMinute\n    decisionLatencyP95Seconds\n    consumerLag {\n      total\n      partitions {\n        partition\n        lag\n      }\n    }\n    processors\n    deadLetters\n    warnings {\n      code\n      message\n    }\n  }\n"): (typeof documents)["\n  fragment PipelinePanel_Health on PipelineHealth {\n    at\n    decisionsPerSecond\n    decisionsLastMinute\n    decisionLatencyP95Seconds\n    consumerLag {\n      total\n      partitions {\n        partition\n        lag\n      }\n    }\n    processors\n    deadLetters\n    warnings {\n      code\n      message\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PipelinePanel_HealthQuery {\n    pipelineHealth {\n      at\n      ...PipelinePanel_Health\n    }\n  }\n"): (typeof documents)["\n  query PipelinePanel_HealthQuery {\n    pipelineHealth {\n      at\n      ...PipelinePanel_Health\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PipelinePanel_HealthSubscription {\n    pipelineHealth {\n      at\n      ...PipelinePanel_Health\n    }\n  }\n"): (typeof documents)["\n  subscription PipelinePanel_HealthSubscription {\n    pipelineHealth {\n      at\n      ...PipelinePanel_Health\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrdersPerMinuteChart_OrderStats on OrderStats {\n    perMinute {\n      at\n      created\n      processed\n      failed\n    }\n  }\n"): (typeof documents)["\n  fragment OrdersPerMinuteChart_OrderStats on OrderStats {\n    perMinute {\n      at\n      created\n      processed\n      failed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StatsCards_OrderStats on OrderStats {\n    at\n    total\n    pending\n    processed\n    failed\n    successRate\n    perMinute {\n      at\n      created\n    }\n  }\n"): (typeof documents)["\n  fragment StatsCards_OrderStats on OrderStats {\n    at\n    total\n    pending\n    processed\n    failed\n    successRate\n    perMinute {\n      at\n      created\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StatsPanel_OrderStatsQuery {\n    orderStats {\n      at\n      ...StatsCards_OrderStats\n      ...OrdersPerMinuteChart_OrderStats\n    }\n  }\n"): (typeof documents)["\n  query StatsPanel_OrderStatsQuery {\n    orderStats {\n      at\n      ...StatsCards_OrderStats\n      ...OrdersPerMinuteChart_OrderStats\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription StatsPanel_OrderStatsSubscription {\n    orderStats {\n      at\n      ...StatsCards_OrderStats\n      ...OrdersPerMinuteChart_OrderStats\n    }\n  }\n"): (typeof documents)["\n  subscription StatsPanel_OrderStatsSubscription {\n    orderStats {\n      at\n      ...StatsCards_OrderStats\n      ...OrdersPerMinuteChart_OrderStats\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;