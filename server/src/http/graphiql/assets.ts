/**
 * GraphiQL's scripts, styles and editor workers, served by this server from
 * the installed @graphql-yoga/render-graphiql (the build that matches
 * graphql-yoga's version), never from a CDN: the page works offline, on an
 * air-gapped site and under a Content-Security-Policy that allows only this
 * origin. The package ships them as strings meant to be inlined (the workers
 * as blob: URLs); here each is a file of its own, so that no inline script and
 * no blob: worker is needed. Loaded on the first GraphiQL request only: the
 * bundle is 9 MB and most servers never serve the page.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Where the assets are served: a version of their content in the path, so that a browser may keep them. */
export const ASSETS_ROOT = '/graphiql/';

/** Monaco's worker labels, as GraphiQL asks for them, and the package's export for each. */
const WORKERS = { editorWorkerService: 'editorWorkerService', json: 'jsonWorker', graphql: 'graphqlWorker' } as const;

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

export interface GraphiqlAssets {
  /** `/graphiql/<version>/`: every asset's folder. */
  readonly base: string;
  readonly files: ReadonlyMap<string, Asset>;
}

/**
 * Runs in the page before GraphiQL's bundle: tells Monaco where its workers are (files of this
 * origin), then renders GraphiQL once the document is parsed, with the options the page carries
 * as JSON (a data block, which no Content-Security-Policy treats as a script).
 */
function startScript(base: string): string {
  const workers = Object.fromEntries(Object.keys(WORKERS).map((label) => [label, `${base}worker/${label}.js`]));
  return `(function () {
  var workers = ${JSON.stringify(workers)};
  self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (_moduleId, label) { return workers[label]; } };
  document.addEventListener('DOMContentLoaded', function () {
    var options = JSON.parse(document.getElementById('graphiql-options').textContent);
    YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
  });
})();
`;
}

const JS = 'text/javascript; charset=utf-8';

async function loadAssets(): Promise<GraphiqlAssets> {
  const bundle = await import('@graphql-yoga/render-graphiql/graphiql');
  const version = createHash('sha256').update(bundle.js).update(bundle.css).digest('hex').slice(0, 12);
  const base = `${ASSETS_ROOT}${version}/`;
  const favicon = /^data:([^;]+);base64,(.*)$/.exec(bundle.favicon);
  const files = new Map<string, Asset>([
    [`${base}start.js`, { type: JS, body: Buffer.from(startScript(base)) }],
    [`${base}graphiql.js`, { type: JS, body: Buffer.from(bundle.js) }],
    [`${base}graphiql.css`, { type: 'text/css; charset=utf-8', body: Buffer.from(bundle.css) }],
    ...Object.entries(WORKERS).map(
      ([label, name]) => [`${base}worker/${label}.js`, { type: JS, body: Buffer.from(bundle[name]) }] as const,
    ),
    ...(favicon
      ? [[`${base}favicon.ico`, { type: favicon[1]!, body: Buffer.from(favicon[2]!, 'base64') }] as const]
      : []),
  ]);
  return { base, files };
}

let loaded: Promise<GraphiqlAssets> | undefined;

/** The assets, read from the package once. */
export function graphiqlAssets(): Promise<GraphiqlAssets> {
  loaded ??= loadAssets().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

/** Serves `GET /graphiql/<version>/…`; true when the request was for one of them (answered, 404 for an old version). */
export function serveGraphiqlAsset(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '/').split('?')[0]!;
  if (!path.startsWith(ASSETS_ROOT) || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  void graphiqlAssets().then(
    ({ files }) => {
      const asset = files.get(path);
      if (asset === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: reload the GraphiQL page\n');
        return;
      }
      res.writeHead(200, {
        'content-type': asset.type,
        'content-length': asset.body.length,
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    },
    (error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`GraphiQL's assets could not be read: ${error instanceof Error ? error.message : String(error)}\n`);
    },
  );
  return true;
}
