/**
 * GraphiQL on /graphql for browsers, as Yoga options: the page (page.ts) with
 * its assets from this server (assets.ts), the Content-Security-Policy on it,
 * and its Authorization header. A developer on this machine (development
 * tokens on, a loopback client that reached the server as localhost) finds an
 * operator token there, so that the first query works as it is; anyone else,
 * and every production page, finds a placeholder: a token is never minted for
 * a page that may leave this machine.
 */
import type { IncomingMessage } from 'node:http';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import { signToken, type TrustedProxies } from '@orders/core';
import { localCaller } from '../local-caller.ts';
import { DEV_TOKEN_SECONDS } from '../routes.ts';
import { graphiqlAssets } from './assets.ts';
import { EXAMPLE_OPERATIONS, GRAPHIQL_CSP, renderGraphiqlPage } from './page.ts';

export interface GraphiqlSettings {
  /** Whether development tokens are served (development mode): only then may the page carry one. */
  devTokens: boolean;
  /** Signs the development token. */
  key: Uint8Array;
  trustedProxies: TrustedProxies;
}

const PLACEHOLDER = 'Bearer <a token: npm run token -- --role operator>';

/** The Authorization value the page starts with. */
async function authorization(settings: GraphiqlSettings, req: IncomingMessage | undefined): Promise<string> {
  if (!settings.devTokens || req === undefined || !localCaller(req, settings.trustedProxies).local) return PLACEHOLDER;
  const token = await signToken(settings.key, {
    role: 'operator',
    subject: 'graphiql',
    expiresInSeconds: DEV_TOKEN_SECONDS,
  });
  return `Bearer ${token}`;
}

/** Yoga's `graphiql` option: the page's options for each request (the Node request is in the server context). */
export function graphiqlOptions(settings: GraphiqlSettings) {
  return async (_request: Request, serverContext: unknown): Promise<GraphiQLOptions> => ({
    title: 'Orders GraphQL API',
    // Over SSE: its requests carry the Headers tab (and the token); GraphiQL's WebSocket would not.
    subscriptionsProtocol: 'SSE',
    defaultQuery: EXAMPLE_OPERATIONS,
    headers: JSON.stringify(
      { Authorization: await authorization(settings, (serverContext as { req?: IncomingMessage }).req) },
      null,
      2,
    ),
    // A token typed (or given) here is not written to the browser's storage.
    shouldPersistHeaders: false,
    // Its subscriptions are GET requests over SSE, which the CSRF guard refuses without this header (see yoga.ts).
    additionalHeaders: { 'x-graphql-yoga-csrf': 'graphiql' },
  });
}

/** Yoga's `renderGraphiQL` option. */
export async function renderGraphiql(options: GraphiQLOptions): Promise<string> {
  return renderGraphiqlPage(await graphiqlAssets(), options);
}

/** Puts the Content-Security-Policy on the GraphiQL page (the only HTML Yoga answers). */
export function useGraphiqlSecurityHeaders(): Plugin {
  return {
    onResponse({ response }) {
      if (!response.headers.get('content-type')?.startsWith('text/html')) return;
      response.headers.set('content-security-policy', GRAPHIQL_CSP);
      response.headers.set('x-content-type-options', 'nosniff');
      response.headers.set('referrer-policy', 'no-referrer');
    },
  };
}
