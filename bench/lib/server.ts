// The benchmark's two loopback servers:
// 1. the repository root through scripts/serve.mjs (the same static server as the demo), with
//    a transfer log: every response's status and the body bytes written, so cold-load bytes come
//    from what the server actually sent, not from file sizes we think a page needs;
// 2. a telemetry sink (POST /v1/logs → 200, CORS open) that counts what it receives, so the
//    telemetry-on variant does real fetches against a real endpoint.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveStatic } from './scripts.js';

/** One response the static server sent. */
export interface Transfer {
  path: string;
  status: number;
  bytes: number;
  /** Which log window it belongs to (see {@link TransferLog.mark}). */
  window: string;
}

/** A transfer log with named windows: mark("ort-cold") then read what was sent since. */
export interface TransferLog {
  mark(window: string): void;
  entries(window: string): Transfer[];
}

/**
 * How the static server says to cache what it sends. `revalidate` (the default, scripts/serve.mjs's
 * own): every file `no-cache`, so a warm visit revalidates each one (a 304 per file). `production`:
 * what a host sends for a bundler's build and a ferryml registry — code and wasm (content-hashed
 * file names in a real build) and the files of a version directory (immutable once published)
 * `public, max-age=31536000, immutable`, so a warm visit takes them from the HTTP cache without a
 * request; pages (.html) and registries (index.json) stay `no-cache`.
 */
export type CachePolicy = 'revalidate' | 'production';

/** Whether `path` is long-lived under the `production` policy (see {@link CachePolicy}). */
export const immutableInProduction = (path: string) => !path.endsWith('.html') && !path.endsWith('/index.json');

/** A started server and its base URL. */
export interface Started {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const closeServer = (server: Server) =>
  new Promise<void>((ok) => {
    server.closeAllConnections();
    server.close(() => ok());
  });

/**
 * Serves `routes` (URL prefix → directory) on a free loopback port without cross-origin isolation (see BENCHMARKS.md:
 * isolation makes tfjs start its threaded build, which is slower on 2 cores) and logs transfers.
 */
export async function startStatic(routes: Record<string, string>): Promise<Started & { log: TransferLog; cache: { policy: CachePolicy } }> {
  const server: Server = await serveStatic({ port: 0, routes, isolate: false });
  const all: Transfer[] = [];
  let window = 'none';
  const cache: { policy: CachePolicy } = { policy: 'revalidate' };
  // Runs before the static handler: counts the body bytes actually written to each response.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const at = window;
    let bytes = 0;
    const count = (chunk: unknown) => {
      if (typeof chunk === 'string') bytes += Buffer.byteLength(chunk);
      else if (chunk instanceof Uint8Array) bytes += chunk.byteLength;
    };
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => (count(chunk), write(chunk, ...rest))) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => (typeof chunk !== 'function' && count(chunk), end(chunk, ...rest))) as typeof res.end;
    res.on('finish', () => all.push({ path, status: res.statusCode, bytes, window: at }));
    if (cache.policy === 'production' && immutableInProduction(path)) {
      const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, unknown>) => ServerResponse;
      res.writeHead = ((status: number, headers?: Record<string, unknown>) =>
        writeHead(
          status,
          status === 200 || status === 304 ? { ...headers, 'Cache-Control': 'public, max-age=31536000, immutable' } : headers,
        )) as typeof res.writeHead;
    }
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () => closeServer(server),
    cache,
    log: {
      mark: (w) => void (window = w),
      entries: (w) => all.filter((t) => t.window === w),
    },
  };
}

/** A telemetry sink on another loopback port; `received()` is requests and bytes so far. */
export async function startSink(): Promise<Started & { received(): { requests: number; bytes: number } }> {
  let requests = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    const cors = {
      'Access-Control-Allow-Origin': req.headers.origin ?? '*',
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
      'Access-Control-Max-Age': '600',
    };
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    req.on('data', (chunk: Buffer) => void (bytes += chunk.length));
    req.on('end', () => {
      requests += 1;
      res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, close: () => closeServer(server), received: () => ({ requests, bytes }) };
}
