/**
 * The customers and products createOrder looks up, kept in memory for a short
 * while: the catalogue changes rarely, and two database reads saved on every
 * order are two fewer round trips on the create path. Only what exists is
 * kept (an unknown id is asked again next time), and an entry is read again
 * once it is older than `ttlMs`, so a price change reaches new orders within it.
 * Requests that miss the same entry at once share one read.
 */
import type { CustomerDoc, Models, ProductDoc } from '@orders/core';

interface Entry<T> {
  readonly doc: Promise<T | null>;
  readonly until: number;
}

export class CatalogueCache {
  private readonly customers = new Map<string, Entry<CustomerDoc>>();
  private readonly products = new Map<string, Entry<ProductDoc>>();

  constructor(
    private readonly models: Models,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  customer(id: string): Promise<CustomerDoc | null> {
    return this.lookup(this.customers, id, () => this.models.Customer.findById(id).lean<CustomerDoc>());
  }

  product(sku: string): Promise<ProductDoc | null> {
    return this.lookup(this.products, sku, () => this.models.Product.findById(sku).lean<ProductDoc>());
  }

  private lookup<T>(entries: Map<string, Entry<T>>, id: string, read: () => Promise<T | null>): Promise<T | null> {
    const cached = entries.get(id);
    if (cached && cached.until > this.now()) return cached.doc;
    // Awaited once, in here: a mongoose query runs again each time it is awaited.
    const doc = (async () => read())();
    const entry = { doc, until: this.now() + this.ttlMs };
    entries.set(id, entry);
    const forget = () => {
      if (entries.get(id) === entry) entries.delete(id);
    };
    doc.then((found) => found === null && forget(), forget);
    return doc;
  }
}
