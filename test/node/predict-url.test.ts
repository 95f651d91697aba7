// `ferryml predict --url … --cache-dir DIR`: the CLI loads from a registry or bundle URL through the
// file-system cache store, so the second run works with the server down (the cached version, offline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, startOrigin } from './support/edge.js';
import { tempDir } from './support/temp-dir.js';

const BUNDLE = 'models/penguins/1.0.0';
const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', 'predict', ...args], 120_000);
const close = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= 1e-5);

async function goldenRows() {
  const golden = JSON.parse(await readFile(`${BUNDLE}/golden.json`, 'utf8')) as { rows: unknown[]; outputs: number[][] };
  const data = join(tempDir('ferryml-predict-url-'), 'rows.json');
  await writeFile(data, JSON.stringify(golden.rows));
  return { data, outputs: golden.outputs };
}

/** Runs predict and checks every golden row's probabilities; returns stderr. */
async function predictsGolden(args: string[]): Promise<string> {
  const { data, outputs } = await goldenRows();
  const r = await cli(...args, '--data', data, '--backend', 'cpu');
  assert.equal(r.code, 0, r.stderr);
  const { predictions } = JSON.parse(r.stdout) as { predictions: Array<{ probabilities: Record<string, number> }> };
  outputs.forEach((want, i) => assert.ok(close(Object.values(predictions[i]!.probabilities), want), `row ${i}: ${JSON.stringify(predictions[i])}`));
  return r.stderr;
}

for (const kind of ['registry', 'bundle'] as const) {
  test(`ferryml predict --url <${kind}> --cache-dir: the first run downloads into the directory, the second works with the server down`, async () => {
    const origin = await startOrigin('.');
    const cacheDir = tempDir('ferryml-predict-cache-');
    const url = kind === 'registry' ? [`${origin.base}/models/index.json`, '--name', 'penguins', '--version', '1.0.0'] : [`${origin.base}/${BUNDLE}/`];
    let closed = false;
    try {
      const first = await predictsGolden(['--url', ...url, '--cache-dir', cacheDir]);
      assert.match(first, /penguins@1\.0\.0, from network/);
      assert.equal(origin.requests.get(`/${BUNDLE}/group1-shard1of1.bin`), 1);
      assert.equal((await readdir(join(cacheDir, 'blobs'))).length, 4, 'the bundle files are in the cache directory');
      await origin.close();
      closed = true;
      const offline = await predictsGolden(['--url', ...url, '--cache-dir', cacheDir]);
      assert.match(offline, /penguins@1\.0\.0, offline: the cached version/);
    } finally {
      if (!closed) await origin.close();
    }
  });
}

test('ferryml predict --url without --cache-dir keeps nothing: with the server down it fails, saying nothing is cached', async () => {
  const { data } = await goldenRows();
  // Nothing listens on port 9 of loopback.
  const r = await cli('--url', 'http://127.0.0.1:9/models/index.json', '--name', 'penguins', '--data', data, '--backend', 'cpu');
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /\[OFFLINE_NO_CACHED_VERSION\] penguins: the network is unreachable .* is cached \(no --cache-dir\)\. Pass --cache-dir DIR: a run while the server is up keeps/,
  );
  assert.doesNotMatch(r.stderr, /cache: false|Load once while online/);
});

test('ferryml predict: --bundle and --url together, a registry URL without --name, --cache-dir with --bundle and a relative --url are usage errors (exit 2)', async () => {
  const { data } = await goldenRows();
  for (const [args, want] of [
    [['--bundle', BUNDLE, '--url', 'http://127.0.0.1:9/models/index.json'], /give one of --bundle DIR or --url URL/],
    [['--url', 'http://127.0.0.1:9/models/index.json'], /--name is required with a registry --url/],
    [['--bundle', BUNDLE, '--cache-dir', tempDir('ferryml-predict-cache-')], /--cache-dir goes with --url/],
    [['--url', 'models/index.json', '--name', 'penguins'], /--url: "models\/index.json" is not an absolute URL/],
    [['--url', 'http://127.0.0.1:9/m/', '--cache-dir', ''], /fileCache: `dir` must be a non-empty directory path/],
  ] as const) {
    const r = await cli(...args, '--data', data);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
  }
});
