/**
 * The catalogue every fresh system starts with: products and customers made
 * with Faker from a fixed seed, so every machine gets the same ones. Seeding is
 * idempotent: existing documents are left as they are.
 */
import { Faker, en } from '@faker-js/faker';
import type { Models } from '@orders/core';

export const SEED = 20261124;
export const PRODUCT_COUNT = 24;
export const CUSTOMER_COUNT = 40;

export function catalogue() {
  const faker = new Faker({ locale: [en], seed: SEED });
  const products = Array.from({ length: PRODUCT_COUNT }, (_, i) => ({
    _id: `SKU-${String(i + 1).padStart(4, '0')}`,
    name: faker.commerce.productName(),
    price: Number(faker.commerce.price({ min: 5, max: 500 })),
    stock: faker.number.int({ min: 200, max: 2000 }),
  }));
  const customers = Array.from({ length: CUSTOMER_COUNT }, (_, i) => {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    return {
      _id: `cus_${String(i + 1).padStart(4, '0')}`,
      name: `${firstName} ${lastName}`,
      email: faker.internet.email({ firstName, lastName }).toLowerCase(),
    };
  });
  return { products, customers };
}

export async function seedCatalogue(models: Models): Promise<{ products: number; customers: number }> {
  const { products, customers } = catalogue();
  const [haveProducts, haveCustomers] = await Promise.all([
    models.Product.estimatedDocumentCount(),
    models.Customer.estimatedDocumentCount(),
  ]);
  // Unordered inserts skip what exists: a second server starting at once seeds nothing twice.
  const insert = async (model: Models['Product'] | Models['Customer'], docs: object[]) => {
    try {
      await (model as Models['Product']).insertMany(docs as never[], { ordered: false });
    } catch (error) {
      const writeErrors = (error as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
      if (!writeErrors?.every((e) => (e.code ?? e.err?.code) === 11000)) throw error;
    }
  };
  if (haveProducts < products.length) await insert(models.Product, products);
  if (haveCustomers < customers.length) await insert(models.Customer, customers);
  return { products: products.length, customers: customers.length };
}
