/**
 * Shares the live order list between the table that shows it and the forms
 * that add to it (optimistic rows, mutation answers). The state lives in one
 * reducer, `liveOrdersReducer`; its filter comes from the URL.
 */
import { createContext, useContext, useEffect, useReducer, type Dispatch, type ReactNode } from 'react';
import { initialLiveOrders, liveOrdersReducer, type LiveOrdersAction, type LiveOrdersState } from './live-orders.ts';
import type { StatusFilter } from './status-filter.ts';

interface LiveOrders {
  readonly state: LiveOrdersState;
  readonly dispatch: Dispatch<LiveOrdersAction>;
}

const LiveOrdersContext = createContext<LiveOrders | null>(null);

export function LiveOrdersProvider({ filter, children }: { filter: StatusFilter; children: ReactNode }) {
  const [state, dispatch] = useReducer(liveOrdersReducer, filter, initialLiveOrders);
  useEffect(() => {
    if (state.filter !== filter) dispatch({ type: 'reset', filter });
  }, [filter, state.filter]);
  return <LiveOrdersContext.Provider value={{ state, dispatch }}>{children}</LiveOrdersContext.Provider>;
}

/** The live order list and the dispatch that changes it. */
export function useLiveOrders(): LiveOrders {
  const value = useContext(LiveOrdersContext);
  if (!value) throw new Error('useLiveOrders needs a <LiveOrdersProvider> above it');
  return value;
}
