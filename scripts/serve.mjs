// A small static server for the demo and the benchmarks: serves the repository root with
// COOP/COEP headers (cross-origin isolation, so tfjs may load its threaded WASM build),
// correct MIME types for .wasm/.mjs, no directory listing, and no path escapes.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.onnx': 'application/octet-stream',
};

/**
 * Starts a static server. `routes` maps a URL prefix to a directory (longest prefix wins);
 * `isolate` adds COOP/COEP; returns the listening server.
 */
export function serveStatic({ port, host = '127.0.0.1', routes, isolate = true, index = 'index.html' }) {
  const table = Object.entries(routes)
    .map(([prefix, dir]) => [prefix, resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    const hit = table.find(([prefix]) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix));
    const headers = {
      'Cache-Control': 'no-cache',
      ...(isolate ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' } : {}),
    };
    if (!hit) return void res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
    const [prefix, dir] = hit;
    let file = normalize(join(dir, path.slice(prefix.length)));
    if (file !== dir && !file.startsWith(dir + sep)) return void res.writeHead(403, headers).end('forbidden');
    try {
      if (statSync(file).isDirectory()) file = join(file, index);
      const st = statSync(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(server));
  });
}
