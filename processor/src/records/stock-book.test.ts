import { describe, expect, it } from 'vitest';
import type { Models } from '@orders/core';
import { StockBook } from './stock-book.ts';

/** Models whose Product.findById(...).lean() answers from a table and counts the reads. */
function products(table: Record<string, { stock: number }>) {
  const reads: string[] = [];
  const Product = {
    findById: (sku: string) => ({
      lean: () => {
        reads.push(sku);
        return Promise.resolve(table[sku] ?? null);
      },
    }),
  };
  return { models: { Product } as unknown as Models, reads };
}

describe('StockBook', () => {
  it('reads a product once, then answers with the stock this instance last wrote', async () => {
    const { models, reads } = products({ 'SKU-1': { stock: 10 } });
    const book = new StockBook(models);
    expect(await book.product('SKU-1')).toEqual({ stock: 10 });
    book.reserved('SKU-1', 7);
    expect(await book.product('SKU-1')).toEqual({ stock: 7 });
    expect(reads).toEqual(['SKU-1']);
  });

  it('reads again from MongoDB what it was told to forget, one product or all', async () => {
    const table = { 'SKU-1': { stock: 10 }, 'SKU-2': { stock: 3 } };
    const { models, reads } = products(table);
    const book = new StockBook(models);
    await book.product('SKU-1');
    await book.product('SKU-2');
    table['SKU-1'].stock = 4;
    book.forget('SKU-1');
    expect(await book.product('SKU-1')).toEqual({ stock: 4 });
    book.forget();
    await book.product('SKU-2');
    expect(reads).toEqual(['SKU-1', 'SKU-2', 'SKU-1', 'SKU-2']);
  });

  it('keeps no entry for a product that does not exist', async () => {
    const { models, reads } = products({});
    const book = new StockBook(models);
    expect(await book.product('NOPE')).toBeNull();
    expect(await book.product('NOPE')).toBeNull();
    expect(reads).toEqual(['NOPE', 'NOPE']);
  });
});
