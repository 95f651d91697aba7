/** Checks that parsed JSON is a {@link Manifest} this code can trust to drive downloads. */
import { FerryError } from '../errors.js';
import { ioProblems } from './check-io.js';
import { MANIFEST_FORMAT_VERSION, type Manifest } from './manifest.js';
import { isSafeBundlePath } from './safe-path.js';

const SHA256 = /^[0-9a-f]{64}$/;

export { isSafeBundlePath } from './safe-path.js';

/**
 * Returns `json` as a Manifest or throws `MANIFEST_INVALID` listing every problem.
 * @param where the manifest's URL or path, for the message.
 */
export function parseManifest(json: unknown, where: string): Manifest {
  const problems: string[] = [];
  const m = json as Partial<Manifest> | null;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) {
    throw new FerryError('MANIFEST_INVALID', `${where}: manifest.json is not a JSON object`, { details: { url: where } });
  }
  if (m.formatVersion !== MANIFEST_FORMAT_VERSION)
    problems.push(`formatVersion is ${JSON.stringify(m.formatVersion)}, this SDK reads ${MANIFEST_FORMAT_VERSION}`);
  if (typeof m.name !== 'string' || !m.name) problems.push('name must be a non-empty string');
  if (typeof m.version !== 'string' || !m.version) problems.push('version must be a non-empty string');
  if (!m.model || !['layers-model', 'graph-model', 'tree-ensemble'].includes(m.model.format))
    problems.push('model.format must be "layers-model", "graph-model" or "tree-ensemble"');
  const paths = new Set<string>();
  if (!Array.isArray(m.files)) problems.push('files must be an array');
  else {
    m.files.forEach((f, i) => {
      if (typeof f?.path !== 'string' || !isSafeBundlePath(f.path))
        problems.push(`files[${i}].path ${JSON.stringify(f?.path)} is not a relative path inside the bundle`);
      else if (paths.has(f.path)) problems.push(`files[${i}].path "${f.path}" is listed twice`);
      else paths.add(f.path);
      if (!Number.isSafeInteger(f?.bytes) || f.bytes < 0) problems.push(`files[${i}].bytes must be a non-negative integer`);
      if (typeof f?.sha256 !== 'string' || !SHA256.test(f.sha256)) problems.push(`files[${i}].sha256 must be 64 lower-case hex digits`);
    });
  }
  const listed = (field: string, path: unknown) => {
    if (typeof path !== 'string' || !paths.has(path)) problems.push(`${field} ${JSON.stringify(path)} is not among files`);
  };
  listed('model.entry', m.model?.entry);
  listed('schema', m.schema);
  if (m.golden !== undefined) listed('golden', m.golden);
  problems.push(...ioProblems(m));
  const ob = m.outputBaseline;
  if (
    ob !== undefined &&
    (typeof ob !== 'object' ||
      ob === null ||
      !Array.isArray(ob.features) ||
      !ob.features.every((f) => typeof f?.name === 'string' && Array.isArray(f.baseline?.shares)))
  )
    problems.push('outputBaseline must be { source, rows, features: [{ name, baseline }] }');
  if (m.signature !== undefined && (typeof m.signature?.value !== 'string' || typeof m.signature.keyId !== 'string'))
    problems.push('signature must have string keyId and value');
  if (problems.length) {
    throw new FerryError('MANIFEST_INVALID', `${where}: invalid manifest: ${problems.join('; ')}. Re-create the bundle with \`ferryml pack\`.`, {
      details: { url: where, problems },
    });
  }
  return m as Manifest;
}
