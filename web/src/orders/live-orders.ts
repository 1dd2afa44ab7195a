/**
 * The live order list as pure functions: pages from the `orders` query, live
 * events from subscriptions, and optimistic rows from the create form are all
 * merged here into one newest-first list that respects each order's version
 * (an older update never overwrites a newer one) and the status filter.
 * The order table keeps a `LiveOrdersState` with `liveOrdersReducer`.
 */
import type { OrderStatus, OrderTable_OrderFragment } from '../gql/graphql.ts';
import { matchesFilter, type StatusFilter } from './status-filter.ts';

export type OrderRow = Omit<OrderTable_OrderFragment, ' $fragmentName'>;

export interface LiveRow {
  readonly order: OrderRow;
  /** Where the row sits in the server's ordering, when it came from a page; rows that arrived live have none. */
  readonly cursor: string | null;
  /** Set while the row stands for a createOrder the server has not answered yet. */
  readonly optimisticKey: string | null;
}

/** Loaded rows are capped so a dashboard left open under load keeps a bounded memory. */
export const MAX_ROWS = 1000;
/** Events received while a page loads are replayed onto it; beyond this many, the oldest are dropped. */
const MAX_QUEUED = 5000;

export interface LiveOrdersState {
  readonly filter: StatusFilter;
  readonly phase: 'loading' | 'ready' | 'error';
  readonly error: string | null;
  /** Newest first, every one matching the filter. */
  readonly rows: readonly LiveRow[];
  /** How many orders match the filter on the server, kept current by live events. */
  readonly totalCount: number;
  /** Where the next older page starts; null with hasMore means "reload from the top". */
  readonly endCursor: string | null;
  readonly hasMore: boolean;
  /** While set (the operator reads an older page), new rows are counted in `held`, not inserted. */
  readonly holding: boolean;
  readonly held: number;
  /** Events received while the first page was loading, replayed when it arrives. */
  readonly queued: readonly LiveEvent[];
}

export interface OrdersPage {
  readonly rows: readonly { order: OrderRow; cursor: string }[];
  readonly totalCount: number;
  readonly endCursor: string | null;
  readonly hasMore: boolean;
}

export type LiveEvent =
  /** `orderCreated`. */
  | { readonly kind: 'created'; readonly order: OrderRow }
  /** `orderStatusChanged`: the order after the change, and the status it left. */
  | { readonly kind: 'statusChanged'; readonly order: OrderRow; readonly previousStatus: OrderStatus | null }
  /** A mutation's answer (createOrder, retryOrder). */
  | { readonly kind: 'saved'; readonly order: OrderRow };

export type LiveOrdersAction =
  /** A new filter: forget the rows and load again. */
  | { readonly type: 'reset'; readonly filter: StatusFilter }
  /**
   * `replace` for the first page (and for catching up), `append` for an older page.
   * A page asked for under another filter than the current one is dropped.
   */
  | {
      readonly type: 'pageLoaded';
      readonly filter: StatusFilter;
      readonly page: OrdersPage;
      readonly mode: 'replace' | 'append';
    }
  | { readonly type: 'pageFailed'; readonly filter: StatusFilter; readonly error: string }
  | { readonly type: 'events'; readonly events: readonly LiveEvent[] }
  | { readonly type: 'hold'; readonly holding: boolean }
  | { readonly type: 'optimisticAdded'; readonly key: string; readonly order: OrderRow }
  /** The server answered a createOrder: with the order, or with an error (null). */
  | { readonly type: 'optimisticSettled'; readonly key: string; readonly order: OrderRow | null };

export const initialLiveOrders = (filter: StatusFilter): LiveOrdersState => ({
  filter,
  phase: 'loading',
  error: null,
  rows: [],
  totalCount: 0,
  endCursor: null,
  hasMore: false,
  holding: false,
  held: 0,
  queued: [],
});

export const OPTIMISTIC_ID_PREFIX = 'optimistic:';

/** Whether the row is still a guess: the server has not named the order yet. */
export const isUnconfirmed = (row: LiveRow): boolean => row.order.id.startsWith(OPTIMISTIC_ID_PREFIX);

/** Newest first, as the server orders them: by creation time, then by id. */
export function isNewer(a: Pick<OrderRow, 'createdAt' | 'id'>, b: Pick<OrderRow, 'createdAt' | 'id'>): boolean {
  const at = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  return at !== 0 ? at > 0 : a.id > b.id;
}

export function liveOrdersReducer(state: LiveOrdersState, action: LiveOrdersAction): LiveOrdersState {
  switch (action.type) {
    case 'reset':
      return { ...initialLiveOrders(action.filter), holding: state.holding };
    case 'pageLoaded':
      if (action.filter !== state.filter) return state;
      return capRows(action.mode === 'replace' ? replaceWithPage(state, action.page) : appendPage(state, action.page));
    case 'pageFailed':
      if (action.filter !== state.filter) return state;
      return { ...state, phase: state.phase === 'ready' ? 'ready' : 'error', error: action.error };
    case 'events':
      if (state.phase !== 'ready') {
        return { ...state, queued: [...state.queued, ...action.events].slice(-MAX_QUEUED) };
      }
      return capRows(action.events.reduce(applyEvent, state));
    case 'hold':
      return action.holding === state.holding ? state : { ...state, holding: action.holding, held: 0 };
    case 'optimisticAdded':
      return addOptimistic(state, action.key, action.order);
    case 'optimisticSettled':
      return capRows(settleOptimistic(state, action.key, action.order));
  }
}

/** Applies one live event to a ready state. */
export function applyEvent(state: LiveOrdersState, event: LiveEvent): LiveOrdersState {
  const incoming = event.order;
  const index = state.rows.findIndex((row) => row.order.id === incoming.id);
  const matches = matchesFilter(incoming.status, state.filter);

  if (index >= 0) {
    const current = state.rows[index]!;
    if (current.order.version >= incoming.version) return state;
    if (!matches) {
      return { ...state, rows: without(state.rows, index), totalCount: Math.max(0, state.totalCount - 1) };
    }
    return { ...state, rows: replaced(state.rows, index, { ...current, order: incoming }) };
  }

  if (event.kind !== 'statusChanged') {
    const claimed = claimOptimisticRow(state, incoming);
    if (claimed) return claimed;
  }

  // Not loaded: it may enter the filter, or leave it from a row beyond the loaded pages.
  const wasCounted =
    event.kind === 'statusChanged' &&
    event.previousStatus !== null &&
    matchesFilter(event.previousStatus, state.filter);
  const delta = (matches ? 1 : 0) - (wasCounted ? 1 : 0);
  const counted = { ...state, totalCount: Math.max(0, state.totalCount + delta) };
  if (!matches) return counted;
  return insertRow(counted, { order: incoming, cursor: null, optimisticKey: null });
}

/** Puts a new row where it belongs, unless it lies beyond the loaded pages or the operator is holding. */
function insertRow(state: LiveOrdersState, row: LiveRow): LiveOrdersState {
  const at = state.rows.findIndex((other) => !isUnconfirmed(other) && isNewer(row.order, other.order));
  const position = at === -1 ? state.rows.length : at;
  if (position === state.rows.length && state.hasMore) return state; // an older page will bring it
  if (state.holding) return { ...state, held: state.held + 1 };
  return { ...state, rows: [...state.rows.slice(0, position), row, ...state.rows.slice(position)] };
}

function replaceWithPage(state: LiveOrdersState, page: OrdersPage): LiveOrdersState {
  const newestOnPage = page.rows[0]?.order;
  const freshIds = new Set(page.rows.map((row) => row.order.id));
  const known = new Map(state.rows.map((row) => [row.order.id, row]));

  // Rows that arrived live after the server read this page, and optimistic ones, stay on top.
  const arrivedSince = state.rows.filter(
    (row) =>
      row.optimisticKey !== null ||
      (newestOnPage !== undefined && !freshIds.has(row.order.id) && isNewer(row.order, newestOnPage)),
  );
  const fromPage: LiveRow[] = [];
  for (const { order, cursor } of page.rows) {
    const held = known.get(order.id);
    const newest = held && held.order.version > order.version ? held.order : order;
    if (matchesFilter(newest.status, state.filter)) fromPage.push({ order: newest, cursor, optimisticKey: null });
  }
  const arrivedCount = arrivedSince.filter((row) => !isUnconfirmed(row)).length;
  const loaded: LiveOrdersState = {
    ...state,
    phase: 'ready',
    error: null,
    rows: [...arrivedSince, ...fromPage],
    totalCount: page.totalCount + arrivedCount,
    endCursor: page.endCursor,
    hasMore: page.hasMore,
    held: 0,
    queued: [],
  };
  return state.queued.reduce(applyEvent, loaded);
}

function appendPage(state: LiveOrdersState, page: OrdersPage): LiveOrdersState {
  const index = new Map(state.rows.map((row, i) => [row.order.id, i]));
  let rows = [...state.rows];
  for (const { order, cursor } of page.rows) {
    const at = index.get(order.id);
    if (at === undefined) {
      if (matchesFilter(order.status, state.filter)) rows.push({ order, cursor, optimisticKey: null });
    } else if (rows[at]!.order.version < order.version) {
      rows[at] = { ...rows[at]!, order, cursor };
    }
  }
  rows = rows.filter((row) => matchesFilter(row.order.status, state.filter));
  return {
    ...state,
    phase: 'ready',
    error: null,
    rows,
    totalCount: page.totalCount,
    endCursor: page.endCursor,
    hasMore: page.hasMore,
  };
}

function addOptimistic(state: LiveOrdersState, key: string, order: OrderRow): LiveOrdersState {
  if (!matchesFilter(order.status, state.filter)) return state;
  const row: LiveRow = { order: { ...order, id: `${OPTIMISTIC_ID_PREFIX}${key}` }, cursor: null, optimisticKey: key };
  return { ...state, rows: [row, ...state.rows] };
}

/**
 * The real order for a new order event may arrive (from `orderCreated`) before
 * the mutation's answer: it takes the place of the unconfirmed row it matches.
 */
function claimOptimisticRow(state: LiveOrdersState, order: OrderRow): LiveOrdersState | null {
  let index = -1;
  for (let i = state.rows.length - 1; i >= 0; i--) {
    const row = state.rows[i]!;
    if (
      isUnconfirmed(row) &&
      row.order.customer.id === order.customer.id &&
      row.order.product.sku === order.product.sku &&
      row.order.quantity === order.quantity
    ) {
      index = i;
      break;
    }
  }
  if (index === -1) return null;
  const row = state.rows[index]!;
  if (!matchesFilter(order.status, state.filter)) {
    return { ...state, rows: without(state.rows, index) };
  }
  return {
    ...state,
    rows: replaced(state.rows, index, { ...row, order }),
    totalCount: state.totalCount + 1,
  };
}

function settleOptimistic(state: LiveOrdersState, key: string, order: OrderRow | null): LiveOrdersState {
  const index = state.rows.findIndex((row) => row.optimisticKey === key);
  if (index === -1) {
    // The row was never shown (filtered out) or is gone: the answer still counts as news.
    return order && state.phase === 'ready' ? applyEvent(state, { kind: 'saved', order }) : state;
  }
  const row = state.rows[index]!;
  if (!isUnconfirmed(row)) {
    // Already claimed by the real order's event: keep it, and take the answer if it is newer.
    const confirmed = { ...state, rows: replaced(state.rows, index, { ...row, optimisticKey: null }) };
    return order ? applyEvent(confirmed, { kind: 'saved', order }) : confirmed;
  }
  const rest = { ...state, rows: without(state.rows, index) };
  if (!order) return rest;
  if (rest.rows.some((other) => other.order.id === order.id)) return applyEvent(rest, { kind: 'saved', order });
  if (!matchesFilter(order.status, state.filter)) return rest;
  // In the unconfirmed row's place, so the operator's eye does not have to move.
  return {
    ...rest,
    rows: [...rest.rows.slice(0, index), { order, cursor: null, optimisticKey: null }, ...rest.rows.slice(index)],
    totalCount: rest.totalCount + 1,
  };
}

/**
 * Keeps at most MAX_ROWS. The next page must start right after the last kept
 * row, so the cut is made after a row that has a cursor; if none has, the
 * list will reload from the top when the operator asks for more.
 */
export function capRows(state: LiveOrdersState, max: number = MAX_ROWS): LiveOrdersState {
  if (state.rows.length <= max) return state;
  const kept = state.rows.slice(0, max);
  for (let i = kept.length - 1; i >= 0; i--) {
    const cursor = kept[i]!.cursor;
    if (cursor !== null) return { ...state, rows: kept.slice(0, i + 1), endCursor: cursor, hasMore: true };
  }
  return { ...state, rows: kept, endCursor: null, hasMore: true };
}

const without = <T>(list: readonly T[], index: number): T[] => [...list.slice(0, index), ...list.slice(index + 1)];

const replaced = <T>(list: readonly T[], index: number, value: T): T[] => {
  const copy = [...list];
  copy[index] = value;
  return copy;
};
