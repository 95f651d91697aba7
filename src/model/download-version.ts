/**
 * Downloads one version: manifest first (parsed, signature checked before any weight byte is
 * fetched), then every listed file — reusing bytes the content-addressed cache already holds
 * (checked again), fetching the rest in parallel, each verified for size and sha256.
 * The only write here deletes cached bytes that failed their check: the caller commits only a
 * fully verified version.
 */
import { dropBlobs, readBlobs } from '../cache/bundle-cache.js';
import type { KvStore } from '../cache/kv-store.js';
import { FerryError } from '../errors.js';
import { sha256Hex } from './digest.js';
import { fetchBytes, type FetchPolicy } from './fetch-bytes.js';
import type { BundleProgress, PublicKeys } from './open-bundle-options.js';
import { parseManifest } from './parse-manifest.js';
import { verifyManifestSignature } from './signature.js';
import type { VerifiedVersion } from './verified-version.js';
import { verifyFile } from './verify-file.js';
import type { BundlePhase } from './bundle-phases.js';
import { fileUrl } from './safe-path.js';

/** What a download needs besides the URL. */
export interface DownloadContext {
  policy: FetchPolicy;
  store: KvStore | undefined;
  publicKey: PublicKeys | undefined;
  /** The name and version the registry promised; a manifest saying otherwise is rejected. */
  expect: { name?: string | undefined; version?: string | undefined };
  onProgress: (progress: BundleProgress) => void;
  /** Every blob `store` held a moment ago (../cache/early-idb.ts): when it has none of this version's, they are not read. */
  cachedShas?: ReadonlySet<string>;
  /** Marks the manifest's arrival and the first file request (./bundle-phases.ts). */
  mark?: (phase: BundlePhase) => void;
}

/** Fetches and verifies the version at `baseUrl` (a directory URL ending in `/`). */
export async function downloadVersion(baseUrl: string, ctx: DownloadContext): Promise<VerifiedVersion> {
  const manifestUrl = `${baseUrl}manifest.json`;
  const manifestBytes = await fetchBytes({ url: manifestUrl, kind: 'json', cache: 'no-cache' }, ctx.policy);
  ctx.mark?.('manifestAt');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch (cause) {
    throw new FerryError('MANIFEST_INVALID', `${manifestUrl}: not valid JSON`, { cause, details: { url: manifestUrl } });
  }
  const manifest = parseManifest(json, manifestUrl);
  const { name, version } = ctx.expect;
  if ((name !== undefined && manifest.name !== name) || (version !== undefined && manifest.version !== version)) {
    throw new FerryError(
      'MANIFEST_INVALID',
      `${manifestUrl}: the manifest is ${manifest.name}@${manifest.version}, expected ${name ?? manifest.name}@${version ?? manifest.version}; the registry and the bundle directory disagree`,
      {
        details: { url: manifestUrl, expected: { name, version }, got: { name: manifest.name, version: manifest.version } },
      },
    );
  }
  if (ctx.publicKey) await verifyManifestSignature(manifest, ctx.publicKey, manifestUrl);
  // The version's id (its manifest's sha256) is hashed while the files download, not after them.
  const id = sha256Hex(manifestBytes);
  id.catch(() => undefined);

  const total = manifest.files.reduce((n, f) => n + f.bytes, 0);
  let loaded = 0;
  const files = new Map<string, Uint8Array>();
  const cachedShas = ctx.cachedShas;
  const none = cachedShas !== undefined && !manifest.files.some((f) => cachedShas.has(f.sha256));
  const have =
    ctx.store && !none
      ? await readBlobs(
          ctx.store,
          manifest.files.map((f) => f.sha256),
        ).catch(() => new Map<string, Uint8Array>())
      : new Map<string, Uint8Array>();
  const toFetch = [];
  const corrupt: string[] = [];
  for (const f of manifest.files) {
    const bytes = have.get(f.sha256);
    if (
      bytes &&
      (await verifyFile(f, bytes, f.path).then(
        () => true,
        () => false,
      ))
    ) {
      files.set(f.path, bytes);
      loaded += f.bytes;
    } else {
      if (bytes) corrupt.push(f.sha256);
      toFetch.push(f);
    }
  }
  // A cached blob that fails its check is deleted and fetched again (the commit then stores the verified bytes).
  if (corrupt.length) await dropBlobs(ctx.store!, corrupt).catch(() => undefined);
  ctx.onProgress({ loaded, total });

  // One failed file stops the others: no point finishing a version that will be rejected.
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort(ctx.policy.signal?.reason);
  ctx.policy.signal?.addEventListener('abort', onOuterAbort);
  let downloadedBytes = 0;
  if (toFetch.length) ctx.mark?.('filesRequestedAt');
  try {
    await Promise.all(
      toFetch.map(async (f) => {
        const url = fileUrl(baseUrl, f.path);
        const bytes = await fetchBytes(
          {
            url,
            kind: f.path.endsWith('.json') ? 'json' : 'binary',
            expectedBytes: f.bytes,
            // IndexedDB is the cache: a second copy in the HTTP cache wastes quota, and a bad
            // response kept there would be served again on the next try.
            cache: 'no-store',
            onBytes: (delta) => {
              loaded += delta;
              ctx.onProgress({ loaded, total });
            },
          },
          { ...ctx.policy, signal: stop.signal },
        ).catch((error: unknown) => {
          stop.abort();
          throw error;
        });
        await verifyFile(f, bytes, url).catch((error: unknown) => {
          stop.abort();
          throw error;
        });
        downloadedBytes += bytes.byteLength;
        files.set(f.path, bytes);
      }),
    );
  } catch (error) {
    // The caller's abort wins over the follow-on ABORTED of sibling requests.
    if (ctx.policy.signal?.aborted)
      throw new FerryError('ABORTED', `${baseUrl}: aborted by the caller's signal`, { cause: ctx.policy.signal.reason, details: { url: baseUrl } });
    throw error;
  } finally {
    ctx.policy.signal?.removeEventListener('abort', onOuterAbort);
  }
  return { manifest, manifestBytes, id: await id, baseUrl, files, downloadedBytes };
}
