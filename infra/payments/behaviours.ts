/**
 * What an authorization does, chosen by its data the way payment providers'
 * test modes do it: test customers whose ids say their behaviour, amounts that
 * decline, and the catalogue customers the configuration names as declining.
 *
 * | customer id starts with | what happens                                  |
 * | ----------------------- | --------------------------------------------- |
 * | `cus_decline`           | declined, `card_declined`                     |
 * | `cus_nofunds`           | declined, `insufficient_funds`                |
 * | `cus_timeout`           | no answer until the caller gives up           |
 * | `cus_error`             | HTTP 500, nothing recorded (a retry may pass) |
 *
 * Any amount over 1,000,000.00 (100,000,000 minor units) is declined with
 * `amount_too_large`. No other amount declines: a catalogue order's total
 * never picks a behaviour by accident.
 */

export type DeclineCode = 'card_declined' | 'insufficient_funds' | 'amount_too_large';

export type Behaviour =
  | { readonly kind: 'authorize' }
  | { readonly kind: 'decline'; readonly code: DeclineCode }
  | { readonly kind: 'hang' }
  | { readonly kind: 'fail' };

export const AMOUNT_LIMIT_MINOR = 100_000_000;

export function behaviourFor(
  request: { readonly customerId: string; readonly amountMinor: number },
  decliningCustomers: readonly string[],
): Behaviour {
  const { customerId, amountMinor } = request;
  if (customerId.startsWith('cus_timeout')) return { kind: 'hang' };
  if (customerId.startsWith('cus_error')) return { kind: 'fail' };
  if (customerId.startsWith('cus_decline') || decliningCustomers.includes(customerId)) {
    return { kind: 'decline', code: 'card_declined' };
  }
  if (customerId.startsWith('cus_nofunds')) {
    return { kind: 'decline', code: 'insufficient_funds' };
  }
  if (amountMinor > AMOUNT_LIMIT_MINOR) return { kind: 'decline', code: 'amount_too_large' };
  return { kind: 'authorize' };
}
