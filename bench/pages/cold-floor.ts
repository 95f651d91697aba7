// The floor under the ferryml cold and warm pages: the network and storage work any app must do to
// serve this bundle from this registry out of IndexedDB, with no SDK and no model run. It is what
// ferryml's page cannot go below, so `ferryml − floor` is what the SDK itself costs.
// Cold (nothing in localStorage): the registry and the pinned version's manifest go out at once,
// the files the registry lists for the version as soon as it answers; each file's SHA-256 is
// checked against the manifest; then the page is done, and the files are written to IndexedDB
// behind the answer (as ferryml defers its first write on a fresh profile).
// Warm (a hint in localStorage, as ferryml keeps one): the registry is revalidated (HTTP 304) while
// IndexedDB is opened and the files read back. `at` says when each step ended (ms since navigation
// start). `?registry=&name=&version=`, as the ferryml page gets.
import { json, publish, query, requestLog } from './cold-common.js';

interface Registry {
  models: Record<string, { files?: Record<string, string[]> }>;
}
interface Manifest {
  files: Array<{ path: string; sha256: string }>;
}

const DB = 'ferryml-bench-floor';
const HINT = 'ferryml-bench-floor';
const at: Record<string, number> = {};
const step = <T>(name: string, p: Promise<T>) => p.then((v) => ((at[name] = Math.round(performance.now())), v));

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function openDb(): Promise<IDBDatabase> {
  const r = indexedDB.open(DB, 1);
  r.onupgradeneeded = () => r.result.createObjectStore('files');
  return request(r);
}

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

publish(async () => {
  const registryUrl = query.get('registry')!;
  const name = query.get('name')!;
  const version = query.get('version')!;
  const base = new URL(`${name}/${version}/`, new URL(registryUrl, location.href)).href;
  const warm = localStorage.getItem(HINT) === version;
  at.start = Math.round(performance.now());
  const registry = step('registry', json<Registry>(registryUrl));
  if (warm) {
    const read = step('idbOpen', openDb()).then(async (d) => {
      const tx = d.transaction('files', 'readonly');
      return request(tx.objectStore('files').get(version) as IDBRequest<Record<string, ArrayBuffer> | undefined>);
    });
    const [, files] = await Promise.all([registry, step('idbRead', read)]);
    if (!files) throw new Error(`floor: the warm visit found no files for ${version} in IndexedDB`);
    return { path: 'warm', files: Object.keys(files).length, at, requests: requestLog() };
  }
  const manifest = step('manifest', json<Manifest>(`${base}manifest.json`));
  const listed = (await registry).models[name]?.files?.[version];
  if (!listed) throw new Error(`floor: ${registryUrl} lists no files for ${name}@${version}`);
  const bodies = await step(
    'files',
    Promise.all(
      listed.map(async (path) => {
        const r = await fetch(`${base}${path}`);
        if (!r.ok) throw new Error(`${base}${path}: HTTP ${r.status}`);
        return [path, await r.arrayBuffer()] as const;
      }),
    ),
  );
  const m = await manifest;
  await step(
    'verify',
    Promise.all(
      bodies.map(async ([path, bytes]) => {
        const want = m.files.find((f) => f.path === path)?.sha256;
        if (hex(await crypto.subtle.digest('SHA-256', bytes)) !== want) throw new Error(`floor: ${path} does not match the manifest's sha256`);
      }),
    ),
  );
  void store(version, bodies);
  return { path: 'cold', files: bodies.length, at, requests: requestLog() };
});

/** The cold visit's write, behind its answer; the warm visit finds the files and the hint. */
async function store(version: string, bodies: ReadonlyArray<readonly [string, ArrayBuffer]>): Promise<void> {
  const d = await openDb();
  const tx = d.transaction('files', 'readwrite');
  tx.objectStore('files').put(Object.fromEntries(bodies), version);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
  });
  localStorage.setItem(HINT, version);
}
