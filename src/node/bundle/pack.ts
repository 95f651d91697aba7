/**
 * `ferryml pack` as a function: copy a tfjs model (model.json + the shards its weightsManifest
 * names), schema and golden vectors into `<out>/<name>/<version>/`, write manifest.json with
 * every file's bytes and sha256 plus provenance, sign it when asked, check the result the way a
 * browser would, and add the version to `<out>/index.json`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FerryError, isFerryError } from '../../errors.js';
import { openLocalBundle } from '../../model/open-local-bundle.js';
import { isSafeBundlePath } from '../../model/parse-manifest.js';
import { MANIFEST_FORMAT_VERSION, type BundleFile, type Golden, type InputTensor, type Manifest, type OutputSpec } from '../../model/manifest.js';
import { computeOutputBaseline } from '../../model/output-baseline.js';
import type { Schema } from '../../schema/types.js';
import { prettyJson, readDirFiles, readJsonFile, writeFileAtomic } from './files.js';
import { loadPrivateKey, signManifest } from './keys.js';
import { checkLoads } from './load-check.js';
import { dataStats } from './provenance.js';
import { readRegistry, updateRegistry } from './registry-file.js';
import { checkSigning } from './registry-sign.js';
import type { RegistrySigning } from './registry-sign.js';

/** Everything `pack` needs; the command fills it from flags. */
export interface PackOptions {
  /** Directory holding model.json, or the model.json path itself. */
  model: string;
  name: string;
  version: string;
  schema: string;
  golden?: string | undefined;
  /** Output models directory (holds index.json). */
  out: string;
  data?: { path: string; source?: string | undefined; rows?: number | undefined } | undefined;
  seed?: number | undefined;
  metrics?: Record<string, number> | undefined;
  /** Git commit (or any code version string). */
  code?: string | undefined;
  output?: OutputSpec | undefined;
  goldenTolerance?: number | undefined;
  /**
   * Model outputs on the training rows (a JSON array of output vectors) for the output baseline.
   * @default the golden outputs, when there is a golden file
   */
  predictions?: string | undefined;
  /** PKCS#8 PEM private key to sign with. */
  signKey?: string | undefined;
  /** How index.json is signed. @default signed with `signKey` (30 days) when there is one */
  registrySigning?: RegistrySigning | undefined;
  /** ISO timestamp. @default SOURCE_DATE_EPOCH when set, else now */
  createdAt?: string | undefined;
  /** Channels to point at this version (besides `stable` for a model's first version). */
  channels?: string[] | undefined;
  /**
   * Replace a bundle directory of this version that the registry does not list (one left by a pack
   * killed before its registry write). A version the registry lists is never replaced, with or without it.
   * @default false (versions are immutable)
   */
  force?: boolean | undefined;
  /** The manifest's `model.inputs` (several, int32 or dynamic-shape inputs). */
  inputs?: InputTensor[] | undefined;
  /** Load the bundle on cpu and run its golden rows before registering it. @default true */
  check?: boolean | undefined;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Throws unless `registry` leaves `name@version` free to pack: a listed version (even one whose
 * directory is gone) is immutable, since clients cache it as name@version, and a revoked one is never reused.
 */
function checkUnlisted(registry: { models: Record<string, { versions: string[]; revoked?: string[] }> }, o: PackOptions): void {
  const entry = registry.models[o.name];
  const details = { name: o.name, version: o.version, registry: join(o.out, 'index.json') };
  if (entry?.revoked?.includes(o.version))
    throw new FerryError('VERSION_REVOKED', `${o.name}@${o.version} is revoked in ${o.out}/index.json; pack a new --version`, { details });
  if (entry?.versions.includes(o.version)) {
    throw new FerryError(
      'VERSION_EXISTS',
      `${o.name}@${o.version} is published in ${o.out}/index.json: versions are immutable (clients cache them as name@version), so pack never replaces a listed one, with or without --force; pack a new --version`,
      { details },
    );
  }
}

/** `error` with `more` appended to its message, keeping its code. */
function withNote(error: unknown, more: string): FerryError {
  const code = isFerryError(error) ? error.code : 'DATA_INVALID';
  const details = isFerryError(error) ? error.details : {};
  return new FerryError(code, `${(error as Error).message}; ${more}`, { cause: error, details });
}

/** Writes the bundle and updates the registry; returns its directory, manifest and id. */
export async function packBundle(o: PackOptions): Promise<{ dir: string; manifest: Manifest; id: string }> {
  for (const [flag, value] of [
    ['--name', o.name],
    ['--version', o.version],
  ] as const) {
    if (!NAME.test(value))
      throw new FerryError('INVALID_OPTIONS', `${flag} "${value}": use letters, digits, ".", "_" and "-" (it becomes a URL path segment)`, {
        details: { option: flag, got: value },
      });
  }
  const modelJsonPath = o.model.endsWith('.json') ? o.model : join(o.model, 'model.json');
  const modelDir = dirname(modelJsonPath);
  const modelJson = await readJsonFile<{ format?: string; modelTopology?: Record<string, unknown>; weightsManifest?: Array<{ paths: string[] }> }>(
    modelJsonPath,
    'model',
  );
  if (typeof modelJson.modelTopology !== 'object' || !Array.isArray(modelJson.weightsManifest)) {
    throw new FerryError(
      'DATA_INVALID',
      `${modelJsonPath}: not a tfjs model.json (needs modelTopology and weightsManifest; save with model.save() or tensorflowjs_converter)`,
      { details: { path: modelJsonPath } },
    );
  }
  const format =
    modelJson.format === 'tree-ensemble'
      ? 'tree-ensemble'
      : modelJson.format === 'graph-model' || (modelJson.format === undefined && 'node' in modelJson.modelTopology)
        ? 'graph-model'
        : 'layers-model';
  const shards = modelJson.weightsManifest.flatMap((g) => g.paths);
  for (const s of shards) {
    if (!isSafeBundlePath(s))
      throw new FerryError('DATA_INVALID', `${modelJsonPath}: weight path "${s}" leaves the model directory; list shards beside model.json`, {
        details: { path: modelJsonPath, weight: s },
      });
  }

  const schema = await readJsonFile<Schema>(o.schema, 'schema');
  if (!Array.isArray(schema.columns) || !Array.isArray(schema.features))
    throw new FerryError('SCHEMA_INVALID', `${o.schema}: not a ferryml schema (needs columns and features; see \`ferryml fit\`)`, {
      details: { path: o.schema },
    });
  const output = o.output ?? (schema.label?.classes ? { kind: 'classification' as const, labels: schema.label.classes.map(String) } : undefined);
  if (!output)
    throw new FerryError('INVALID_OPTIONS', 'output: pass --labels a,b,c (classification) or --regression; the schema names no label classes', {
      details: { option: '--labels' },
    });

  // The output baseline (output drift telemetry): training predictions when given, else golden's.
  // Computed before the bundle directory exists, so a refusal here leaves nothing behind.
  const predicted = o.predictions
    ? { rows: await readJsonFile<number[][]>(o.predictions, 'predictions'), source: basename(o.predictions) }
    : o.golden
      ? { rows: (await readJsonFile<Golden>(o.golden, 'golden')).outputs, source: 'golden' }
      : undefined;
  if (predicted && (!Array.isArray(predicted.rows) || !predicted.rows.every((r) => Array.isArray(r)))) {
    throw new FerryError(
      'DATA_INVALID',
      `${o.predictions ?? o.golden}: ${o.predictions ? 'predictions must be a JSON array of output vectors' : 'golden.json needs "outputs": one vector per row'}`,
      { details: { path: o.predictions ?? o.golden } },
    );
  }
  const outputBaseline = predicted?.rows.length ? computeOutputBaseline(predicted.rows, output, predicted.source) : undefined;
  // Checked here to refuse early, and again under the registry lock (another pack may list it meanwhile).
  const before = await readRegistry(o.out);
  checkUnlisted(before, o);
  const dir = resolve(o.out, o.name, o.version);
  const exists = () =>
    new FerryError(
      'VERSION_EXISTS',
      `${dir} exists but index.json does not list ${o.name}@${o.version} (a pack of it is running, or one was killed): pack a new --version, or pass --force to replace an unlisted bundle`,
      { details: { dir, name: o.name, version: o.version } },
    );
  if (existsSync(dir) && !o.force) throw exists();

  // Everything that can refuse the pack without the bundle runs before anything is written: the
  // keys (the registry signer must be one its clients trust, see checkSigner), the training data,
  // the weight files model.json lists. A refusal here leaves the models directory as it was.
  const signing = o.registrySigning ?? { key: o.signKey };
  try {
    await checkSigning(before, signing);
  } catch (error) {
    throw withNote(error, `nothing was written (${dir} not created)`);
  }
  const manifestKey = o.signKey ? await loadPrivateKey(o.signKey) : undefined;
  const copies: Array<[string, string]> = [
    [modelJsonPath, 'model.json'],
    ...shards.map((s): [string, string] => [join(modelDir, s), s]),
    [o.schema, 'schema.json'],
    ...(o.golden ? [[o.golden, 'golden.json'] as [string, string]] : []),
  ];
  for (const [from] of copies) {
    if (!existsSync(from))
      throw new FerryError('DATA_INVALID', `${from}: missing (model.json lists it as a weight file); put it beside model.json`, { details: { path: from } });
  }
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const createdAt = o.createdAt ?? (epoch ? new Date(Number(epoch) * 1000).toISOString() : new Date().toISOString());
  const training: NonNullable<Manifest['training']> = {};
  if (o.data) training.data = { source: o.data.source ?? basename(o.data.path), ...(await dataStats(o.data.path, o.data.rows)) };
  if (o.seed !== undefined) training.seed = o.seed;
  if (o.code !== undefined) training.code = o.code;
  if (o.metrics) training.metrics = o.metrics;

  // Only with --force (an unlisted leftover, checked above): without it a directory that appeared
  // since is another pack's, and the exclusive mkdir below refuses rather than removing it.
  if (o.force && existsSync(dir)) await rm(dir, { recursive: true });
  // The first directory mkdir made (the model's, or the models directory itself): a failure removes
  // the bundle and then those parents while empty (a concurrent pack may be writing beside it).
  const made = (await mkdir(dirname(dir), { recursive: true })) ?? dir;
  // The version directory exclusively: of two packs of one version, one gets it and the other refuses.
  try {
    await mkdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw exists();
    throw error;
  }
  try {
    const files: BundleFile[] = [];
    for (const [from, to] of copies) {
      await mkdir(dirname(join(dir, to)), { recursive: true });
      await copyFile(from, join(dir, to));
      const bytes = await readFile(join(dir, to));
      files.push({ path: to, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    let manifest: Manifest = {
      formatVersion: MANIFEST_FORMAT_VERSION,
      name: o.name,
      version: o.version,
      createdAt,
      model: { format, entry: 'model.json', ...(o.inputs ? { inputs: o.inputs } : {}) },
      files,
      schema: 'schema.json',
      output,
      ...(o.golden ? { golden: 'golden.json' } : {}),
      ...(o.goldenTolerance !== undefined ? { goldenTolerance: o.goldenTolerance } : {}),
      ...(outputBaseline ? { outputBaseline } : {}),
      ...(Object.keys(training).length ? { training } : {}),
    };
    if (manifestKey) manifest = await signManifest(manifest, manifestKey.key, manifestKey.keyId);
    await writeFileAtomic(join(dir, 'manifest.json'), prettyJson(manifest));

    // Check the bundle exactly as a browser will, before the registry points at it: its files, then
    // a load on cpu (schema, inputs/outputs, golden rows).
    const bundle = await openLocalBundle(await readDirFiles(dir), { baseUrl: `${dir}/` });
    if (o.check !== false) await checkLoads(dir);

    // The registry write can still refuse (another writer changed index.json's signer meanwhile, a
    // held lock): the bundle goes with it, so no directory is left that the registry does not list.
    await updateRegistry(
      o.out,
      (registry) => {
        checkUnlisted(registry, o);
        const entry = (registry.models[o.name] ??= { versions: [], channels: {} });
        entry.versions.push(o.version);
        (entry.files ??= {})[o.version] = manifest.files.map((f) => f.path);
        if (!entry.channels.stable) entry.channels.stable = o.version;
        for (const ch of o.channels ?? []) entry.channels[ch] = o.version;
      },
      signing,
    );
    return { dir, manifest, id: bundle.id };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    for (let d = dirname(dir); d.length >= made.length && d !== dirname(d); d = dirname(d)) await rmdir(d).catch(() => undefined);
    throw error;
  }
}
