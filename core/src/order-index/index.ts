export * from './layout.ts';
export * from './order-index.ts';
export * from './rebuild.ts';
export * from './order-cache.ts';
