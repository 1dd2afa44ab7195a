import { describe, expect, it } from 'vitest';
import { graphqlEndpoints, persistedIdOf } from './client.ts';

describe('the GraphQL endpoints', () => {
  it('are on the page’s own host, ws:// beside http://', () => {
    expect(graphqlEndpoints({ protocol: 'http:', host: 'localhost:4000' })).toEqual({
      http: 'http://localhost:4000/graphql',
      ws: 'ws://localhost:4000/graphql',
    });
  });

  it('use wss:// when the page came over https://', () => {
    expect(graphqlEndpoints({ protocol: 'https:', host: 'orders.example.com' }).ws).toBe(
      'wss://orders.example.com/graphql',
    );
  });
});

describe('the persisted document id', () => {
  it('is the hash codegen embedded in a document, the key of the same document in persisted-documents.json', async () => {
    const { BulkGenerator_CatalogueQueryDocument } = await import('../gql/graphql.ts');
    const { default: persisted } = await import('../gql/persisted-documents.json');
    const id = persistedIdOf(BulkGenerator_CatalogueQueryDocument);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((persisted as Record<string, string>)[id!]).toBe(
      'query BulkGenerator_CatalogueQuery { customers { id } products { sku } }',
    );
  });

  it('is undefined for a document codegen did not make, which then goes as text', () => {
    expect(persistedIdOf({ kind: 'Document', definitions: [] })).toBeUndefined();
  });
});
