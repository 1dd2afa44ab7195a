/** Serves the dashboard's production build (web/dist) at `/`, with index.html for client-side routes. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function staticFiles(root: string | undefined) {
  const available = root !== undefined && existsSync(path.join(root, 'index.html'));
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!available || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const wanted = path.normalize(path.join(root, decodeURIComponent(url.pathname)));
    if (!wanted.startsWith(root)) return false;
    const file = existsSync(wanted) && statSync(wanted).isFile() ? wanted : path.join(root, 'index.html');
    const hashed = file.includes(`${path.sep}assets${path.sep}`);
    res.writeHead(200, {
      'content-type': types[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  };
}
