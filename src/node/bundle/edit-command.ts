/** Shared body of the registry-editing commands: read index.json, apply one edit, verify what it points at, write it back, print the changes. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../../errors.js';
import type { RegistryEntry } from '../../model/manifest.js';
import { keyIdOf, verifyManifestSignature } from '../../model/signature.js';
import { entryOf, readRegistry, registryPath, updateRegistry } from './registry-file.js';
import { lastSignerOf } from './registry-sign.js';
import type { CliRegistry, RegistrySigning, SigningCheck } from './registry-sign.js';
import { verifyBundleDir } from './verify.js';

/**
 * The keys a bundle's manifest must be signed by for a write: the signer, the key that signed the
 * registry before, the registry's nextKey (or the one this write names). Public keys are held for
 * the signer and next keys; the previous signer is known by key id only (its public half is not in
 * the registry), so during a rotation a manifest it signed is matched by id, and clients check it.
 */
export interface ManifestTrust {
  keys: JsonWebKey[];
  keyIds: string[];
}

/** The {@link ManifestTrust} of a write over `previous`; undefined when the registry is unsigned and stays so. */
export async function manifestTrust(previous: CliRegistry, check: SigningCheck): Promise<ManifestTrust | undefined> {
  const last = lastSignerOf(previous);
  if (!check.signer && !last) return undefined;
  const keys = [check.signer?.publicJwk, check.nextKey, previous.nextKey].filter((k): k is JsonWebKey => k !== undefined);
  const ids = [last, ...(await Promise.all(keys.map((k) => keyIdOf(k))))].filter((id): id is string => id !== undefined);
  return { keys, keyIds: [...new Set(ids)] };
}

/** Applies `edit` to `name`'s entry in `<modelsDir>/index.json`; every version it adds or points a channel at must verify first. */
export async function editRegistry(modelsDir: string, name: string, edit: (entry: RegistryEntry) => string[], signing?: RegistrySigning): Promise<number> {
  const changes = await updateRegistry(
    modelsDir,
    async (registry, check) => {
      const entry = entryOf(registry, name, registryPath(modelsDir));
      const before = { versions: [...entry.versions], channels: { ...entry.channels } };
      const changes = edit(entry);
      const trust = await manifestTrust(registry, check);
      const added = entry.versions.filter((v) => !before.versions.includes(v));
      const moved = Object.entries(entry.channels).flatMap(([channel, v]) => (before.channels[channel] === v ? [] : [v]));
      for (const v of new Set([...added, ...moved])) await requireVerified(modelsDir, name, v, trust);
      return changes;
    },
    signing,
  );
  if (signing?.key) changes.push(`index.json signed (registryVersion ${(await readRegistry(modelsDir)).registryVersion})`);
  console.log(changes.length ? changes.join('\n') : 'no change');
  return 0;
}

/**
 * Throws unless `<modelsDir>/<name>/<version>` verifies, says it is `name@version`, and, with
 * `trust`, is signed by one of its keys: a channel never points at a bundle clients would refuse.
 */
export async function requireVerified(modelsDir: string, name: string, version: string, trust?: ManifestTrust): Promise<void> {
  const dir = join(modelsDir, name, version);
  const details = { dir, name, version };
  if (!existsSync(dir)) throw new FerryError('VERSION_NOT_FOUND', `${dir} does not exist; run \`ferryml pack\` first`, { details });
  const report = await verifyBundleDir(dir);
  const { manifest } = report;
  if (report.problems.length || !manifest) {
    throw new FerryError(
      'INTEGRITY_MISMATCH',
      `${dir} does not verify:\n  ${report.problems.join('\n  ')}\nre-pack it with \`ferryml pack\` under a new version`,
      {
        details: { ...details, problems: report.problems },
      },
    );
  }
  if (manifest.name !== name || manifest.version !== version) {
    throw new FerryError(
      'MANIFEST_INVALID',
      `${dir}/manifest.json says ${manifest.name}@${manifest.version}, not ${name}@${version}: clients would refuse it; pack this version with \`ferryml pack --name ${name} --version ${version}\``,
      { details: { ...details, manifest: `${manifest.name}@${manifest.version}` } },
    );
  }
  if (!trust) return;
  const where = `${dir}/manifest.json`;
  const sig = manifest.signature;
  const key = sig ? await findKey(trust.keys, sig.keyId) : undefined;
  if (key) return verifyManifestSignature(manifest, key, where);
  if (sig && trust.keyIds.includes(sig.keyId)) return;
  throw new FerryError(
    'SIGNATURE_INVALID',
    `${where}: ${sig ? `signed by key ${sig.keyId}` : 'not signed'}, but index.json is signed (or --sign is given) and its clients trust key${trust.keyIds.length > 1 ? 's' : ''} ${trust.keyIds.join(', ')}: they would refuse ${name}@${version}; pack it with --sign using that key`,
    { details: { ...details, keyId: sig?.keyId, trusted: trust.keyIds } },
  );
}

async function findKey(keys: JsonWebKey[], keyId: string): Promise<JsonWebKey | undefined> {
  for (const k of keys) if ((await keyIdOf(k)) === keyId) return k;
  return undefined;
}
