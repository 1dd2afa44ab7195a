export * from './status.ts';
export * from './events.ts';
export * from './models.ts';
export * from './config.ts';
export * from './log.ts';
export * from './topics.ts';
export * from './kafka.ts';
export * from './batcher.ts';
