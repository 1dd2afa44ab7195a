/**
 * Turns the server's answer to createOrder into messages placed next to the
 * field they concern: the server's client errors carry `extensions.code`
 * (BAD_USER_INPUT, NOT_FOUND) and `extensions.field`, the input field at fault.
 */

export const ORDER_FIELDS = ['customerId', 'sku', 'quantity'] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];

export interface FormErrors {
  readonly fields: Partial<Record<OrderField, string>>;
  /** What concerns no single field (a network failure, an unexpected error). */
  readonly form: string | null;
}

export const noFormErrors: FormErrors = { fields: {}, form: null };

/** The parts of urql's CombinedError this needs. */
export interface ErrorLike {
  readonly graphQLErrors: readonly { message: string; extensions?: Record<string, unknown> }[];
  readonly networkError?: Error | undefined;
}

const isOrderField = (value: unknown): value is OrderField => ORDER_FIELDS.includes(value as OrderField);

export function formErrorsFrom(error: ErrorLike | undefined | null): FormErrors {
  if (!error) return noFormErrors;
  const fields: Partial<Record<OrderField, string>> = {};
  const form: string[] = [];
  if (error.networkError) form.push(`Could not reach the server (${error.networkError.message}). Try again.`);
  for (const { message, extensions } of error.graphQLErrors) {
    const field = isOrderField(extensions?.field) ? extensions.field : null;
    if (field && !fields[field]) fields[field] = message;
    else form.push(message);
  }
  return { fields, form: form.length > 0 ? form.join(' ') : null };
}

/** Checks made before sending: the server checks everything again, with its own messages. */
export function checkOrderInput(input: { customerId: string; sku: string; quantity: string }): FormErrors {
  const fields: Partial<Record<OrderField, string>> = {};
  if (!input.customerId) fields.customerId = 'Choose a customer.';
  if (!input.sku) fields.sku = 'Choose a product.';
  if (!/^\s*-?\d+\s*$/.test(input.quantity)) fields.quantity = 'Enter a whole number.';
  return { fields, form: null };
}

export const hasErrors = (errors: FormErrors): boolean => errors.form !== null || Object.keys(errors.fields).length > 0;
