/**
 * The view's shareable state lives in the query string (`?status=FAILED&order=…`).
 * These hooks read it and write it with pushState, so Back undoes a change and a
 * reload or a shared link shows the same view.
 */
import { useCallback, useSyncExternalStore } from 'react';

const CHANGE = 'dashboard:locationchange';

function subscribe(listener: () => void): () => void {
  window.addEventListener('popstate', listener);
  window.addEventListener(CHANGE, listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener(CHANGE, listener);
  };
}

/** The current query string, e.g. "?status=FAILED". */
export function useLocationSearch(): string {
  return useSyncExternalStore(subscribe, () => window.location.search);
}

/** Replaces the query string with a new history entry and tells every reader. */
export function navigateToSearch(search: string): void {
  if (search === window.location.search) return;
  window.history.pushState(null, '', `${window.location.pathname}${search}${window.location.hash}`);
  window.dispatchEvent(new Event(CHANGE));
}

/**
 * One query-string parameter as React state.
 *
 * @example
 * const [orderId, setOrderId] = useSearchParam('order');
 * setOrderId(null); // removes ?order=
 */
export function useSearchParam(name: string): [string | null, (value: string | null) => void] {
  const search = useLocationSearch();
  const value = new URLSearchParams(search).get(name);
  const set = useCallback(
    (next: string | null) => {
      const params = new URLSearchParams(window.location.search);
      if (next === null) params.delete(name);
      else params.set(name, next);
      const query = params.toString();
      navigateToSearch(query ? `?${query}` : '');
    },
    [name],
  );
  return [value, set];
}
