/**
 * Reads a cached version and checks it again before use: the manifest against the record's id,
 * every blob against the manifest, and the signature when a key is configured. A version that
 * fails is dropped from the cache and reported as a miss — the cache never serves unverified bytes.
 * When only some blobs fail their hash (bit rot on disk) or are gone (the platform evicted a Cache
 * API entry, a file was deleted), just those are deleted and the record kept: the download that
 * follows reuses the good blobs, fetches the missing or bad files and commits again. A record that
 * holds another version than the one asked for (a key written before names were escaped,
 * ../cache/records.ts) is a miss and stays: it may be another model's good copy.
 */
import { dropBlobs, dropVersions, readBlobs } from '../cache/bundle-cache.js';
import type { EarlyRead, EarlyVersion } from '../cache/early-idb.js';
import type { KvStore } from '../cache/kv-store.js';
import type { CachedBundleRecord } from '../cache/records.js';
import { isFerryError } from '../errors.js';
import { sha256Hex } from './digest.js';
import type { PublicKeys } from './open-bundle-options.js';
import { parseManifest } from './parse-manifest.js';
import { verifyManifestSignature } from './signature.js';
import { verifyFile } from './verify-file.js';
import type { VerifiedVersion } from './verified-version.js';

/**
 * The verified version, or `undefined` (with the reason in `onMiss`) when the cached copy cannot be used.
 * @param early the same record's blobs, already read with their hashes under way (../cache/early-idb.ts):
 *   checked exactly like blobs read here; a blob it lacks is read from `store`.
 * @param asked the version the caller wants (default: the one the record names); its manifest must name exactly that.
 */
export async function readCachedVersion(
  store: KvStore,
  record: CachedBundleRecord,
  publicKey: PublicKeys | undefined,
  onMiss?: (reason: string) => void,
  early?: Pick<EarlyVersion, 'blobs' | 'digests'>,
  asked: { name: string; version: string } = record,
): Promise<VerifiedVersion | undefined> {
  if (record.name !== asked.name || record.version !== asked.version) {
    onMiss?.(`${asked.name}@${asked.version}: the cached record is of ${record.name}@${record.version}`);
    return undefined;
  }
  const where = `${record.baseUrl}manifest.json (cached)`;
  // A hash the early read could not compute is computed here (a failed digest is not a corrupt file).
  const digestOf = (key: string, bytes: Uint8Array) => early?.digests.get(key)?.catch(() => sha256Hex(bytes));
  try {
    const manifestBytes = record.manifest;
    if ((await (digestOf('', manifestBytes) ?? sha256Hex(manifestBytes))) !== record.id) throw new Error('manifest bytes do not hash to the record id');
    const manifest = parseManifest(JSON.parse(new TextDecoder().decode(manifestBytes)), where);
    if (manifest.name !== record.name || manifest.version !== record.version) throw new Error(`its manifest is of ${manifest.name}@${manifest.version}`);
    if (publicKey) await verifyManifestSignature(manifest, publicKey, where);
    const shas = manifest.files.map((f) => f.sha256);
    const missing = early ? shas.filter((sha) => !early.blobs.has(sha)) : shas;
    const blobs = missing.length ? await readBlobs(store, missing) : new Map<string, Uint8Array>();
    const files = new Map<string, Uint8Array>();
    const corrupt: Array<{ sha256: string; reason: string }> = [];
    await Promise.all(
      manifest.files.map(async (f) => {
        const prefetched = early?.blobs.get(f.sha256);
        const bytes = prefetched ?? blobs.get(f.sha256);
        // A missing blob is a miss for that file alone, like a corrupt one.
        if (!bytes) return void corrupt.push({ sha256: f.sha256, reason: `blob of ${f.path} is missing` });
        try {
          await verifyFile(f, bytes, `${record.baseUrl}${f.path} (cached)`, prefetched && digestOf(f.sha256, prefetched));
        } catch (error) {
          if (!isFerryError(error)) throw error;
          corrupt.push({ sha256: f.sha256, reason: error.message });
        }
        files.set(f.path, bytes);
      }),
    );
    if (corrupt.length) {
      onMiss?.(`${record.name}@${record.version}: cached copy unusable (${corrupt.map((c) => c.reason).join('; ')})`);
      await dropBlobs(
        store,
        corrupt.map((c) => c.sha256),
      ).catch(() => undefined);
      return undefined;
    }
    return { manifest, manifestBytes, id: record.id, baseUrl: record.baseUrl, files, downloadedBytes: 0 };
  } catch (error) {
    const reason = isFerryError(error) || error instanceof Error ? error.message : String(error);
    onMiss?.(`${record.name}@${record.version}: cached copy unusable (${reason})`);
    // A signature mismatch says nothing about the bytes: keep them for callers without that key.
    if (!(isFerryError(error) && error.code === 'SIGNATURE_INVALID')) {
      await dropVersions(store, record.name, [record.version]).catch(() => undefined);
    }
    return undefined;
  }
}

/** A cached version checked while the registry was in flight: the record it was read from and the outcome. */
export interface CheckedAhead {
  record: CachedBundleRecord;
  verified: VerifiedVersion | undefined;
}

/**
 * Checks the SDK core's early read of a pinned version (../cache/early-read.ts) as soon as it and
 * the store are in, instead of after the registry's answer: the same {@link readCachedVersion}
 * (manifest against the record id, every file's size and sha256 against the manifest), only no
 * longer in series with the registry round trip. The caller uses the outcome only once the
 * registry has confirmed that very version (a revoked one is still refused), and only for the
 * record it was read from. Without a `publicKey` only: with one, the keys that verify a manifest
 * may rotate with the registry's answer. `undefined` when the early read found nothing usable
 * or names another database than `store`.
 */
export function checkEarlyRead(read: Promise<EarlyRead | undefined>, store: Promise<KvStore | undefined>): Promise<CheckedAhead | undefined> {
  return Promise.all([read, store]).then(
    async ([r, s]) => {
      const hit = r?.cached;
      if (!hit || !s || s.kind !== 'indexeddb' || s.bucket !== undefined || s.name !== r.dbName) return undefined;
      return { record: hit.record, verified: await readCachedVersion(s, hit.record, undefined, undefined, hit, r) };
    },
    () => undefined,
  );
}
