/**
 * The implementation behind `bundleFromFiles` (loaded lazily in browsers, see ./bundle-from-files.ts;
 * imported directly by the Node CLI). Opens a bundle from bytes already in hand (the `ferryml predict` CLI, tests, a drag-and-drop
 * folder): every listed file is verified against the manifest exactly as a download is. No fs.
 */
import { FerryError } from '../errors.js';
import { assemble } from './assemble.js';
import { sha256Hex } from './digest.js';
import type { Manifest } from './manifest.js';
import type { PublicKeys } from './open-bundle-options.js';
import type { OpenedBundle } from './opened-bundle.js';
import { parseManifest } from './parse-manifest.js';
import { verifyManifestSignature } from './signature.js';
import { verifyFile } from './verify-file.js';

/** Options of {@link bundleFromFiles}. */
export interface BundleFromFilesOptions {
  /** Reject unsigned or badly signed manifests: one key, or a list of keys any of which may have signed. */
  publicKey?: PublicKeys;
  /** Reported as `baseUrl` and used in messages. @default "local:" */
  baseUrl?: string;
}

/** Parses `manifest.json` from `files` and checks every file it lists; returns every problem found, not just the first. */
export async function verifyBundleFiles(
  files: ReadonlyMap<string, Uint8Array>,
  where: string,
): Promise<{ manifest: Manifest; manifestBytes: Uint8Array; problems: FerryError[] }> {
  const manifestBytes = files.get('manifest.json');
  if (!manifestBytes) throw new FerryError('MANIFEST_INVALID', `${where}: no manifest.json`, { details: { url: where } });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch (cause) {
    throw new FerryError('MANIFEST_INVALID', `${where}manifest.json: not valid JSON`, { cause, details: { url: `${where}manifest.json` } });
  }
  const manifest = parseManifest(json, `${where}manifest.json`);
  const problems: FerryError[] = [];
  await Promise.all(
    manifest.files.map(async (entry) => {
      const bytes = files.get(entry.path);
      if (!bytes) {
        problems.push(
          new FerryError('INTEGRITY_MISMATCH', `${where}${entry.path}: listed in the manifest but missing`, {
            details: { url: `${where}${entry.path}`, path: entry.path, missing: true },
          }),
        );
        return;
      }
      await verifyFile(entry, bytes, `${where}${entry.path}`).catch((e: unknown) => problems.push(e as FerryError));
    }),
  );
  return { manifest, manifestBytes, problems };
}

/** A verified OpenedBundle from files in hand; see `bundleFromFiles` for the contract. */
export async function openLocalBundle(files: ReadonlyMap<string, Uint8Array>, options: BundleFromFilesOptions = {}): Promise<OpenedBundle> {
  const started = performance.now();
  const where = options.baseUrl ?? 'local:';
  const { manifest, manifestBytes, problems } = await verifyBundleFiles(files, where);
  if (problems[0]) {
    problems[0].details.problems = problems.map((p) => p.message);
    throw problems[0];
  }
  if (options.publicKey) await verifyManifestSignature(manifest, options.publicKey, `${where}manifest.json`);
  const verified = new Map(manifest.files.map((f) => [f.path, files.get(f.path)!]));
  return {
    manifest,
    id: await sha256Hex(manifestBytes),
    baseUrl: where,
    source: 'local',
    resolvedBy: 'bundle',
    downloadedBytes: 0,
    ms: performance.now() - started,
    ...assemble(manifest, verified, where),
    cache: { persisted: false, memoryOnly: true, code: 'CACHE_DISABLED', reason: 'opened from local files' },
  };
}
