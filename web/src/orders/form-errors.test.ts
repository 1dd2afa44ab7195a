import { describe, expect, it } from 'vitest';
import { checkOrderInput, formErrorsFrom, hasErrors } from './form-errors.ts';

describe("the server's errors on the create-order form", () => {
  it('puts a BAD_USER_INPUT error next to the field it names', () => {
    const errors = formErrorsFrom({
      graphQLErrors: [
        { message: 'quantity must be at most 1000', extensions: { code: 'BAD_USER_INPUT', field: 'quantity' } },
      ],
    });
    expect(errors.fields).toEqual({ quantity: 'quantity must be at most 1000' });
    expect(errors.form).toBeNull();
  });

  it('puts a NOT_FOUND customer next to the customer select', () => {
    const errors = formErrorsFrom({
      graphQLErrors: [
        { message: 'no customer with id "cus_9999"', extensions: { code: 'NOT_FOUND', field: 'customerId' } },
      ],
    });
    expect(errors.fields.customerId).toBe('no customer with id "cus_9999"');
  });

  it('puts a NOT_FOUND product next to the product select', () => {
    const errors = formErrorsFrom({
      graphQLErrors: [{ message: 'no product with sku "SKU-9"', extensions: { code: 'NOT_FOUND', field: 'sku' } }],
    });
    expect(errors.fields.sku).toBe('no product with sku "SKU-9"');
  });

  it('shows what concerns no field above the buttons', () => {
    const errors = formErrorsFrom({
      graphQLErrors: [{ message: 'Unexpected error.' }],
      networkError: new Error('Failed to fetch'),
    });
    expect(errors.fields).toEqual({});
    expect(errors.form).toContain('Could not reach the server (Failed to fetch)');
    expect(errors.form).toContain('Unexpected error.');
  });

  it('keeps an error on a field the form does not show (idempotencyKey) for the whole form', () => {
    const errors = formErrorsFrom({
      graphQLErrors: [{ message: 'key reused', extensions: { code: 'BAD_USER_INPUT', field: 'idempotencyKey' } }],
    });
    expect(errors.form).toBe('key reused');
  });
});

describe('the checks made before sending', () => {
  it('asks for a customer, a product and a whole quantity', () => {
    const errors = checkOrderInput({ customerId: '', sku: '', quantity: '1.5' });
    expect(Object.keys(errors.fields).sort()).toEqual(['customerId', 'quantity', 'sku']);
  });

  it('leaves the range of the quantity to the server', () => {
    expect(hasErrors(checkOrderInput({ customerId: 'cus_0001', sku: 'SKU-0001', quantity: '5000' }))).toBe(false);
  });
});
