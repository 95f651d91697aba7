// Converter-made models that npm packages ship wrapped in JavaScript: nsfwjs 4 publishes each
// model.json and weight shard as a UMD module (`module.exports = {...}` / a base64 string) so
// bundlers can import them. Unwrapped here, in Node, into the files tfjs itself reads
// (model.json + binary shards): used by the test server (browser suites fetch /__npm-models/…)
// and by the Node suites that pack them with `ferryml pack`.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
// The package's `exports` hide its model files; they are read by absolute path from its root.
const root = (pkg) => {
  const main = require.resolve(pkg);
  return main.slice(0, main.lastIndexOf(`/node_modules/${pkg}/`) + `/node_modules/${pkg}/`.length);
};

/** The nsfwjs models used by the tests: MobileNetV2 224×224×3 as a layers model and as a graph model. */
export const NSFWJS = {
  mobilenet_v2: { format: 'layers-model', labels: ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] },
  mobilenet_v2_mid: { format: 'graph-model', labels: ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] },
};

/** The unwrapped files of one nsfwjs model: `model.json` (with `format`) and each shard's bytes. */
export function unwrapNsfwjs(name) {
  const dir = join(root('nsfwjs'), 'dist/models', name);
  const json = require(`${dir}/model.min.js`);
  const files = new Map();
  const model = { format: NSFWJS[name].format, ...json };
  files.set('model.json', Buffer.from(JSON.stringify(model)));
  for (const group of json.weightsManifest) for (const path of group.paths) files.set(path, Buffer.from(String(require(`${dir}/${path}.min.js`)), 'base64'));
  return files;
}

/** Writes {@link unwrapNsfwjs}'s files into `dir` (created). */
export function writeNsfwjs(name, dir) {
  mkdirSync(dir, { recursive: true });
  for (const [path, bytes] of unwrapNsfwjs(name)) writeFileSync(join(dir, path), bytes);
  return dir;
}
