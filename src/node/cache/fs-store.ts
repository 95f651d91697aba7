/**
 * The file-system {@link KvStore}, for server runtimes without IndexedDB or the Cache API (Node,
 * Bun; Deno too): one directory per database, `node:fs` only (all three provide it).
 *   <dir>/blobs/<sha256>        a file's bytes, content-addressed (`blob:<sha256>` keys)
 *   <dir>/records/<key>.json    any other key: `{ key, value }` as JSON, byte arrays as base64
 *   <dir>/tmp/                  writes in progress
 * Every write goes to a fresh temporary file (synced), then `rename` over the target: a reader in
 * this or another process sees the old file or the new one, never half of one. A transaction's
 * writes apply after its body succeeds, one at a time in the order the body made them — the cache
 * layer puts blobs before the record naming them and deletes records before blobs (see
 * ./bundle-cache.ts), so a version appears whole or not at all. A write that fails (a full disk, a
 * file-size limit) removes its temporary file and the blobs its transaction added before any record
 * landed; what a killed process leaves is swept (tmp/) or collected by the next commit (blobs).
 * Every handle on one directory in a process shares one queue of transactions. There are no locks
 * between processes: two processes storing the same version write the same bytes under the same names, and
 * one process's blob collection racing another's commit can at worst remove a blob a new record
 * names — a miss on the next read (every read is verified again above this layer), never wrong bytes.
 */
import { Buffer } from 'node:buffer';
import { realpathSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { KvStore, KvTransaction, StorageLike } from '../../cache/kv-store.js';
import { stagedTransaction } from '../../cache/staged-transaction.js';
import { BLOB_PREFIX } from '../../cache/records.js';

const SHA = /^[0-9a-f]{64}$/;
// Longest file name most file systems take is 255 bytes; longer keys (registry URLs) are hashed.
const MAX_NAME = 200;
// Temporary files older than this are what a killed process left behind.
const STALE_TMP_MS = 10 * 60 * 1000;
// A full file system, a disk quota, a file-size limit (`ulimit -f`): the write is over quota.
const FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

const isBlobKey = (key: string) => key.startsWith(BLOB_PREFIX) && SHA.test(key.slice(BLOB_PREFIX.length));
const recordName = (key: string) => {
  const encoded = encodeURIComponent(key).replace(/\*/g, '%2A');
  return encoded.length <= MAX_NAME ? `${encoded}.json` : `~${createHash('sha256').update(key).digest('hex')}.json`;
};
const notFound = (e: unknown) => (e as { code?: string } | null)?.code === 'ENOENT';

const encode = (key: string, value: unknown) =>
  JSON.stringify({ key, value }, (_k, v: unknown) =>
    v instanceof Uint8Array
      ? { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') }
      : v instanceof ArrayBuffer
        ? { $bytes: Buffer.from(v).toString('base64') }
        : v,
  );
const decode = (text: string) =>
  JSON.parse(text, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && typeof (v as { $bytes?: unknown }).$bytes === 'string'
      ? new Uint8Array(Buffer.from((v as { $bytes: string }).$bytes, 'base64'))
      : v,
  ) as { key: string; value: unknown };

const toBytes = (value: unknown): Uint8Array | undefined =>
  value instanceof Uint8Array ? value : value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;

/** Options of {@link createFsStore}. */
export interface FsStoreOptions {
  /** The quota this handle's `storage.estimate()` reports (eviction itself follows `cache.maxBytes`). @default the free space of the file system plus what the cache uses */
  quota?: number;
}

/** What every handle on one directory in this process shares: one queue, so their transactions never interleave. */
interface Directory {
  queue: Promise<void>;
  ready?: Promise<void> | undefined;
  /** When tmp/ was last swept (ms). */
  swept: number;
}
const directories = new Map<string, Directory>();

/**
 * `dir` as an absolute path with symbolic links resolved — the name one directory has however it is
 * spelled. It may not exist yet: the real path of its nearest existing ancestor, then the rest.
 */
export function realDir(dir: string): string {
  const rest: string[] = [];
  for (let head = resolve(dir); ;) {
    try {
      return join(realpathSync(head), ...rest);
    } catch {
      const up = dirname(head);
      if (up === head) return resolve(dir);
      rest.unshift(basename(head));
      head = up;
    }
  }
}

/**
 * A KvStore in directory `dir` (created on first write); `run` rejects when the directory cannot be
 * read or written — with a `QuotaExceededError` when the disk is full. Handles on one directory
 * (however spelled) share one transaction queue; `options` are this handle's own.
 */
export function createFsStore(dir: string, options: FsStoreOptions = {}): KvStore {
  const root = realDir(dir);
  const blobs = join(root, 'blobs');
  const records = join(root, 'records');
  const tmp = join(root, 'tmp');
  let shared = directories.get(root);
  if (!shared) directories.set(root, (shared = { queue: Promise.resolve(), swept: 0 }));
  const state = shared;
  // Created once per directory; a failure is forgotten so the next run tries again. tmp/ is swept
  // again every STALE_TMP_MS, so a long-running process removes what a killed one left there.
  const prepare = async () => {
    await (state.ready ??= Promise.all([mkdir(blobs, { recursive: true }), mkdir(records, { recursive: true }), mkdir(tmp, { recursive: true })]).then(
      () => undefined,
      (e: unknown) => {
        state.ready = undefined;
        throw e;
      },
    ));
    const now = Date.now();
    if (now - state.swept > STALE_TMP_MS) {
      await sweepTmp(tmp);
      state.swept = now;
    }
  };
  const pathOf = (key: string) => (isBlobKey(key) ? join(blobs, key.slice(BLOB_PREFIX.length)) : join(records, recordName(key)));

  const readKey = async (key: string): Promise<unknown> => {
    try {
      if (isBlobKey(key)) return new Uint8Array(await readFile(pathOf(key)));
      const r = decode(await readFile(pathOf(key), 'utf8'));
      // A hashed name's key is checked; an unreadable record (a torn disk, a hand edit) is a miss.
      return r.key === key ? r.value : undefined;
    } catch (e) {
      if (notFound(e) || e instanceof SyntaxError) return undefined;
      throw e;
    }
  };
  const exists = async (key: string) => {
    try {
      await stat(pathOf(key));
      return true;
    } catch (e) {
      if (notFound(e)) return false;
      throw e;
    }
  };
  /** Keys on disk starting with `prefix`. */
  const listKeys = async (prefix: string): Promise<string[]> => {
    const out: string[] = [];
    if (BLOB_PREFIX.startsWith(prefix) || prefix.startsWith(BLOB_PREFIX))
      for (const f of await readdir(blobs)) if (SHA.test(f) && `${BLOB_PREFIX}${f}`.startsWith(prefix)) out.push(`${BLOB_PREFIX}${f}`);
    if (!(prefix.startsWith(BLOB_PREFIX) && prefix.length > BLOB_PREFIX.length)) {
      for (const f of await readdir(records)) {
        if (!f.endsWith('.json')) continue;
        let key: string | undefined;
        if (f.startsWith('~')) key = (await readRecordFile(join(records, f)))?.key;
        else {
          try {
            key = decodeURIComponent(f.slice(0, -'.json'.length));
          } catch {
            key = undefined;
          }
        }
        if (key !== undefined && !isBlobKey(key) && key.startsWith(prefix)) out.push(key);
      }
    }
    return out;
  };
  const write = async (key: string, value: unknown) => {
    let data: Uint8Array;
    if (isBlobKey(key)) {
      const bytes = toBytes(value);
      if (!bytes) throw new TypeError(`file-system cache: ${key} holds bytes only (got ${typeof value})`);
      data = bytes;
    } else data = Buffer.from(encode(key, value), 'utf8');
    const temp = join(tmp, `${randomUUID()}.tmp`);
    try {
      const fh = await open(temp, 'w');
      try {
        await fh.writeFile(data);
        // Synced before the rename: after a power cut the name points at whole bytes or at the old file.
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(temp, pathOf(key));
    } catch (e) {
      // Whatever failed (open, write, sync, rename), no part of this write stays in tmp/.
      await rm(temp, { force: true }).catch(() => undefined);
      throw storeError(root, `writing ${relative(root, pathOf(key))}`, e);
    }
  };
  const remove = async (key: string) => {
    try {
      await unlink(pathOf(key));
    } catch (e) {
      if (!notFound(e)) throw storeError(root, `removing ${relative(root, pathOf(key))}`, e);
    }
  };

  const storage: StorageLike = {
    async estimate() {
      await prepare();
      let usage = 0;
      for (const d of [blobs, records]) for (const f of await readdir(d)) usage += (await stat(join(d, f)).catch(() => ({ size: 0 }))).size;
      return { usage, quota: options.quota ?? usage + (await freeBytes(root)) };
    },
    // A directory on disk is not evicted by anyone but this cache's own `maxBytes`.
    persist: async () => true,
    persisted: async () => true,
  };

  /** One transaction: the body over staged writes, then its writes applied in order. */
  const transact = async <T>(mode: IDBTransactionMode, body: (tx: KvTransaction) => Promise<T>): Promise<T> => {
    await prepare();
    const { tx, writes } = stagedTransaction(mode, { read: readKey, exists, keys: listKeys });
    const out = await body(tx);
    // Blobs this transaction added that no record it wrote may name yet.
    const added: string[] = [];
    try {
      // In the order the body staged them (the last op per key), one after the other.
      for (const [k, s] of writes()) {
        if (!s) await remove(k);
        else if (!isBlobKey(k)) {
          await write(k, s.value);
          added.length = 0;
        } else {
          if (!(await exists(k))) added.push(k);
          await write(k, s.value);
        }
      }
    } catch (e) {
      // A failed commit takes back the blobs it added before its record landed (best effort: what
      // stays, the next commit's blob collection removes).
      for (const k of added) await remove(k).catch(() => undefined);
      throw e;
    }
    return out;
  };

  return {
    kind: 'file-system',
    name: root,
    storage,
    run<T>(mode: IDBTransactionMode, body: (tx: KvTransaction) => Promise<T>): Promise<T> {
      // One transaction at a time per directory, as IndexedDB orders overlapping readwrite scopes.
      const result = state.queue.then(async () => {
        try {
          return await transact(mode, body);
        } catch (e) {
          // An OS error from anywhere (creating the directory, a read, a write) names this store.
          throw osError(e) && !named.has(e) ? storeError(root, '', e) : e;
        }
      });
      state.queue = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
  };
}

const osError = (e: unknown): e is Error => e instanceof Error && /^E[A-Z0-9]+$/.test(String((e as { code?: unknown }).code));
/** Errors already naming their store. */
const named = new WeakSet<Error>();

/**
 * `e` as an error naming this store, what it did (`writing blobs/…`) and the OS error; a full disk, a
 * disk quota or a file-size limit is a `QuotaExceededError`, as IndexedDB names it (the cache status
 * then says QUOTA_EXCEEDED). The OS error stays its `cause`, its code `code`.
 */
function storeError(root: string, doing: string, e: unknown): Error {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  const full = typeof code === 'string' && FULL.has(code);
  const what = [full ? 'out of space' : '', doing].filter(Boolean).join(' ');
  const error = new Error(`file-system cache ${root}: ${what ? `${what} ` : ''}(${message})`, { cause: e });
  named.add(error);
  return Object.assign(error, { name: full ? 'QuotaExceededError' : 'Error', code });
}

async function readRecordFile(path: string): Promise<{ key: string } | undefined> {
  try {
    return decode(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Removes temporary files a killed process left behind (fresh ones may be another process's write in progress). */
async function sweepTmp(tmp: string): Promise<void> {
  const now = Date.now();
  for (const f of await readdir(tmp)) {
    const path = join(tmp, f);
    const s = await stat(path).catch(() => undefined);
    if (s && now - s.mtimeMs > STALE_TMP_MS) await rm(path, { force: true }).catch(() => undefined);
  }
}

/** Free bytes of the file system holding `dir`; `statfs` is missing in some runtimes (then: unknown, infinite). */
async function freeBytes(dir: string): Promise<number> {
  try {
    const { statfs } = fsp as { statfs?: (p: string) => Promise<{ bavail: number; bsize: number }> };
    if (!statfs) return Number.POSITIVE_INFINITY;
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
