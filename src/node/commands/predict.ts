// `ferryml predict`: batch scoring without a browser. The same loadModel as in the browser,
// on WASM or CPU in Node, from a bundle directory on disk (verified like a download, no cache), or
// from a registry or bundle URL, cached in a directory (`--cache-dir`, the file store of
// `ferryml/node`) so that the next run works with the server down.
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FerryError, isFerryError } from '../../errors.js';
import { loadModel, type LoadModelOptions } from '../../load-model.js';
import { fileCache } from '../cache/file-cache.js';
import type { Prediction } from '../../runtime/decode.js';
import type { BackendName } from '../../runtime/types.js';
import type { Schema } from '../../schema/types.js';
import { parseCommand, requireOption } from '../args.js';
import { loadPublicKeys } from '../bundle/keys.js';
import { readRegistry, registryPath } from '../bundle/registry-file.js';
import { registryEntry, resolveVersion } from '../../model/registry.js';
import { verifyRegistry } from '../../model/registry-trust.js';
import { readRows } from '../schema-data.js';
import type { CsvKind } from '../schema-data.js';

export const usage = `Usage: ferryml predict --bundle models/<name>/<version> --data rows.json|rows.jsonl|rows.csv [--key KEY.pub.jwk.json] [--registry DIR] [--backend wasm|cpu] [--out out.json] [--strict]
       ferryml predict --url <registry index.json URL> --name <model> [--version V | --channel C] --cache-dir DIR --data … [--key …]
       ferryml predict --url <bundle URL> --cache-dir DIR --data … [--key …]

Loads the bundle (every file checked against its manifest, golden rows checked on the backend),
validates, transforms and predicts every row exactly as the SDK does in the browser, and prints
{ "predictions": [ {"label", "probabilities"} | {"value"} | null ], "issues": [{ "row", "column", "code", "severity", "message" }] }.
A row with a validation error predicts null and lists its issues; the other rows still predict.
--backend   wasm or cpu (default: both are brought up and timed, the faster runs, as in the browser;
            the choice and the reasons go to stderr)
--strict    exit 1 when any row was rejected
--key       the release public key (.pub.jwk.json or .pub.pem): refuse an unsigned bundle or one
            whose manifest changed after signing (SIGNATURE_INVALID), as the browser does; repeat it
            during a key rotation (new and old key, as publicKey: [newKey, oldKey])
--registry  the models directory whose index.json lists this bundle: refuse a revoked or unlisted
            version (VERSION_REVOKED / VERSION_NOT_FOUND); with --key the registry must verify too
--url       instead of --bundle: a registry (a URL ending in .json other than manifest.json; give
            --name, and --version or --channel, default the stable channel) or a bundle directory
            URL; resolved, downloaded and verified exactly as the SDK does in a browser
--cache-dir with --url: keep verified versions (and the registry last seen) in this directory, so a
            later run reads them instead of downloading, and serves the cached version when the
            server cannot be reached (stderr says "offline"); without it nothing is kept
CSV fields are typed by the schema's columns (decimal text in number columns → numbers).
Exit codes: 0 ok; 1 a problem (the bundle, the registry, or the data: DATA_INVALID for a data file
that cannot be read or a row that cannot be parsed, naming file:line and column); 2 usage.`;

/** How CSV text of each column becomes a value, from the bundle's schema. */
function csvKinds(schema: Schema): Record<string, CsvKind> {
  const kinds: Record<string, CsvKind> = {};
  for (const c of schema.columns) {
    const encoder = c.steps.find((s) => s.kind === 'onehot' || s.kind === 'ordinal');
    const category = encoder && 'categories' in encoder ? typeof encoder.categories[0] : undefined;
    kinds[c.name] = c.type === 'number' || category === 'number' ? 'number' : c.type === 'boolean' || category === 'boolean' ? 'boolean' : 'string';
  }
  return kinds;
}

/** The JSON shape of one prediction: what a data scientist compares with a notebook. */
function toJson(p: Prediction | null) {
  if (!p) return null;
  if (p.kind === 'classification') return { label: p.label, probabilities: p.probabilities };
  if (p.kind === 'detection') return { detections: p.detections };
  if (p.kind === 'raw')
    return { outputs: Object.fromEntries(Object.entries(p.outputs).map(([name, t]) => [name, { shape: t.shape, data: Array.from(t.data) }])) };
  return Object.keys(p.values).length > 1 ? { value: p.value, values: p.values } : { value: p.value };
}

/** Throws unless `<modelsDir>/index.json` (verified with `publicKey` when given) lists `name@version` as not revoked. */
async function checkListed(modelsDir: string, name: string, version: string, publicKey: JsonWebKey | JsonWebKey[] | undefined): Promise<void> {
  const path = registryPath(modelsDir);
  const registry = await readRegistry(modelsDir);
  if (publicKey) await verifyRegistry(registry, path, publicKey, undefined);
  resolveVersion(registryEntry(registry, name, path), { name, version }, path);
}

type Values = { bundle?: string; registry?: string; url?: string; name?: string; version?: string; channel?: string; 'cache-dir'?: string };
const usageError = (message: string, option: string) => new FerryError('INVALID_OPTIONS', `${message}\n\n${usage}`, { details: { option } });

/** Where the bundle comes from: the files of `--bundle DIR`, or `--url` (registry or bundle) with `--cache-dir`'s file store. */
function bundleSource(values: Values): Pick<LoadModelOptions, 'files' | 'registry' | 'bundle' | 'name' | 'version' | 'channel' | 'cache'> {
  if ((values.bundle === undefined) === (values.url === undefined))
    throw usageError('give one of --bundle DIR or --url URL', values.url ? '--url' : '--bundle');
  if (values.bundle !== undefined) {
    for (const flag of ['url', 'name', 'version', 'channel', 'cache-dir'] as const)
      if (values[flag] !== undefined) throw usageError(`--${flag} goes with --url, not --bundle (a bundle directory is read as is, never cached)`, `--${flag}`);
    const dir = resolve(values.bundle);
    return {
      files: async (path) => {
        try {
          return await readFile(join(dir, path));
        } catch (cause) {
          throw new FerryError(
            'MANIFEST_INVALID',
            `${join(dir, path)}: cannot read bundle file (${(cause as Error).message}); is --bundle a directory holding manifest.json?`,
            { cause, details: { path: join(dir, path) } },
          );
        }
      },
    };
  }
  if (values.registry !== undefined) throw usageError('--registry DIR checks a --bundle directory; with --url the registry is the URL itself', '--registry');
  let url: URL;
  try {
    url = new URL(values.url!);
  } catch (cause) {
    throw new FerryError('INVALID_OPTIONS', `--url: "${values.url}" is not an absolute URL (e.g. https://models.example.com/index.json)\n\n${usage}`, {
      cause,
      details: { option: '--url', got: values.url },
    });
  }
  const isRegistry = url.pathname.endsWith('.json') && !url.pathname.endsWith('/manifest.json');
  if (isRegistry && values.name === undefined) throw usageError('--name is required with a registry --url (the model name in its index.json)', '--name');
  if (!isRegistry && values.channel !== undefined) throw usageError('--channel needs a registry --url (an index.json); this is a bundle URL', '--channel');
  const cache = values['cache-dir'] === undefined ? false : { store: fileCache(values['cache-dir']) };
  return {
    ...(isRegistry ? { registry: url } : { bundle: url }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.version === undefined ? {} : { version: values.version }),
    ...(values.channel === undefined ? {} : { channel: values.channel }),
    cache,
  };
}

/**
 * An offline load with nothing cached: the SDK's message names its `cache: false` option and says
 * to load while online, which a command-line user cannot act on; the CLI's way to keep a version is `--cache-dir`.
 */
function withCacheDirHint(error: unknown, uncached: boolean): unknown {
  if (!uncached || !isFerryError(error) || error.code !== 'OFFLINE_NO_CACHED_VERSION') return error;
  const what = error.message.replace(/ \(cache: false\)\. Load once while online\.$/, '');
  return new FerryError(
    error.code,
    `${what} (no --cache-dir). Pass --cache-dir DIR: a run while the server is up keeps the verified version there, and later runs read it when the server is down.`,
    { cause: error, details: error.details },
  );
}

/** Runs the command; resolves to the exit code (0 ok, 1 a problem found, 2 usage). */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommand(
    argv,
    {
      bundle: { type: 'string' },
      data: { type: 'string' },
      backend: { type: 'string' },
      out: { type: 'string' },
      strict: { type: 'boolean' },
      key: { type: 'string', multiple: true },
      registry: { type: 'string' },
      url: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      channel: { type: 'string' },
      'cache-dir': { type: 'string' },
    },
    usage,
  );
  const source = bundleSource(values);
  const dataPath = requireOption(values.data, '--data', usage);
  const backend = values.backend as BackendName | undefined;
  if (backend !== undefined && backend !== 'wasm' && backend !== 'cpu') {
    throw new FerryError('INVALID_OPTIONS', `--backend must be wasm or cpu in Node, got "${backend}"\n\n${usage}`, { details: { got: backend } });
  }
  const publicKey = await loadPublicKeys(values.key);
  const model = await loadModel({
    ...source,
    ...(backend ? { backend } : { backends: ['wasm', 'cpu'] }),
    ...(publicKey ? { publicKey } : {}),
    remember: false,
  }).catch((error: unknown) => {
    throw withCacheDirHint(error, source.cache === false);
  });
  try {
    // After loadModel: the name and version checked here come from a manifest that verified.
    if (values.registry) await checkListed(values.registry, model.info.name, model.info.version, publicKey);
    // The verified schema of the bundle types the CSV fields.
    const rows = await readRows(dataPath, csvKinds(model.schema));
    const { predictions, issues } = await model.predictBatch(rows);
    const result = {
      predictions: predictions.map(toJson),
      issues: issues.map((i) => ({ row: i.row, column: i.column, code: i.code, severity: i.severity, message: i.message })),
    };
    const text = `${JSON.stringify(result)}\n`;
    if (values.out) await writeFile(values.out, text);
    else process.stdout.write(text);
    const { info } = model;
    const why = info.engine === 'js' ? info.engineReason : info.rejected.map((r) => `${r.backend}: ${r.reason}`).join('; ');
    const bad = predictions.filter((p) => p === null).length;
    const from =
      info.source === 'offline'
        ? `, offline: the cached version (${info.fallback?.message ?? 'server unreachable'})`
        : source.cache
          ? `, from ${info.source}`
          : '';
    console.error(
      `ferryml predict: ${info.name}@${info.version}${from}, ${rows.length - bad} of ${rows.length} rows on ${info.backend}${why ? ` (${why})` : ''}`,
    );
    return values.strict && bad > 0 ? 1 : 0;
  } finally {
    await model.dispose();
  }
}
