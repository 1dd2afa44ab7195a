/**
 * A run of new orders from one partition, decided together: every decision
 * in memory, one after another against the stock the earlier ones left, then
 * their claims in one ordered insert and their orders in one bulk update. The
 * same writes as one message at a time (handle-order-created.ts), in two
 * round trips for the whole run instead of three per order, and the stock of
 * each product once for the run rather than once per order: on the MongoDB-wire
 * server each round trip is a transaction of its own, and a partition whose
 * messages waited for two of them each could not keep up.
 *
 * Only what is certainly a first decision runs here: a new order's event with
 * the order's fields, about an order the index knows (a server marks each
 * order there before storing it, so an event naming an order no server stored
 * goes the careful way and to the dead letters). The run ends before the first
 * message that is anything else, and before the first claim that was made
 * already: the decisions after it were made against stock that claim may
 * have taken, so they are not written, and those messages go the careful way.
 *
 * Payments: each order's stock is reserved in turn (an order the stock cannot
 * serve is FAILED and never charged; one it can holds its quantity while its
 * payment is asked), then the payments of the run are asked side by side,
 * then a decline gives its stock back. A payment that could not be answered
 * (the service away, the breaker open) ends the run before its order: the
 * decisions before it stand, it and the ones after it are decided again
 * later, their payments then replayed under the same keys. Deciding again
 * never charges an order whose claim says otherwise: nothing but decisions
 * changes the stock, so an order decided again never has more stock than the
 * first time, and one that was not charged then is not charged now.
 */
import {
  newOrder,
  parseOrderCreated,
  UnreadableEventError,
  type Order,
  type OrderIndex,
  type StatusChange,
} from '@orders/core';
import { reserve, settle, type Decision, type PaymentAnswer, type Reservation } from './decide.ts';
import { inFlight } from './in-flight.ts';
import { positionOf } from '../records/sequence.ts';
import type { ConsumedMessage } from '../kafka/consumed-message.ts';
import { changeFor } from '../records/claim-change.ts';
import { NoSuchDocumentError } from '../records/combined-writes.ts';
import { projectOntoOrder } from '../records/project-order.ts';
import { decided, type OrderHandlerDeps, type Outcome } from './handle-order-created.ts';

export interface NewOrdersDeps extends OrderHandlerDeps {
  readonly index: OrderIndex;
  /** The most payments of one partition asked at once, and the size of the slices a run is written in. */
  readonly maxInFlight: number;
}

interface Candidate {
  readonly message: ConsumedMessage;
  readonly order: Order;
}

/** The new orders at the head of `messages`, as far as the run can take them. */
async function candidatesAtHead(deps: NewOrdersDeps, messages: readonly ConsumedMessage[]): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  for (const message of messages) {
    let order;
    try {
      order = newOrder(parseOrderCreated(message.value));
    } catch (error) {
      if (error instanceof UnreadableEventError) break;
      throw error;
    }
    if (order === null) break;
    candidates.push({ message, order });
  }
  const known = await deps.index.known(candidates.map(({ order }) => order._id));
  const firstUnknown = known.indexOf(false);
  return firstUnknown === -1 ? candidates : candidates.slice(0, firstUnknown);
}

/**
 * Decides the new orders at the head of `messages` and resolves with their outcomes, in order: a prefix,
 * maybe empty. The caller handles the message after it one at a time. This owner's stock follows only
 * what was written; a run that fails leaves claims the careful way finds and follows.
 *
 * Every order's stock is reserved in turn first; then the run goes a slice of `maxInFlight` orders at a
 * time: their payments side by side, their decisions written. A slice that cannot all be written (a
 * claim made before, a payment without an answer) ends the run there, so a run of messages delivered
 * again asks for at most one slice of payments (replays) before it goes the careful way.
 */
export async function decideNewOrders(deps: NewOrdersDeps, messages: readonly ConsumedMessage[]): Promise<Outcome[]> {
  const all = await candidatesAtHead(deps, messages);
  if (all.length === 0) return [];
  const reservations = await reserveInTurn(deps, all);
  const stockLeft = new Map<string, number>();
  const outcomes: Outcome[] = [];
  for (let from = 0; from < all.length; from += deps.maxInFlight) {
    const slice = all.slice(from, from + deps.maxInFlight);
    const answers = await payAll(deps, slice, reservations.slice(from, from + slice.length));
    const unanswered = answers.findIndex((answer) => answer instanceof Error);
    // The run's first payment without an answer is the caller's to retry (the partition waits there).
    if (unanswered === 0 && outcomes.length === 0) throw answers[0];
    const payable = unanswered === -1 ? slice : slice.slice(0, unanswered);
    const decisions = await settleInTurn(deps, payable, reservations.slice(from), answers, stockLeft);
    const written = await writeDecisions(deps, payable, decisions);
    outcomes.push(...written);
    if (written.length < slice.length) break;
  }
  return outcomes;
}

/** The run's decisions written: claims in one ordered insert, the stock once per product, the orders; the outcomes of the prefix written. */
async function writeDecisions(
  deps: NewOrdersDeps,
  candidates: readonly Candidate[],
  decisions: readonly Decision[],
): Promise<Outcome[]> {
  if (candidates.length === 0) return [];
  const at = new Date();
  const changes: StatusChange[] = candidates.map(({ message, order }, i) =>
    changeFor(order, decisions[i]!, at, positionOf(message.partition, message.offset, 'decision')),
  );
  const claimed = await deps.writes.insertChangesInOrder(changes);
  // Each product's stock as the run's last claimed decision about it left it: one write per product,
  // before any of these decisions is announced, so MongoDB's stock is never behind what was decided.
  const left = new Map<string, number>();
  for (const [i, change] of changes.slice(0, claimed).entries()) {
    if (change.stockAfter !== null) left.set(candidates[i]!.order.sku, change.stockAfter);
  }
  const [projected] = await Promise.all([
    Promise.allSettled(
      candidates.slice(0, claimed).map(({ order }, i) => projectOntoOrder(deps.writes, order, changes[i]!)),
    ),
    // A stock write that fails fails the run: the careful way writes each claim's stock again.
    ...[...left].map(([sku, stock]) => deps.writes.updateProduct({ _id: sku, update: { $set: { stock } } })),
  ]);
  await releaseGhostStock(deps, candidates, changes, projected, left);
  const outcomes: Outcome[] = [];
  for (const [i, result] of projected.entries()) {
    // Not written (the database away), or an order MongoDB does not hold: the careful way takes over
    // here, finds the claims from this one on, and follows them (or sends the message to the dead letters).
    if (result.status === 'rejected') break;
    outcomes.push(decided(deps, candidates[i]!.order, changes[i]!, result.value, []));
  }
  return outcomes;
}

/** Each order's reservation in turn, each against the stock the ones before it left (their payments pending). */
async function reserveInTurn(deps: NewOrdersDeps, candidates: readonly Candidate[]): Promise<Reservation[]> {
  const held = new Map<string, { stock: number } | null>();
  const reservations: Reservation[] = [];
  for (const { order } of candidates) {
    if (!held.has(order.sku)) held.set(order.sku, await deps.stock.product(order.sku));
    const reservation = reserve(order, held.get(order.sku)!);
    if (reservation.kind === 'reserved') held.set(order.sku, { stock: reservation.stockAfter });
    reservations.push(reservation);
  }
  return reservations;
}

/**
 * The decisions once the payments answered, in turn: the stock as the authorized orders take it (from
 * `stockLeft`, what the run's decisions so far left, or the book), a declined order taking none.
 */
async function settleInTurn(
  deps: NewOrdersDeps,
  candidates: readonly Candidate[],
  reservations: readonly Reservation[],
  answers: readonly (PaymentAnswer | Error | undefined)[],
  stockLeft: Map<string, number>,
): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (const [i, { order }] of candidates.entries()) {
    const reservation = reservations[i]!;
    if (reservation.kind === 'refused') {
      decisions.push(reservation.decision);
      continue;
    }
    const before = stockLeft.get(order.sku) ?? (await deps.stock.product(order.sku))!.stock;
    const decision = settle({ stockAfter: before - order.quantity }, answers[i] as PaymentAnswer);
    if (decision.stockAfter !== null) stockLeft.set(order.sku, decision.stockAfter);
    decisions.push(decision);
  }
  return decisions;
}

/** Each reserved order's payment answer (an Error when it got none), side by side; undefined for an order refused. */
async function payAll(deps: NewOrdersDeps, candidates: readonly Candidate[], reservations: readonly Reservation[]) {
  const results = await inFlight(candidates, {
    limit: deps.maxInFlight,
    work: async ({ order }, i) => (reservations[i]!.kind === 'reserved' ? deps.payments.authorize(order) : undefined),
  });
  return results.map((result) =>
    result.status === 'fulfilled'
      ? result.value
      : result.reason instanceof Error
        ? result.reason
        : new Error(String(result.reason)),
  );
}

/**
 * An order the index knew and MongoDB does not hold (an event from elsewhere naming an id a server marked
 * and then failed to store): its claim goes, and the stock it took is given back to the decisions after it
 * in the run, whose claims are corrected. Those decisions stand: each had less stock than there was, so
 * none took stock that was not there.
 */
async function releaseGhostStock(
  deps: NewOrdersDeps,
  candidates: readonly Candidate[],
  changes: StatusChange[],
  projected: readonly PromiseSettledResult<unknown>[],
  written: ReadonlyMap<string, number>,
): Promise<void> {
  const released = new Map<string, number>();
  for (const [i, result] of projected.entries()) {
    const { order } = candidates[i]!;
    const change = changes[i]!;
    if (result.status === 'rejected' && result.reason instanceof NoSuchDocumentError) {
      await deps.writes.removeChange(change._id);
      if (change.stockAfter !== null) released.set(order.sku, (released.get(order.sku) ?? 0) + order.quantity);
      continue;
    }
    const back = released.get(order.sku);
    if (back === undefined || change.stockAfter === null) continue;
    changes[i] = { ...change, stockAfter: change.stockAfter + back };
    await deps.models.StatusChange.updateOne({ _id: change._id }, { $set: { stockAfter: change.stockAfter + back } });
  }
  for (const [sku, back] of released) {
    const stock = (written.get(sku) ?? 0) + back;
    await deps.writes.updateProduct({ _id: sku, update: { $set: { stock } } });
  }
}
