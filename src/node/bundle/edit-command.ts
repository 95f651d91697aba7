/** Shared body of the registry-editing commands: read index.json, apply one edit, write it back, print the changes. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistryEntry } from '../../model/manifest.js';
import { entryOf, readRegistry, registryPath, updateRegistry } from './registry-file.js';
import type { RegistrySigning } from './registry-sign.js';
import { verifyBundleDir } from './verify.js';

/** Applies `edit` to `name`'s entry in `<modelsDir>/index.json`. */
export async function editRegistry(modelsDir: string, name: string, edit: (entry: RegistryEntry) => string[], signing?: RegistrySigning): Promise<number> {
  const changes = await updateRegistry(modelsDir, (registry) => edit(entryOf(registry, name, registryPath(modelsDir))), signing);
  if (signing?.key) changes.push(`index.json signed (registryVersion ${(await readRegistry(modelsDir)).registryVersion})`);
  console.log(changes.length ? changes.join('\n') : 'no change');
  return 0;
}

/** Throws unless `<modelsDir>/<name>/<version>` verifies: a channel never points at a broken bundle. */
export async function requireVerified(modelsDir: string, name: string, version: string): Promise<void> {
  const dir = join(modelsDir, name, version);
  if (!existsSync(dir)) throw new Error(`${dir} does not exist; run \`ferryml pack\` first`);
  const report = await verifyBundleDir(dir);
  if (report.problems.length) throw new Error(`${dir} does not verify:\n  ${report.problems.join('\n  ')}`);
}
