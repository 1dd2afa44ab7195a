/**
 * The GraphiQL page: HTML that loads only this server's files (see
 * assets.ts) under a Content-Security-Policy that allows this origin alone,
 * with an example query and subscription in its first tab and, for a
 * developer on this machine, a development token in its headers.
 */
import type { GraphiQLOptions } from 'graphql-yoga';
import type { GraphiqlAssets } from './assets.ts';

/**
 * Scripts, styles, workers, images and connections from this origin only; nothing may frame the
 * page. Styles also inline: the editor (Monaco) writes its own <style> elements as it runs.
 */
export const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** What a newcomer runs first: the catalogue, and the orders as they are created. */
export const EXAMPLE_OPERATIONS = `# The Orders API. Run "Products" to read the catalogue, or "NewOrders" to see
# each order as it is created (from the dashboard, or with createOrder here).

query Products {
  products {
    sku
    name
    price
    stock
  }
}

subscription NewOrders {
  orderCreated {
    orderNumber
    customerId
    sku
    quantity
    status
  }
}
`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** JSON that can sit inside a <script> element: no "</script>" can close it early. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export function renderGraphiqlPage(assets: GraphiqlAssets, options: GraphiQLOptions): string {
  const { base } = assets;
  const favicon = assets.files.has(`${base}favicon.ico`) ? `${base}favicon.ico` : undefined;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
    ${favicon ? `<link rel="icon" href="${favicon}" />` : ''}
    <link rel="stylesheet" href="${base}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script id="graphiql-options" type="application/json">${scriptJson(options)}</script>
    <script src="${base}start.js"></script>
    <script src="${base}graphiql.js"></script>
  </body>
</html>
`;
}
