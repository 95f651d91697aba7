/**
 * The demo's service worker: makes the page itself reload offline. It precaches the page shell,
 * the page's code, tfjs and the WASM binaries at install (the build inlines the file list), and
 * answers same-origin requests network-first, falling back to that cache, so a fresh build is
 * always picked up while online.
 *
 * It deliberately leaves `/models/` alone: models reach the page offline through the SDK's own
 * IndexedDB cache, which is what the demo shows. Cross-origin requests (the collector) pass through.
 */

// The WebWorker lib cannot be combined with DOM in one tsconfig: the few service worker types used here.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
  readonly ports: readonly MessagePort[];
}
interface ServiceWorkerScope {
  readonly registration: { readonly scope: string };
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: ExtendableMessageEvent) => void): void;
}

/** What the page asks with `postMessage({ type: 'status' })` on a MessageChannel. */
export interface ShellCacheStatus {
  version: string;
  files: number;
  cached: number;
}

const sw = self as unknown as ServiceWorkerScope;
// Replaced by the build (demo/rollup.demo.mjs) with { version, files } of this build's output.
const PRECACHE = (self as unknown as { __PRECACHE__: { version: string; files: string[] } }).__PRECACHE__;
const CACHE = `ferryml-demo-${PRECACHE.version}`;
const scope = new URL(sw.registration.scope);
const shell = new URL('./', scope).href;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `reload`: bypass the HTTP cache so the precache holds exactly this build's files.
      await cache.addAll(PRECACHE.files.map((f) => new Request(new URL(f, scope), { cache: 'reload' })));
      // Where the collector is: written by `npm start`, absent on a plain static host (then telemetry stays off).
      await cache.add(new Request(config, { cache: 'reload' })).catch(() => undefined);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('ferryml-demo-') && name !== CACHE) await caches.delete(name);
      await sw.clients.claim();
    })(),
  );
});

// Only the demo's own files: another app later served on the same origin is never answered or
// cached by this worker. /models/ is not among them on purpose (see above).
const config = new URL('runtime/config.json', scope).href;
const known = new Set([...PRECACHE.files.map((f) => new URL(f, scope).pathname), new URL(config).pathname]);

/** Whether this worker answers the request; everything else goes to the network untouched. */
function handles(request: Request): boolean {
  if (request.method !== 'GET') return false;
  const url = new URL(request.url);
  return url.origin === scope.origin && known.has(url.pathname);
}

async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // Keep what the page loaded last (e.g. /runtime/config.json) for the next offline load.
    if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = (await cache.match(request, { ignoreSearch: true })) ?? (request.mode === 'navigate' ? await cache.match(shell) : undefined);
    if (cached) return cached;
    throw error;
  }
}

sw.addEventListener('fetch', (event) => {
  if (handles(event.request)) event.respondWith(networkFirst(event.request));
});

sw.addEventListener('message', (event) => {
  const port = event.ports[0];
  if (!port || (event.data as { type?: unknown } | null)?.type !== 'status') return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const cached = (await cache.keys()).length;
      const status: ShellCacheStatus = { version: PRECACHE.version, files: PRECACHE.files.length, cached };
      port.postMessage(status);
    })(),
  );
});
