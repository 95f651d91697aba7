/**
 * `ferryml verify` as a function: check a bundle directory on disk exactly as a browser would
 * (every listed file's size and sha256, model.json's weight paths, schema and golden shape, the
 * signature when a key is given), or every version in a models directory plus the registry's
 * own consistency. Returns findings instead of printing, so tests can assert on them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../model/assemble.js';
import { verifyBundleFiles } from '../../model/open-local-bundle.js';
import type { Manifest } from '../../model/manifest.js';
import type { FerryError } from '../../errors.js';
import { verifyManifestSignature } from '../../model/signature.js';
import { verifyRegistry } from '../../model/registry-trust.js';
import { readDirFiles } from './files.js';
import { readRegistry, registryPath } from './registry-file.js';

/** What verify found in one bundle. */
export interface BundleReport {
  dir: string;
  manifest?: Manifest;
  /** Verified files, as `sha256  path`. */
  ok: string[];
  problems: string[];
  warnings: string[];
  signature: 'valid' | 'unchecked' | 'unsigned' | 'invalid';
}

/**
 * A file check's problem worded for a directory on disk: the SDK's wording is a download's ("truncated
 * download?", "was not stored" in the cache), which says nothing about a file that changed on disk.
 */
function onDisk(problem: FerryError): string {
  const d = problem.details as { url?: string; expectedBytes?: number; gotBytes?: number; expected?: string; got?: string };
  const fix = 'it changed after packing (restore it from the packed copy, or pack again under a new version)';
  if (problem.code === 'SIZE_MISMATCH') return `${d.url}: ${d.gotBytes} bytes on disk, the manifest lists ${d.expectedBytes}: ${fix}`;
  if (problem.code === 'INTEGRITY_MISMATCH' && d.got) return `${d.url}: sha256 ${d.got} does not match the manifest's ${d.expected}: ${fix}`;
  return problem.message;
}

/** Verifies one bundle directory. */
export async function verifyBundleDir(dir: string, publicKey?: JsonWebKey | readonly JsonWebKey[]): Promise<BundleReport> {
  const report: BundleReport = { dir, ok: [], problems: [], warnings: [], signature: 'unsigned' };
  let files: Map<string, Uint8Array>;
  try {
    files = await readDirFiles(dir);
  } catch (error) {
    report.problems.push(`${dir}: cannot read (${(error as Error).message})`);
    return report;
  }
  try {
    const { manifest, problems } = await verifyBundleFiles(files, `${dir}/`);
    report.manifest = manifest;
    report.problems.push(...problems.map(onDisk));
    const bad = new Set(problems.map((p) => p.details.path));
    for (const f of manifest.files) if (!bad.has(f.path)) report.ok.push(`${f.sha256}  ${f.path}`);
    const listed = new Set(['manifest.json', ...manifest.files.map((f) => f.path)]);
    for (const path of files.keys()) if (!listed.has(path)) report.warnings.push(`${path}: not listed in the manifest, so never loaded`);
    if (!problems.length) assemble(manifest, files, `${dir}/`);
    if (manifest.signature) {
      report.signature = 'unchecked';
      if (publicKey) {
        await verifyManifestSignature(manifest, publicKey, `${dir}/manifest.json`).then(
          () => void (report.signature = 'valid'),
          (error: unknown) => {
            report.signature = 'invalid';
            report.problems.push((error as Error).message);
          },
        );
      }
    } else if (publicKey) report.problems.push(`${dir}/manifest.json: not signed, but a key was given`);
  } catch (error) {
    report.problems.push((error as Error).message);
  }
  return report;
}

/**
 * Verifies every version the registry in `modelsDir` lists, and the registry's consistency and,
 * with a key, its signature and expiry (as a client with that publicKey would).
 */
export async function verifyModelsDir(
  modelsDir: string,
  publicKey?: JsonWebKey | readonly JsonWebKey[],
): Promise<{ registry: string[]; bundles: BundleReport[]; registrySignature: BundleReport['signature'] }> {
  const path = registryPath(modelsDir);
  const registry = await readRegistry(modelsDir);
  const problems: string[] = [];
  let registrySignature: BundleReport['signature'] = registry.signature ? 'unchecked' : 'unsigned';
  if (publicKey) {
    // A fresh process has seen no other registry version: this checks the signature and `expires`.
    await verifyRegistry(registry, path, publicKey, undefined).then(
      () => void (registrySignature = 'valid'),
      (error: unknown) => {
        registrySignature = 'invalid';
        problems.push((error as Error).message);
      },
    );
  }
  const bundles: BundleReport[] = [];
  for (const [name, e] of Object.entries(registry.models)) {
    for (const [ch, v] of Object.entries(e.channels)) {
      if (!e.versions.includes(v)) problems.push(`${path}: ${name} channel "${ch}" → ${v}, which is not among its versions`);
      if (e.revoked?.includes(v)) problems.push(`${path}: ${name} channel "${ch}" → ${v}, which is revoked`);
    }
    for (const ch of Object.keys(e.rollout ?? {}))
      if (!(ch in e.channels)) problems.push(`${path}: ${name} rollout names channel "${ch}", which does not exist`);
    for (const v of e.revoked ?? []) if (!e.versions.includes(v)) problems.push(`${path}: ${name} revokes ${v}, which is not among its versions`);
    for (const v of e.versions) {
      const dir = join(modelsDir, name, v);
      if (!existsSync(dir)) {
        problems.push(`${path}: ${name}@${v} is listed but ${dir} does not exist`);
        continue;
      }
      const report = await verifyBundleDir(dir, publicKey);
      if (report.manifest && (report.manifest.name !== name || report.manifest.version !== v)) {
        report.problems.push(`${dir}/manifest.json says ${report.manifest.name}@${report.manifest.version}, the registry says ${name}@${v}`);
      }
      bundles.push(report);
    }
  }
  return { registry: problems, bundles, registrySignature };
}
