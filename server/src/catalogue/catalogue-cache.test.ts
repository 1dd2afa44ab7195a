import { describe, expect, it } from 'vitest';
import type { Models } from '@orders/core';
import { CatalogueCache } from './catalogue-cache.ts';

/** Models whose findById(...).lean() answers from a table and counts the reads. */
function countingModels(table: Record<string, { _id: string; price?: number }>) {
  const reads: string[] = [];
  const model = {
    findById: (id: string) => ({
      // Like a mongoose query: each `then` runs it again.
      lean: () => ({
        then: (resolve: (doc: unknown) => unknown, reject: (error: unknown) => unknown) => {
          reads.push(id);
          return Promise.resolve(table[id] ?? null).then(resolve, reject);
        },
      }),
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

  it('shares one read among the requests that miss the same entry at once, and keeps no failed read', async () => {
    const { models, reads } = countingModels({ 'SKU-1': { _id: 'SKU-1', price: 5 } });
    const cache = new CatalogueCache(models, 60_000, () => 0);
    const answers = await Promise.all([cache.product('SKU-1'), cache.product('SKU-1'), cache.product('SKU-1')]);
    expect(answers).toEqual([1, 2, 3].map(() => ({ _id: 'SKU-1', price: 5 })));
    expect(reads).toEqual(['SKU-1']);

    let fail = true;
    const flaky = {
      findById: () => ({
        lean: () => (fail ? Promise.reject(new Error('database down')) : Promise.resolve({ _id: 'c' })),
      }),
    };
    const failing = new CatalogueCache({ Customer: flaky } as unknown as Models, 60_000, () => 0);
    await expect(failing.customer('c')).rejects.toThrow('database down');
    fail = false;
    expect(await failing.customer('c')).toEqual({ _id: 'c' });
  });
});
