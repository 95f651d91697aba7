// A small static server for the demo and the benchmarks: serves the repository root with
// COOP/COEP headers (cross-origin isolation, so tfjs may load its threaded WASM build),
// correct MIME types for .wasm/.mjs, no directory listing, and no path escapes. A request that
// cannot be decoded is a 400 (never an exception: one `GET /%` used to kill `npm start`), and the
// Host header must name this machine (a foreign Host is how DNS rebinding reaches a loopback server).
// Every file carries validators (a strong ETag from size, mtime and inode, and Last-Modified) with
// `Cache-Control: no-cache`: the browser revalidates each file on every use (the registry's
// index.json must never be served stale) and a file that did not change is answered 304 without
// a body, as the static hosts and CDNs that real apps sit behind do.
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

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** The host name of a Host header, lower-cased, without its port (`[::1]:8080` → `[::1]`). */
export function hostName(header) {
  if (typeof header !== 'string' || header === '') return undefined;
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(header.trim().toLowerCase());
  return m ? m[1] : undefined;
}

/** Decodes a request path; `undefined` when it is not valid percent-encoding or not a URL. */
export function decodePath(rawUrl) {
  try {
    return decodeURIComponent(new URL(rawUrl ?? '/', 'http://x').pathname);
  } catch {
    return undefined; // URIError ("/%", "/%C0") or TypeError (an unparsable request target)
  }
}

/** A strong validator for a file: changes whenever its size, mtime or inode does. */
export function etagOf(st) {
  return `"${st.size.toString(16)}-${Math.floor(st.mtimeMs * 1000).toString(16)}-${st.ino.toString(16)}"`;
}

/**
 * Whether a GET/HEAD with these request headers may be answered 304 (RFC 9110 §13.1.2, §13.1.3):
 * If-None-Match (weak comparison, `*` matches any) decides when present; else If-Modified-Since,
 * against the file's mtime at one-second resolution (the precision of an HTTP date).
 */
export function notModified(reqHeaders, etag, mtimeMs) {
  const inm = reqHeaders['if-none-match'];
  if (typeof inm === 'string') {
    const bare = (tag) => tag.trim().replace(/^W\//, '');
    return inm.trim() === '*' || inm.split(',').some((tag) => bare(tag) === bare(etag));
  }
  const ims = reqHeaders['if-modified-since'];
  if (typeof ims !== 'string') return false;
  const since = Date.parse(ims);
  // A date that does not parse, or lies in the future, is ignored (RFC 9110 §13.1.3).
  return Number.isFinite(since) && since <= Date.now() && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

/**
 * Starts a static server. `routes` maps a URL prefix to a directory (longest prefix wins);
 * `isolate` adds COOP/COEP; `allowedHosts` lists the Host names answered (default: loopback
 * names and `host`; `true` answers any); returns the listening server.
 */
export function serveStatic({ port, host = '127.0.0.1', routes, isolate = true, index = 'index.html', allowedHosts }) {
  const table = Object.entries(routes)
    .map(([prefix, dir]) => [prefix, resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const hosts =
    allowedHosts === true ? undefined : new Set([...(allowedHosts ?? LOOPBACK_NAMES), host.includes(':') ? `[${host}]` : host].map((h) => h.toLowerCase()));
  const server = createServer((req, res) => {
    const headers = {
      'Cache-Control': 'no-cache',
      ...(isolate
        ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' }
        : {}),
    };
    const text = (status, body) => void res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
    const name = hostName(req.headers.host);
    if (hosts && (name === undefined || !hosts.has(name))) {
      return text(403, `Host "${req.headers.host ?? ''}" is not served here (allowed: ${[...hosts].join(', ')}); open the URL the server printed`);
    }
    const path = decodePath(req.url);
    if (path === undefined || path.includes('\0')) return text(400, 'bad request: the path is not valid percent-encoded UTF-8');
    const hit = table.find(([prefix]) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix));
    if (!hit) return text(404, 'not found');
    const [prefix, dir] = hit;
    let file = normalize(join(dir, path.slice(prefix.length)));
    if (file !== dir && !file.startsWith(dir + sep)) return void res.writeHead(403, headers).end('forbidden');
    try {
      if (statSync(file).isDirectory()) file = join(file, index);
      const st = statSync(file);
      const etag = etagOf(st);
      const validators = { ETag: etag, 'Last-Modified': st.mtime.toUTCString() };
      const readOnly = req.method === 'GET' || req.method === 'HEAD';
      if (readOnly && notModified(req.headers, etag, st.mtimeMs)) return void res.writeHead(304, { ...headers, ...validators }).end();
      res.writeHead(200, { ...headers, ...validators, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
    } catch {
      text(404, 'not found');
    }
  });
  // A socket error (a client resetting mid-response) must not become an uncaught exception.
  server.on('clientError', (_error, socket) => socket.destroy());
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(server));
  });
}
