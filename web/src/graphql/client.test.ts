import { describe, expect, it } from 'vitest';
import { graphqlEndpoints } from './client.ts';

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
