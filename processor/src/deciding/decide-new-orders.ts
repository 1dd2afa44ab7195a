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
 * payment is asked), the payments are asked ahead through the partition's
 * window (payment-window.ts), and the run waits a moment for their answers.
 * The decisions whose answers are in are written, in order, up to the first
 * order still waiting: the rest stay in flight and are decided by a later
 * run, on the same messages fetched again. A decline gives its stock back. A
 * payment that could not be answered (the service away, the breaker open)
 * ends the run before its order: the decisions before it stand, it and the
 * ones after it are decided again later, their payments then replayed under
 * the same keys. Deciding again never charges an order whose claim says
 * otherwise: nothing but decisions changes the stock, so an order decided
 * again never has less stock than the first time it was asked.
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
import { decidablePrefix, settledOrAfter, type Ask, type PaymentWindow, type Waiting } from './payment-window.ts';
import { positionOf } from '../records/sequence.ts';
import type { ConsumedMessage } from '../kafka/consumed-message.ts';
import { changeFor } from '../records/claim-change.ts';
import { NoSuchDocumentError } from '../records/combined-writes.ts';
import { projectOntoOrder } from '../records/project-order.ts';
import { decided, type OrderHandlerDeps, type Outcome } from './handle-order-created.ts';

export interface NewOrdersDeps extends OrderHandlerDeps {
  readonly index: OrderIndex;
  /** The payments asked ahead, per partition. */
  readonly window: PaymentWindow;
}

/** The longest a run waits for its payments' answers before it writes the decisions whose answers are in. */
export const ANSWERS_WAIT_MS = 100;

/** What a run decided, and whether the message after them waits for its payment. */
export interface RunResult {
  readonly outcomes: readonly Outcome[];
  /**
   * What the first message after them waits for: its payment's answer (fetch again rather than wait
   * here, the payment still in flight), or room among the payments in flight, which these decisions
   * made (go on with the batch); false when it is the careful way's, one at a time.
   */
  readonly waiting: Waiting;
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
 * Decides the new orders at the head of `messages` whose payments have answered and resolves with their
 * outcomes, in order: a prefix, maybe empty. The caller fetches again when the order after them waits
 * for its payment, and otherwise handles the message after them one at a time. This owner's stock
 * follows only what was written; a run that fails leaves claims the careful way finds and follows.
 */
export async function decideNewOrders(deps: NewOrdersDeps, messages: readonly ConsumedMessage[]): Promise<RunResult> {
  const all = await candidatesAtHead(deps, messages);
  const first = all[0]?.message;
  if (first === undefined) return { outcomes: [], waiting: false };
  deps.window.forgetBelow(first.partition, BigInt(first.offset));
  const reservations = await reserveInTurn(deps, all);
  const asks = all.map(({ message, order }, i) =>
    reservations[i]!.kind === 'reserved' ? deps.window.ask(message, order) : undefined,
  );
  await settledOrAfter(asks, ANSWERS_WAIT_MS);
  const prefix = decidablePrefix(
    all.map(({ order }, i) => {
      const reservation = reservations[i]!;
      return reservation.kind === 'reserved'
        ? { kind: 'reserved', sku: order.sku, ask: asks[i] }
        : { kind: 'refused', sku: order.sku, behindHolds: reservation.behindHolds };
    }),
  );
  if (prefix.failure !== undefined) {
    // Asked again by whichever try decides the order next; the first order's is the caller's to retry.
    deps.window.forget(first.partition, prefix.failure.key);
    if (prefix.length === 0) throw prefix.failure.reason;
  }
  const decidable = all.slice(0, prefix.length);
  const answers = asks.slice(0, prefix.length).map((ask) => answerOf(ask));
  const decisions = await settleInTurn(deps, decidable, reservations, answers);
  const outcomes = await writeDecisions(deps, decidable, decisions);
  return { outcomes, waiting: outcomes.length === decidable.length ? prefix.waiting : false };
}

/** The answer of a settled ask; undefined for an order the stock refused (never asked). */
function answerOf(ask: Ask | undefined): PaymentAnswer | undefined {
  if (ask?.settled?.status !== 'fulfilled') return undefined;
  return ask.settled.value;
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

/** A reservation, and for a refusal whether only the holds of earlier orders of the run made the stock short. */
type RunReservation =
  | Extract<Reservation, { kind: 'reserved' }>
  | (Extract<Reservation, { kind: 'refused' }> & { readonly behindHolds: boolean });

/** Each order's reservation in turn, each against the stock the ones before it left (their payments pending). */
async function reserveInTurn(deps: NewOrdersDeps, candidates: readonly Candidate[]): Promise<RunReservation[]> {
  // Per product: the stock as written (the book), and what the run's holds so far leave of it.
  const books = new Map<string, { stock: number } | null>();
  const held = new Map<string, { stock: number } | null>();
  const reservations: RunReservation[] = [];
  for (const { order } of candidates) {
    if (!books.has(order.sku)) books.set(order.sku, await deps.stock.product(order.sku));
    const book = books.get(order.sku)!;
    const reservation = reserve(order, held.get(order.sku) ?? book);
    if (reservation.kind === 'reserved') {
      held.set(order.sku, { stock: reservation.stockAfter });
      reservations.push(reservation);
      continue;
    }
    reservations.push({ ...reservation, behindHolds: book !== null && book.stock >= order.quantity });
  }
  return reservations;
}

/**
 * The decisions once the payments answered, in turn: the stock as the authorized orders take it (from
 * what the run's decisions so far left, or the book), a declined order taking none.
 */
async function settleInTurn(
  deps: NewOrdersDeps,
  candidates: readonly Candidate[],
  reservations: readonly Reservation[],
  answers: readonly (PaymentAnswer | undefined)[],
): Promise<Decision[]> {
  const stockLeft = new Map<string, number>();
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
