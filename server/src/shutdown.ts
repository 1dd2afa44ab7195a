/**
 * Stopping in order: every step runs even if one before it failed, and what
 * failed is reported together at the end, so that one stuck part never keeps
 * the connections after it open.
 */
import type { Logger } from '@orders/core';

export type ShutdownStep = readonly [name: string, run: () => unknown];

export async function shutDownInOrder(logger: Logger, steps: readonly ShutdownStep[]): Promise<void> {
  const failed: { step: string; error: unknown }[] = [];
  for (const [name, run] of steps) {
    try {
      await run();
    } catch (error) {
      logger.warn('a shutdown step failed', { step: name, error });
      failed.push({ step: name, error });
    }
  }
  if (failed.length > 0) {
    const reasons = failed.map(
      ({ step, error }) => `${step} failed (${error instanceof Error ? error.message : String(error)})`,
    );
    throw new Error(`shutdown finished, but ${reasons.join('; ')}`);
  }
}
