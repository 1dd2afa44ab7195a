import { describe, expect, it } from 'vitest';
import type { Models } from '@orders/core';
import { CatalogueCache } from './catalogue-cache.ts';

/** Models whose findById(...).lean() answers from a table and counts the reads. */
function countingModels(table: Record<string, { _id: string; price?: number }>) {
  const reads: string[] = [];
  const model = {
    findById: (id: string) => ({
      lean: () => {
        reads.push(id);
        return Promise.resolve(table[id] ?? null);
      },
    }),
  };
  return { models: { Customer: model, Product: model } as unknown as Models, reads };
}

describe('CatalogueCache', () => {
  it('reads an entry once while it is fresh, and again once it is older than the ttl', async () => {
    const { models, reads } = countingModels({ 'SKU-1': { _id: 'SKU-1', price: 5 } });
    let now = 0;
    const cache = new CatalogueCache(models, 1000, () => now);
    await cache.product('SKU-1');
    now = 999;
    expect(await cache.product('SKU-1')).toEqual({ _id: 'SKU-1', price: 5 });
    expect(reads).toEqual(['SKU-1']);
    now = 1000;
    await cache.product('SKU-1');
    expect(reads).toEqual(['SKU-1', 'SKU-1']);
  });

  it('keeps no unknown id, so one created later is found at once', async () => {
    const table: Record<string, { _id: string }> = {};
    const { models, reads } = countingModels(table);
    const cache = new CatalogueCache(models, 60_000, () => 0);
    expect(await cache.customer('cus_9')).toBeNull();
    table.cus_9 = { _id: 'cus_9' };
    expect(await cache.customer('cus_9')).toEqual({ _id: 'cus_9' });
    expect(reads).toEqual(['cus_9', 'cus_9']);
  });
});
