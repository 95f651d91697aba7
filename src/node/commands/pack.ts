// `ferryml pack`: a trained tfjs model + schema (+ golden vectors) → a verified, optionally signed bundle.
import { readJsonFile } from '../bundle/files.js';
import { numberOption, parse } from '../bundle/args.js';
import { signingFrom } from '../bundle/registry-sign.js';
import { packBundle } from '../bundle/pack.js';
import { codeVersion } from '../bundle/provenance.js';
import type { InputTensor, OutputSpec } from '../../model/manifest.js';
import { FerryError } from '../../errors.js';

/** `ferryml pack --help` text. */
export const usage = `Usage: ferryml pack <model-dir|model.json> --name N --version V --schema schema.json [options]

Copies model.json and the weight shards it names, schema.json and golden.json into
<out>/<name>/<version>/, writes manifest.json (every file's bytes and sha256, training data
sha256 and rows, seed, metrics, code version), checks the bundle as a browser would, and adds
the version to <out>/index.json (the first version of a model becomes "stable").

Options:
  --name N               model name (URL-safe)
  --version V            version (immutable once published)
  --schema FILE          fitted schema.json
  --golden FILE          golden vectors (raw rows + training outputs)
  --golden-tolerance X   relative tolerance of the load-time golden check (default 1e-4)
  --predictions FILE     model outputs on the training rows (JSON array of vectors) for the
                         output baseline (default: the golden outputs)
  --labels a,b,c         classification labels (default: the schema's label classes)
  --regression           the model is a regressor
  --output FILE          output spec JSON, e.g. { "kind": "raw" | "detection", "outputs": [...] } (README "Inputs and outputs")
  --inputs FILE          the model's inputs JSON: [{ "name", "shape", "dtype"? }] (several, int32 or dynamic-shape inputs)
  --data FILE            training data (CSV/TSV/JSONL/JSON): sha256 and row count are recorded
  --data-source S        where the data came from (default: the file name)
  --rows N               row count, for data files pack cannot count
  --seed N               training seed
  --metrics FILE         JSON object of metric name → number
  --metric k=v           one metric (repeatable)
  --code REV             code version (default: git rev-parse HEAD, "+dirty" when modified)
  --sign KEY.pem         sign the manifest and index.json (ECDSA P-256 PKCS#8, see ferryml keygen)
  --expires DAYS         days until clients refuse the signed index.json (default 30)
  --next-key PUB         name the next release key in index.json (rotation), signed by this one
  --unsigned             write a signed index.json unsigned (refused without it or --sign)
  --channel C            also point channel C at this version (repeatable)
  --created-at ISO       timestamp (default: SOURCE_DATE_EPOCH, else now)
  --out DIR              models directory (default: models)
  --force                replace a directory of this version that index.json does not list (left by
                         a killed pack); a listed version is never replaced`;

/** What `pack` without `--golden` prints on stderr: the bundle it wrote loads without the golden check. */
export const NO_GOLDEN = `ferryml pack: warning: no --golden, so the bundle has no golden rows and loadModel cannot check at load time that the
  backend it picked reproduces the model's outputs (for a plain-JS model, engineReason says "no golden check"). Add golden rows: pack again
  under a new version with --golden golden.json, { "rows": [raw input rows], "outputs": [the model's outputs on them] } — a few
  training rows and the outputs the training code computed (python -m ferryml_export writes one).`;

/** Runs the command; resolves to the exit code (0 ok, 1 a problem found, 2 usage). */
export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(
    argv,
    {
      name: { type: 'string' },
      version: { type: 'string' },
      schema: { type: 'string' },
      golden: { type: 'string' },
      'golden-tolerance': { type: 'string' },
      predictions: { type: 'string' },
      labels: { type: 'string' },
      regression: { type: 'boolean' },
      output: { type: 'string' },
      inputs: { type: 'string' },
      data: { type: 'string' },
      'data-source': { type: 'string' },
      rows: { type: 'string' },
      seed: { type: 'string' },
      metrics: { type: 'string' },
      metric: { type: 'string', multiple: true },
      code: { type: 'string' },
      sign: { type: 'string' },
      expires: { type: 'string' },
      'next-key': { type: 'string' },
      unsigned: { type: 'boolean' },
      channel: { type: 'string', multiple: true },
      'created-at': { type: 'string' },
      out: { type: 'string', default: 'models' },
      force: { type: 'boolean' },
    },
    usage,
  );
  const model = positionals[0];
  if (!model || !v.name || !v.version || !v.schema) {
    console.error(`ferryml pack: <model-dir>, --name, --version and --schema are required\n\n${usage}`);
    return 2;
  }
  const metrics: Record<string, number> = v.metrics ? await readJsonFile<Record<string, number>>(v.metrics, 'metrics') : {};
  for (const kv of v.metric ?? []) {
    const [k, value] = kv.split('=');
    const n = numberOption(value, `metric ${k}`);
    if (!k || n === undefined) throw new FerryError('INVALID_OPTIONS', `--metric "${kv}": expected name=number`, { details: { option: '--metric', got: kv } });
    metrics[k] = n;
  }
  for (const [k, n] of Object.entries(metrics)) {
    if (typeof n !== 'number' || !Number.isFinite(n))
      throw new FerryError('DATA_INVALID', `--metrics ${v.metrics}: metric "${k}" is not a finite number`, { details: { path: v.metrics, metric: k } });
  }
  if ([v.labels, v.regression, v.output].filter(Boolean).length > 1)
    throw new FerryError('INVALID_OPTIONS', '--labels, --regression and --output exclude each other: pass one', { details: { option: '--labels' } });
  const outputSpec = v.output ? await readJsonFile<OutputSpec>(v.output, 'output') : undefined;
  const inputs = v.inputs ? await readJsonFile<InputTensor[]>(v.inputs, 'inputs') : undefined;
  const { dir, manifest, id } = await packBundle({
    model,
    name: v.name,
    version: v.version,
    schema: v.schema,
    golden: v.golden,
    predictions: v.predictions,
    goldenTolerance: numberOption(v['golden-tolerance'], 'golden-tolerance', (n) => n >= 0),
    inputs,
    output: outputSpec
      ? outputSpec
      : v.regression
        ? { kind: 'regression' }
        : v.labels
          ? { kind: 'classification', labels: v.labels.split(',').map((l) => l.trim()) }
          : undefined,
    data: v.data ? { path: v.data, source: v['data-source'], rows: numberOption(v.rows, 'rows', (n) => Number.isInteger(n) && n >= 0) } : undefined,
    seed: numberOption(v.seed, 'seed', Number.isInteger),
    metrics: Object.keys(metrics).length ? metrics : undefined,
    code: v.code ?? codeVersion(),
    signKey: v.sign,
    registrySigning: signingFrom(v),
    channels: v.channel,
    createdAt: v['created-at'],
    out: v.out,
    force: v.force,
  });
  const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
  console.log(`packed ${manifest.name}@${manifest.version} → ${dir}`);
  console.log(`  id ${id} · ${manifest.files.length} files · ${bytes} bytes${manifest.signature ? ` · signed by ${manifest.signature.keyId}` : ' · unsigned'}`);
  for (const f of manifest.files) console.log(`  ${f.sha256}  ${f.path} (${f.bytes} B)`);
  // Not an error (a bundle may ship without golden rows), but an app cannot tell it is off.
  if (!v.golden) console.error(NO_GOLDEN);
  return 0;
}
