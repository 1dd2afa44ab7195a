/** Random but plausible order input, for the form's "Generate random values" and the bulk generator. */
import { Faker, base } from '@faker-js/faker';

// Only numbers and picks are needed: the locale-free base keeps the names and words of every locale out of the bundle.
const faker = new Faker({ locale: base });

export interface RandomOrderInput {
  customerId: string;
  sku: string;
  quantity: number;
}

export function randomOrderInput(
  customers: readonly { id: string }[],
  products: readonly { sku: string }[],
): RandomOrderInput {
  return {
    customerId: faker.helpers.arrayElement(customers).id,
    sku: faker.helpers.arrayElement(products).sku,
    // Mostly small orders, now and then a large one.
    quantity: faker.helpers.weightedArrayElement([
      { weight: 8, value: faker.number.int({ min: 1, max: 5 }) },
      { weight: 2, value: faker.number.int({ min: 6, max: 40 }) },
    ]),
  };
}

/** A key for createOrder's idempotencyKey; crypto.randomUUID is missing outside secure contexts. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
