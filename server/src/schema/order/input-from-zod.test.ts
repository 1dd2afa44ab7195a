import { GraphQLInputObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CreateOrderInput } from '../../orders/create-order.ts';
import { schema } from '../index.ts';
import { scalarOf } from './input-from-zod.ts';

describe('CreateOrderInput', () => {
  const input = schema.getType('CreateOrderInput');

  it('has exactly the fields of the zod schema createOrder checks', () => {
    expect(input).toBeInstanceOf(GraphQLInputObjectType);
    const fields = (input as GraphQLInputObjectType).getFields();
    expect(Object.keys(fields).sort()).toEqual(Object.keys(CreateOrderInput.shape).sort());
  });

  it('types each field from its zod schema, required unless the schema takes it missing', () => {
    const fields = (input as GraphQLInputObjectType).getFields();
    const types = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, String(field.type)]));
    expect(types).toEqual({ customerId: 'ID!', sku: 'String!', quantity: 'Int!', idempotencyKey: 'String' });
  });
});

describe('scalarOf', () => {
  it('reads the scalar beneath optional and nullable wrappers', () => {
    expect(scalarOf('a', z.number().int().nullish())).toBe('Int');
    expect(scalarOf('b', z.number().optional())).toBe('Float');
    expect(scalarOf('c', z.boolean().nullable())).toBe('Boolean');
  });

  it('refuses a zod type that has no GraphQL scalar, naming the field', () => {
    expect(() => scalarOf('tags', z.array(z.string()))).toThrow(/input field tags: no GraphQL scalar/);
  });
});
