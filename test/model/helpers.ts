// Shared helpers for the bundle and cache browser suites: fault URLs on the test server
// (test/server/faults.mjs), fresh cache databases, error assertions, and a raw look into
// IndexedDB that checks the cache holds only verified bytes.
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { createStore, entries } from 'idb-keyval';
import { isFerryError, type FerryErrorCode } from '../../src/index.js';
import { sha256Hex } from '../../src/model/digest.js';

/** Registry of the fixture bundles (test/fixtures/bundles/make.ts). */
export const FIXTURES = '/test/fixtures/bundles/models';
export const REGISTRY = `${FIXTURES}/index.json`;

let counter = 0;
/** A scope id / database name no other test uses. */
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

/** URL of `path` (under the repo root) served through the fault middleware with `spec`. */
export const fault = (spec: string, path: string) => `/__fault/${spec}${path}`;

/** Reads or changes a fault scope: `{ offline, requests: { path: count } }`. */
export async function control(scope: string, query = ''): Promise<{ offline: boolean; requests: Record<string, number> }> {
  const r = await fetch(`/__fault-control/${scope}${query ? `?${query}` : ''}`, { cache: 'no-store' });
  return r.json() as Promise<{ offline: boolean; requests: Record<string, number> }>;
}

/** Requests the server saw in `scope` for paths containing `text`. */
export async function requestCount(scope: string, text: string): Promise<number> {
  const { requests } = await control(scope);
  return Object.entries(requests)
    .filter(([p]) => p.includes(text))
    .reduce((n, [, c]) => n + c, 0);
}

/** A request the page made, as Chromium saw it, and Chromium's error when it failed. */
export interface SeenRequest {
  url: string;
  error?: string;
}

/**
 * Starts counting the page's requests to `pattern` (a path, `*` wildcards) in Chromium itself
 * (test/server/network.mjs); with `offline`, also takes the page offline as Chromium sees it:
 * `navigator.onLine` is false and those requests fail inside the browser; with `noCache`, the page's
 * requests skip the HTTP cache (so a blocked module another test file loaded is not served from it).
 */
export async function watchRequests(pattern: string, { offline = false, noCache = false } = {}): Promise<void> {
  await executeServerCommand('ferryml:network', { record: pattern, offline, noCache });
}

/** Back online (if offline); the requests seen since {@link watchRequests}, in order. */
export async function stopWatching(): Promise<SeenRequest[]> {
  return (await executeServerCommand<{ requests: SeenRequest[] }, { stop: boolean }>('ferryml:network', { stop: true })).requests;
}

/**
 * `task`'s result and the paths the page (and its workers) requested while it ran. Chromium's log
 * may trail the last response by a moment (longer on a loaded machine), so it is read 500 ms after.
 */
export async function requestsDuring<T>(task: () => Promise<T>): Promise<{ result: T; urls: string[] }> {
  await watchRequests('/*');
  try {
    const result = await task();
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { result, urls: (await stopWatching()).map((r) => new URL(r.url).pathname) };
  } catch (error) {
    await stopWatching();
    throw error;
  }
}

/** Awaits `promise`, expecting a FerryError with `code`; returns it. */
export async function expectFerryError(promise: Promise<unknown>, code: FerryErrorCode): Promise<Error & { code: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    expect(isFerryError(error), `expected a FerryError, got ${String(error)}`).to.equal(true);
    const e = error as Error & { code: string; details: Record<string, unknown> };
    expect(e.code, e.message).to.equal(code);
    return e;
  }
  throw new Error(`expected a FerryError ${code}, but it resolved`);
}

/** The fixture signing key's public JWK. */
export async function fixtureKey(): Promise<JsonWebKey> {
  return (await fetch('/test/fixtures/bundles/keys/test.pub.jwk.json')).json() as Promise<JsonWebKey>;
}

/** Raw contents of a cache database, read past the SDK with idb-keyval. */
export async function rawCache(
  dbName: string,
): Promise<{ blobs: Map<string, Uint8Array>; records: Map<string, { id: string; manifest: Uint8Array; files: Array<{ sha256: string; bytes: number }> }> }> {
  const all = await entries(createStore(dbName, 'bundles'));
  const blobs = new Map<string, Uint8Array>();
  const records = new Map<string, { id: string; manifest: Uint8Array; files: Array<{ sha256: string; bytes: number }> }>();
  for (const [key, value] of all) {
    const k = String(key);
    if (k.startsWith('blob:')) blobs.set(k.slice(5), new Uint8Array(value as ArrayBuffer));
    if (k.startsWith('bundle:')) records.set(k.slice(7), value as never);
  }
  return { blobs, records };
}

/**
 * Asserts the cache holds only verified data: every blob hashes to its key, every record's
 * manifest hashes to its id and every file it names is present with the right size.
 * @returns the record keys (`name@version`) and the number of blobs.
 */
export async function expectVerifiedCache(dbName: string): Promise<{ versions: string[]; blobs: number }> {
  const { blobs, records } = await rawCache(dbName);
  for (const [sha, bytes] of blobs) expect(await sha256Hex(bytes), `blob ${sha}`).to.equal(sha);
  for (const [key, r] of records) {
    expect(await sha256Hex(new Uint8Array(r.manifest)), `manifest of ${key}`).to.equal(r.id);
    for (const f of r.files) expect(blobs.get(f.sha256)?.byteLength, `${key} needs blob ${f.sha256}`).to.equal(f.bytes);
  }
  return { versions: [...records.keys()].sort(), blobs: blobs.size };
}
