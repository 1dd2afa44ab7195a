import { describe, expect, it } from 'vitest';
import { fieldOfInvalidVariable } from './input-errors.ts';

describe('fieldOfInvalidVariable', () => {
  it('names the last step of the path at fault inside an input', () => {
    const message =
      'Variable "$input" got invalid value { $gt: "" } at "input.sku"; String cannot represent a non string value';
    expect(fieldOfInvalidVariable(message)).toBe('sku');
  });

  it('names a field of a list element without its index', () => {
    expect(fieldOfInvalidVariable('Variable "$inputs" got invalid value -1 at "inputs[2].quantity"; Int ...')).toBe(
      'quantity',
    );
  });

  it('names the field an input type does not define', () => {
    const message =
      'Variable "$input" got invalid value { discount: 100 }; Field "discount" is not defined by type "CreateOrderInput".';
    expect(fieldOfInvalidVariable(message)).toBe('discount');
  });

  it('names the variable itself when the whole value is wrong', () => {
    expect(fieldOfInvalidVariable('Variable "$id" got invalid value 5; ID cannot represent value: 5')).toBe('id');
  });

  it('leaves other errors alone', () => {
    expect(fieldOfInvalidVariable('Cannot query field "secretCost" on type "Product".')).toBeUndefined();
  });
});
