/**
 * StockBook: the stock of the products this instance decides, kept in memory
 * between orders. Orders are keyed by SKU, so while this instance owns a
 * partition it is the only writer of its products' stock: the figure it last
 * wrote is the figure in MongoDB, and reading it back for every order would
 * only add a round trip. Everything is forgotten when partitions move (a
 * rebalance) and a product's entry when handling one of its orders fails, so
 * the next read comes from MongoDB.
 */
import type { Models } from '@orders/core';

export interface StockedProduct {
  readonly stock: number;
}

export class StockBook {
  private readonly known = new Map<string, StockedProduct>();

  constructor(private readonly models: Models) {}

  /** The product's stock, from memory or else from MongoDB; null for a product that does not exist. */
  async product(sku: string): Promise<StockedProduct | null> {
    const held = this.known.get(sku);
    if (held !== undefined) return held;
    const product = await this.models.Product.findById(sku, { stock: 1 }).lean();
    if (product === null) return null;
    const stocked = { stock: product.stock };
    this.known.set(sku, stocked);
    return stocked;
  }

  /** Records the stock this instance just wrote for a product. */
  reserved(sku: string, stockAfter: number): void {
    this.known.set(sku, { stock: stockAfter });
  }

  /** Forgets one product, or every product when called without one. */
  forget(sku?: string): void {
    if (sku === undefined) this.known.clear();
    else this.known.delete(sku);
  }
}
