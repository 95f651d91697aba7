// Item `cnn` (issue 13): image models, ferryml ÷ hand-written raw tfjs per call at batch 1 on
// wasm, cpu and webgpu (SwiftShader here: no GPU), for the digits CNN (models/digits/2.0.0, read
// from its path) and MobileNetV2 at 224×224×3 (nsfwjs from npm, unwrapped into a bundle here);
// ONNX Runtime Web's wasm EP on the same MobileNetV2 weights ÷ ferryml, per call and for a
// batch of 16; and ferryml's image step on a 640×480 frame ÷ the equivalent tfjs ops.
// Every path is checked against raw tfjs on the same inputs before anything is timed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NSFWJS, writeNsfwjs } from '../../test/support/npm-models.mjs';
import type { BenchContext, BundleRef } from '../lib/context.js';
import { bundleSource, findBundle, openPage } from '../lib/context.js';
import { judged, pending, ratioFigure, type Figure, type ItemResult } from '../lib/item.js';
import { pairedRatio, summarize } from '../lib/stats.js';
import type { CnnModelSetup } from '../pages/cnn.js';
import type { Interleaved } from '../pages/timing.js';

const KEY = 'cnn';
const TITLE = 'image models: ferryml ÷ raw tfjs per call; ORT ÷ ferryml on MobileNetV2; image step ÷ tfjs ops';
const BACKENDS = ['wasm', 'cpu', 'webgpu'] as const;
type Backend = (typeof BACKENDS)[number];
/** Largest |ferryml − raw tfjs| (and |ORT − raw tfjs|) on the same inputs before timing: the same math. */
const SAME = 1e-4;

const LABELS = NSFWJS.mobilenet_v2.labels;

type Bench = {
  setup(backend: Backend, list: CnnModelSetup[]): Promise<{ backend: string; variants: string[]; ferry: Record<string, unknown> }>;
  check(n?: number): Promise<Record<string, number>>;
  perCall(names: string[], rounds: number, units?: number, warmupMs?: number, medianOf?: number): Promise<Interleaved>;
  batch(names: string[], size: number, rounds: number, warmupMs?: number): Promise<Interleaved>;
  memory(): Promise<{ numTensors: number; numBytes: number }>;
  prepSetup(resize: string, source: 'imagedata' | 'canvas'): Promise<{ maxAbsDiff: number; backend: string }>;
  prepTime(rounds: number, medianOf?: number): Promise<Interleaved>;
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * nsfwjs's MobileNetV2 as a ferryml bundle under bench/.build: the unwrapped model.json + shard,
 * a compact 224×224×3 image schema (÷ 255, as nsfwjs feeds it) and a manifest listing them.
 */
function mobilenetBundle(ctx: BenchContext): BundleRef {
  const dir = join(ctx.build, 'models', 'mobilenet_v2');
  writeNsfwjs('mobilenet_v2', dir);
  const schema = {
    formatVersion: 2,
    columns: [{ name: 'image', type: 'image', steps: [{ kind: 'image', width: 224, height: 224, channels: 3, scale: [1 / 255], offset: [0] }] }],
    features: [{ column: 'image', count: 224 * 224 * 3 }],
    width: 224 * 224 * 3,
  };
  writeFileSync(join(dir, 'schema.json'), JSON.stringify(schema));
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
  const files = ['model.json', ...model.weightsManifest.flatMap((g) => g.paths), 'schema.json'].map((path) => {
    const bytes = readFileSync(join(dir, path));
    return { path, bytes: bytes.length, sha256: sha256(bytes) };
  });
  const manifest = {
    formatVersion: 1,
    name: 'mobilenet_v2',
    version: '4.4.0',
    createdAt: '2026-01-01T00:00:00.000Z',
    model: { format: 'layers-model', entry: 'model.json' },
    files,
    schema: 'schema.json',
    output: { kind: 'classification', labels: LABELS },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return { name: 'mobilenet_v2', version: '4.4.0', dir, url: `/${dir.slice(ctx.root.length + 1)}`, manifest: manifest as unknown as BundleRef['manifest'] };
}

/** The ONNX file built from the bundle's own weights, or why there is none. */
function buildOnnx(ctx: BenchContext, b: BundleRef): { url: string; bytes: number; nodes: string[] } | { error: string } {
  const file = join(ctx.build, 'models', 'mobilenet_v2.onnx');
  try {
    const out = execFileSync('/usr/bin/python3', [join(ctx.root, 'bench/onnx/build_onnx.py'), b.dir, file], {
      cwd: ctx.root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { nodes } = JSON.parse(out.toString()) as { nodes: string[] };
    return { url: `/${file.slice(ctx.root.length + 1)}`, bytes: statSync(file).size, nodes };
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    return { error: (e.stderr?.toString().trim() || e.message).split('\n')[0]! };
  }
}

/** Runs the item; see the file comment. */
export async function cnnItem(ctx: BenchContext): Promise<ItemResult> {
  if (ctx.deps.runtime !== true) return pending(KEY, TITLE, ctx.deps.runtime);
  const digitsDir = join(ctx.root, 'models', 'digits', '2.0.0');
  const digits = existsSync(join(digitsDir, 'manifest.json')) ? findBundle(ctx.root, 'digits', digitsDir) : undefined;
  const mobilenet = mobilenetBundle(ctx);
  const onnx = buildOnnx(ctx, mobilenet);
  ctx.log(`cnn: ${'error' in onnx ? `no ONNX MobileNetV2 (${onnx.error})` : `built ${onnx.url} (${onnx.bytes} bytes, ${onnx.nodes.length} nodes)`}`);
  const figures: Figure[] = [];
  const facts: Record<string, unknown> = {
    models: {
      digits: digits ? `digits@${digits.version} (${digits.dir.slice(ctx.root.length + 1)})` : 'models/digits/2.0.0 is not there',
      mobilenet: `nsfwjs@4.4.0 mobilenet_v2 layers model, 224×224×3, bundled at ${mobilenet.url}`,
    },
    onnx: 'error' in onnx ? `not built: ${onnx.error}` : { url: onnx.url, bytes: onnx.bytes, ops: [...new Set(onnx.nodes)] },
    webgpuAdapter: 'SwiftShader (software WebGPU in headless Chromium; no GPU on this machine): webgpu figures are not GPU figures',
  };
  const q = ctx.quick;
  for (const backend of BACKENDS) {
    const list: CnnModelSetup[] = [];
    const opts = { backend, remember: false, cache: { dbName: 'ferryml-bench-cnn' } } as const;
    const nolean = backend !== 'webgpu';
    if (digits) list.push({ key: 'digits', bundle: digits.url, ferry: { ...bundleSource(ctx.root, digits), ...opts }, inputs: 'golden', nolean });
    list.push({
      key: 'mobilenet',
      bundle: mobilenet.url,
      ferry: { bundle: `${mobilenet.url}/`, ...opts },
      inputs: { pictures: 4, width: 224, height: 224 },
      nolean,
      ...(backend === 'wasm' && !('error' in onnx) ? { onnx: onnx.url } : {}),
    });
    const { page, context, errors } = await openPage(ctx, 'cnn');
    // One page method per call, arguments passed as JSON.
    const call = <K extends keyof Bench>(method: K, ...args: Parameters<Bench[K]>) =>
      page.evaluate(([m, a]) => (window as unknown as { bench: Record<string, (...x: unknown[]) => unknown> }).bench[m]!(...a), [
        method,
        args,
      ] as const) as ReturnType<Bench[K]>;
    try {
      let setup;
      try {
        setup = await call('setup', backend, list);
      } catch (error) {
        if (backend !== 'webgpu') throw error;
        facts['webgpu'] = `not measured: ${(error as Error).message.split('\n')[0]}`;
        continue;
      }
      const check = await call('check');
      for (const [variant, diff] of Object.entries(check))
        if (!(diff <= SAME)) throw new Error(`${backend}: ${variant} differs from raw tfjs by ${diff} (> ${SAME}): not the same math, no figures`);
      const before = await call('memory');
      const rounds = (wasm: number, cpu: number, gpu: number) => (q ? 3 : backend === 'wasm' ? wasm : backend === 'cpu' ? cpu : gpu);
      const note = backend === 'webgpu' ? ' (SwiftShader)' : '';
      /** The judged figure (default ferryml ÷ raw) and, where measured, `lean: false` ÷ raw as context. */
      const perCallFigures = (key: string, label: string, s: Interleaved, formula: string) => {
        const f = s.samples[`${key}:ferry`]!;
        const raw = s.samples[`${key}:raw`]!;
        figures.push(
          ratioFigure(
            `${backend}${note}: ${label}, per call`,
            pairedRatio(f, raw),
            { ferry: summarize(f), raw: summarize(raw) },
            {
              target: { op: '<=', value: 1.05 },
              formula,
              detail: { units: s.units, maxAbsDiffVsRaw: check[`${key}:ferry`], ferryInfo: setup.ferry[key] },
            },
          ),
        );
        const plain = s.samples[`${key}:ferry-nolean`];
        if (plain)
          figures.push(
            ratioFigure(
              `${backend}: ${label}, lean: false (context)`,
              pairedRatio(plain, raw),
              { ferryNoLean: summarize(plain), raw: summarize(raw) },
              {
                formula: "ferryml through LayersModel.predict (the baseline's own call) ÷ raw tfjs: the SDK's per-call cost alone",
                detail: { ferryInfo: setup.ferry[`${key}-nolean`] },
              },
            ),
          );
      };
      if (digits) {
        const names = ['digits:ferry', 'digits:raw', ...(nolean ? ['digits:ferry-nolean'] : [])];
        const s = await call('perCall', names, rounds(30, 30, 20), undefined, 400, q ? 1 : 3);
        perCallFigures('digits', 'digits CNN', s, 'ferryml ms per predict(row) ÷ raw tfjs ms per call (pixels → tensor → predict → data → arg-max), batch 1');
      }
      const names = [
        'mobilenet:ferry',
        'mobilenet:raw',
        ...(nolean ? ['mobilenet:ferry-nolean'] : []),
        ...(setup.variants.includes('mobilenet:ort') ? ['mobilenet:ort'] : []),
      ];
      const m = await call('perCall', names, rounds(21, 7, 5), 1, 600);
      perCallFigures(
        'mobilenet',
        'MobileNetV2 224×224×3',
        m,
        'ferryml ms per predict({image: ImageData}) ÷ raw tfjs ms per call (ImageData → tensor ÷ 255 → predict → data → arg-max), batch 1',
      );
      if (m.samples['mobilenet:ort']) {
        figures.push(
          ratioFigure(
            'ORT (wasm EP) ÷ ferryml (wasm): MobileNetV2, per call',
            pairedRatio(m.samples['mobilenet:ort'], m.samples['mobilenet:ferry']!),
            { ort: summarize(m.samples['mobilenet:ort']), ferry: summarize(m.samples['mobilenet:ferry']!) },
            {
              target: { op: '>=', value: 1 },
              formula: 'ORT ms per call ÷ ferryml ms per call, same weights and pictures, batch 1 (> 1: ferryml faster)',
              detail: { maxAbsDiffOrtVsRaw: check['mobilenet:ort'] },
            },
          ),
        );
        const b16 = await call('batch', ['mobilenet:ferry', 'mobilenet:ort', 'mobilenet:raw'], 16, rounds(7, 0, 0));
        figures.push(
          ratioFigure(
            'ORT (wasm EP) ÷ ferryml (wasm): MobileNetV2, batch of 16',
            pairedRatio(b16.samples['mobilenet:ort']!, b16.samples['mobilenet:ferry']!),
            { ort: summarize(b16.samples['mobilenet:ort']!), ferry: summarize(b16.samples['mobilenet:ferry']!), raw: summarize(b16.samples['mobilenet:raw']!) },
            {
              target: { op: '>=', value: 1 },
              formula: 'ORT ms per run of 16 pictures ÷ ferryml ms per predictBatch of 16 (> 1: ferryml faster)',
              detail: { ferryOverRaw: pairedRatio(b16.samples['mobilenet:ferry']!, b16.samples['mobilenet:raw']!) },
            },
          ),
        );
      }
      if (backend !== 'webgpu') {
        const prep = await call('prepSetup', 'bilinear-half-pixel', 'imagedata');
        if (!(prep.maxAbsDiff <= 1e-4))
          throw new Error(`${backend}: the image step differs from tfjs's resizeBilinear by ${prep.maxAbsDiff}: not the same resize`);
        const p = await call('prepTime', rounds(30, 30, 0), q ? 1 : 3);
        figures.push(
          ratioFigure(
            `${backend}: image step 640×480 → 224×224×3`,
            pairedRatio(p.samples['ferry']!, p.samples['tfjs']!),
            { ferry: summarize(p.samples['ferry']!), tfjs: summarize(p.samples['tfjs']!) },
            {
              target: { op: '<=', value: 1 },
              formula:
                "ferryml's image step (ImageData → bilinear-half-pixel resize → × 1/127.5 − 1 into a Float32Array) + tf.tensor ÷ tf.browser.fromPixels + tf.image.resizeBilinear(halfPixelCenters) + mul + add",
              detail: { units: p.units, maxAbsDiff: prep.maxAbsDiff },
            },
          ),
        );
      }
      const after = await call('memory');
      facts[`${backend}Tensors`] = { beforeTimedRounds: before, after };
      if (after.numTensors !== before.numTensors) throw new Error(`${backend}: ${after.numTensors - before.numTensors} tensors leaked across the timed rounds`);
      if (errors.length) throw new Error(`cnn page (${backend}): ${errors.join('; ')}`);
    } finally {
      await context.close();
    }
  }
  return judged({ key: KEY, title: TITLE, status: 'measured', figures, facts });
}
