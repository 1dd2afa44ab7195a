/** The order module: the order's type, its stored document, its conversions and what a change does to it. */
export * from './order.ts';
export * from './change.ts';
