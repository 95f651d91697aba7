// `ferryml predict`: batch scoring without a browser. The same loadModel as in the browser,
// on WASM or CPU in Node, from a bundle directory on disk (verified like a download, no cache).
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FerryError } from '../../errors.js';
import { loadModel } from '../../load-model.js';
import type { Manifest } from '../../model/manifest.js';
import type { Prediction } from '../../runtime/decode.js';
import type { BackendName } from '../../runtime/types.js';
import type { Schema } from '../../schema/types.js';
import { parseCommand, requireOption } from '../args.js';
import { loadPublicKey } from '../bundle/keys.js';
import { readRegistry, registryPath } from '../bundle/registry-file.js';
import { registryEntry, resolveVersion } from '../../model/registry.js';
import { verifyRegistry } from '../../model/registry-trust.js';
import { readRows } from '../schema-data.js';
import type { CsvKind } from '../schema-data.js';

export const usage = `Usage: ferryml predict --bundle models/<name>/<version> --data rows.json|rows.jsonl|rows.csv [--key KEY.pub.jwk.json] [--registry DIR] [--backend wasm|cpu] [--out out.json] [--strict]

Loads the bundle (every file checked against its manifest, golden rows checked on the backend),
validates, transforms and predicts every row exactly as the SDK does in the browser, and prints
{ "predictions": [ {"label", "probabilities"} | {"value"} | null ], "issues": [{ "row", "column", "code", "severity", "message" }] }.
A row with a validation error predicts null and lists its issues; the other rows still predict.
--backend   wasm or cpu (default: both are brought up and timed, the faster runs, as in the browser;
            the choice and the reasons go to stderr)
--strict    exit 1 when any row was rejected
--key       the release public key (.pub.jwk.json or .pub.pem): refuse an unsigned bundle or one
            whose manifest changed after signing (SIGNATURE_INVALID), as the browser does
--registry  the models directory whose index.json lists this bundle: refuse a revoked or unlisted
            version (VERSION_REVOKED / VERSION_NOT_FOUND); with --key the registry must verify too
CSV fields are typed by the schema's columns (decimal text in number columns → numbers).`;

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
async function checkListed(modelsDir: string, name: string, version: string, publicKey: JsonWebKey | undefined): Promise<void> {
  const path = registryPath(modelsDir);
  const registry = await readRegistry(modelsDir);
  if (publicKey) await verifyRegistry(registry, path, publicKey, undefined);
  resolveVersion(registryEntry(registry, name, path), { name, version }, path);
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
      key: { type: 'string' },
      registry: { type: 'string' },
    },
    usage,
  );
  const dir = resolve(requireOption(values.bundle, '--bundle', usage));
  const dataPath = requireOption(values.data, '--data', usage);
  const backend = values.backend as BackendName | undefined;
  if (backend !== undefined && backend !== 'wasm' && backend !== 'cpu') {
    throw new FerryError('INVALID_OPTIONS', `--backend must be wasm or cpu in Node, got "${backend}"\n\n${usage}`, { details: { got: backend } });
  }
  const publicKey = values.key ? await loadPublicKey(values.key) : undefined;
  const model = await loadModel({
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
    ...(backend ? { backend } : { backends: ['wasm', 'cpu'] }),
    ...(publicKey ? { publicKey } : {}),
    remember: false,
  });
  try {
    // After loadModel: the name and version checked here come from a manifest that verified.
    if (values.registry) await checkListed(values.registry, model.info.name, model.info.version, publicKey);
    // loadModel verified these files against the manifest already; here they only type CSV fields.
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    const schema = JSON.parse(await readFile(join(dir, manifest.schema), 'utf8')) as Schema;
    const rows = await readRows(dataPath, csvKinds(schema));
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
    console.error(`ferryml predict: ${info.name}@${info.version}, ${rows.length - bad} of ${rows.length} rows on ${info.backend}${why ? ` (${why})` : ''}`);
    return values.strict && bad > 0 ? 1 : 0;
  } finally {
    await model.dispose();
  }
}
