/** `models/index.json` on disk: read (an absent file is an empty registry), edit, write atomically. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../../errors.js';
import { compareVersions } from '../../model/compare-versions.js';
import type { Registry, RegistryEntry } from '../../model/manifest.js';
import { parseRegistry } from '../../model/registry.js';
import { prettyJson, readJsonFile, writeFileAtomic } from './files.js';
import { acquireLock } from './registry-lock.js';
import { checkSigning, finishRegistry } from './registry-sign.js';
import type { CliRegistry, RegistrySigning, SigningCheck } from './registry-sign.js';

/** Path of the registry inside a models directory. */
export const registryPath = (modelsDir: string) => join(modelsDir, 'index.json');

/** The registry in `modelsDir`, or an empty one when there is none yet. */
export async function readRegistry(modelsDir: string): Promise<CliRegistry> {
  const path = registryPath(modelsDir);
  if (!existsSync(path)) return { models: {} };
  return parseRegistry(await readJsonFile(path, 'registry'), path);
}

/**
 * Writes the registry with versions sorted and empty optional fields left out, its
 * `registryVersion` above the file it replaces (./registry-sign.ts), signed when `signing.key` is given.
 */
export async function writeRegistry(modelsDir: string, registry: Registry, signing?: RegistrySigning): Promise<void> {
  const models: Record<string, RegistryEntry> = {};
  for (const name of Object.keys(registry.models).sort()) {
    const e = registry.models[name]!;
    const entry: RegistryEntry = { versions: [...e.versions].sort(compareVersions), channels: e.channels };
    if (e.rollout && Object.keys(e.rollout).length) entry.rollout = e.rollout;
    if (e.revoked?.length) entry.revoked = [...e.revoked].sort(compareVersions);
    // Each listed version's file paths (clients request them beside the manifest, README "Registry format").
    const files = Object.keys(e.files ?? {})
      .filter((v) => entry.versions.includes(v))
      .sort(compareVersions);
    if (files.length) entry.files = Object.fromEntries(files.map((v) => [v, e.files![v]!]));
    models[name] = entry;
  }
  // The version on disk, not the one read earlier: two writers must not reuse a number.
  const previous = existsSync(registryPath(modelsDir)) ? await readRegistry(modelsDir) : undefined;
  const { registry: out, note } = await finishRegistry(models, previous ?? registry, signing);
  if (note) console.error(`warning: ${note}`);
  await writeFileAtomic(registryPath(modelsDir), prettyJson(out));
}

/**
 * Reads the registry, applies `change` and writes it back while holding `index.json.lock` (see
 * ./registry-lock.ts: waits up to 10 s for a live holder, takes over a stale one), so that two
 * commands editing one registry at once never lose an edit.
 */
export async function updateRegistry<T>(
  modelsDir: string,
  change: (registry: Registry, signing: SigningCheck) => T | Promise<T>,
  signing: RegistrySigning = {},
): Promise<T> {
  let release;
  try {
    release = await acquireLock(`${registryPath(modelsDir)}.lock`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new FerryError('DATA_INVALID', `${modelsDir}: no such models directory; check --models DIR / --out DIR`, {
        cause: error,
        details: { path: modelsDir },
      });
    throw error;
  }
  try {
    const registry = await readRegistry(modelsDir);
    // The signing is checked against the registry as it is now, before the change runs.
    const result = await change(registry, await checkSigning(registry, signing));
    await writeRegistry(modelsDir, registry, signing);
    return result;
  } finally {
    await release();
  }
}

/** The entry of `name`, or an error listing the models there are. */
export function entryOf(registry: Registry, name: string, path: string): RegistryEntry {
  const e = registry.models[name];
  if (!e) {
    throw new FerryError(
      'MODEL_NOT_FOUND',
      `${path}: no model "${name}" (models: ${Object.keys(registry.models).join(', ') || 'none'}); run \`ferryml pack\` first`,
      {
        details: { path, name, available: Object.keys(registry.models) },
      },
    );
  }
  return e;
}
