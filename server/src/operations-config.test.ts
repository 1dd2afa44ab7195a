/** The settings of what one client's operation may ask: their defaults, and the values refused at start. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@orders/core';
import { loadConfig } from './config.ts';

/** Development: production (the default) asks for settings these tests are not about. */
const DEVELOPMENT = { NODE_ENV: 'development' };

describe('the operation settings', () => {
  it('default to 100 ids per nodes(ids:), no role restricted to persisted operations, and the dashboard’s documents', () => {
    const { operations } = loadConfig(DEVELOPMENT);
    expect(operations.nodesMaxIds).toBe(100);
    expect(operations.persistedOnlyFor).toEqual([]);
    expect(operations.persistedDocumentsFile).toMatch(/web[/\\]src[/\\]gql[/\\]persisted-documents\.json$/);
    expect(existsSync(operations.persistedDocumentsFile)).toBe(true);
  });

  it('take a list of roles to restrict, spaces and empty entries aside', () => {
    expect(
      loadConfig({ ...DEVELOPMENT, PERSISTED_OPERATIONS_ONLY: ' customer , ,operator' }).operations.persistedOnlyFor,
    ).toEqual(['customer', 'operator']);
  });

  it.each([
    ['a role that does not exist', { PERSISTED_OPERATIONS_ONLY: 'customer,admin' }, /PERSISTED_OPERATIONS_ONLY/],
    ['no ids at all', { NODES_MAX_IDS: '0' }, /NODES_MAX_IDS/],
    ['more ids than the cap allows', { NODES_MAX_IDS: '5000' }, /NODES_MAX_IDS/],
  ])('refuse %s at start, naming the setting', (_what, env, setting) => {
    let error: unknown;
    try {
      loadConfig({ ...DEVELOPMENT, ...env });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(setting);
  });
});
