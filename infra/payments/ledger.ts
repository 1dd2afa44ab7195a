/**
 * The ledger: every authorization the service answered, by id and by
 * idempotency key, kept in memory and appended to a journal file (one JSON
 * line each) before the answer goes out, so a restarted service still knows
 * every key it answered and never charges one twice. Reading it back is how
 * tests prove that an order was charged at most once.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DeclineCode } from './behaviours.ts';

export interface AuthorizationRequest {
  readonly orderId: string;
  readonly customerId: string;
  readonly amountMinor: number;
  readonly currency: string;
}

export interface Authorization extends AuthorizationRequest {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly status: 'authorized' | 'declined';
  readonly declineCode: DeclineCode | null;
  readonly createdAt: string;
}

export interface LedgerFilter {
  readonly orderId?: string;
  readonly customerId?: string;
  readonly status?: Authorization['status'];
}

/** True when a request repeats the one first made under its key: same order, customer, amount and currency. */
export function sameRequest(a: AuthorizationRequest, b: AuthorizationRequest): boolean {
  return (
    a.orderId === b.orderId &&
    a.customerId === b.customerId &&
    a.amountMinor === b.amountMinor &&
    a.currency === b.currency
  );
}

export class Ledger {
  private readonly byKey = new Map<string, Authorization>();
  private readonly byId = new Map<string, Authorization>();

  private constructor(private readonly journal: string) {}

  /** Opens the journal (made if missing) and reads back every authorization in it. */
  static open(journal: string): Ledger {
    const ledger = new Ledger(journal);
    mkdirSync(path.dirname(journal), { recursive: true });
    if (existsSync(journal)) {
      for (const line of readFileSync(journal, 'utf8').split('\n')) {
        // A line cut short by a crash mid-write was never answered: it is skipped.
        if (line.trim() === '') continue;
        try {
          ledger.remember(JSON.parse(line) as Authorization);
        } catch {
          continue;
        }
      }
    }
    return ledger;
  }

  get size(): number {
    return this.byId.size;
  }

  byIdempotencyKey(key: string): Authorization | undefined {
    return this.byKey.get(key);
  }

  find(id: string): Authorization | undefined {
    return this.byId.get(id);
  }

  /** Records an authorization: on disk first, then in memory. */
  record(authorization: Authorization): void {
    appendFileSync(this.journal, `${JSON.stringify(authorization)}\n`);
    this.remember(authorization);
  }

  entries(filter: LedgerFilter = {}): Authorization[] {
    return [...this.byId.values()].filter(
      (entry) =>
        (filter.orderId === undefined || entry.orderId === filter.orderId) &&
        (filter.customerId === undefined || entry.customerId === filter.customerId) &&
        (filter.status === undefined || entry.status === filter.status),
    );
  }

  private remember(authorization: Authorization): void {
    this.byKey.set(authorization.idempotencyKey, authorization);
    this.byId.set(authorization.id, authorization);
  }
}
