/**
 * Who may do what. Operators see and do everything; a customer sees only its
 * own orders and creates orders only for itself. Every rule lives here, so
 * that resolvers and subscriptions ask the same questions.
 */
import { createGraphQLError } from 'graphql-yoga';
import type { Viewer } from '@orders/core';

export const unauthenticated = (message: string) =>
  createGraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });

export const forbidden = (message: string, field?: string) =>
  createGraphQLError(message, { extensions: { code: 'FORBIDDEN', ...(field ? { field } : {}) } });

export function requireViewer(viewer: Viewer | null): Viewer {
  if (viewer === null) throw unauthenticated('sign in: send "Authorization: Bearer <token>"');
  if (isExpired(viewer)) throw unauthenticated('the token has expired');
  return viewer;
}

export function requireOperator(viewer: Viewer | null, what: string): void {
  if (requireViewer(viewer).role !== 'operator') throw forbidden(`only an operator may ${what}`);
}

/** A resolver (or subscribe) only an operator may run; `what` says what others are refused ("read the statistics"). */
export function operatorsOnly<Root, Args, Ctx extends { viewer: Viewer | null }, Result>(
  what: string,
  resolve: (root: Root, args: Args, context: Ctx) => Result,
): (root: Root, args: Args, context: Ctx) => Result {
  return (root, args, context) => {
    requireOperator(context.viewer, what);
    return resolve(root, args, context);
  };
}

/**
 * The customer a request may concern: for an operator, the one asked for (or
 * none: every customer); for a customer, itself, and asking for another is FORBIDDEN.
 */
export function customerScope(viewer: Viewer | null, requested: string | null | undefined, field = 'customerId') {
  const checked = requireViewer(viewer);
  if (checked.role === 'operator') return requested ?? undefined;
  if (requested && requested !== checked.customerId) {
    throw forbidden(`a customer token may only concern its own customer (${checked.customerId})`, field);
  }
  return checked.customerId;
}

/** Whether the viewer may see an order (a customer, only its own). */
export function maySee(viewer: Viewer | null, order: { customerId: string }): boolean {
  if (viewer === null || isExpired(viewer)) return false;
  return viewer.role === 'operator' || viewer.customerId === order.customerId;
}

export function isExpired(viewer: Viewer, now = Date.now()): boolean {
  return viewer.expiresAt <= now;
}

/** What subscriptions of one viewer share with another's: operators share everything, a customer its own. */
export function sharingScope(viewer: Viewer | null): string {
  if (viewer === null) return 'anonymous';
  return viewer.role === 'operator' ? 'operator' : `customer:${viewer.customerId}`;
}
