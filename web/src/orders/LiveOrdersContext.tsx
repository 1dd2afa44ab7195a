/**
 * Shares the live order list between the table that shows it and the forms
 * that add to it (optimistic rows, mutation answers). The state lives in one
 * reducer, `liveOrdersReducer`; its filter comes from the URL. State and
 * dispatch are two contexts, so that a form that only dispatches does not
 * re-render with every live event.
 */
import { createContext, useContext, useEffect, useReducer, type Dispatch, type ReactNode } from 'react';
import { initialLiveOrders, liveOrdersReducer, type LiveOrdersAction, type LiveOrdersState } from './live-orders.ts';
import type { StatusFilter } from './status-filter.ts';

const StateContext = createContext<LiveOrdersState | null>(null);
const DispatchContext = createContext<Dispatch<LiveOrdersAction> | null>(null);

export function LiveOrdersProvider({ filter, children }: { filter: StatusFilter; children: ReactNode }) {
  const [state, dispatch] = useReducer(liveOrdersReducer, filter, initialLiveOrders);
  useEffect(() => {
    if (state.filter !== filter) dispatch({ type: 'reset', filter });
  }, [filter, state.filter]);
  return (
    <DispatchContext.Provider value={dispatch}>
      <StateContext.Provider value={state}>{children}</StateContext.Provider>
    </DispatchContext.Provider>
  );
}

/** The live order list. */
export function useLiveOrdersState(): LiveOrdersState {
  const state = useContext(StateContext);
  if (!state) throw new Error('useLiveOrdersState needs a <LiveOrdersProvider> above it');
  return state;
}

/** Changes the live order list: optimistic rows, mutation answers, pages and events. */
export function useLiveOrdersDispatch(): Dispatch<LiveOrdersAction> {
  const dispatch = useContext(DispatchContext);
  if (!dispatch) throw new Error('useLiveOrdersDispatch needs a <LiveOrdersProvider> above it');
  return dispatch;
}
