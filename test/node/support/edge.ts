// Helpers of the edge-runtime tests (test/node/edge-*.test.ts): the built SDK in a scratch
// directory, a Worker bundled the way wrangler bundles one, workerd on a loopback port from a
// generated capnp config, an origin server that counts requests, and the other runtimes' binaries.
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';

const require = createRequire(import.meta.url);

/** The compatibility date the tests run workerd with (the workerd npm package's own release). */
export const WORKERD_COMPAT_DATE = '2026-11-23';

/** How to start each runtime, from its npm package (devDependencies): command and leading arguments. */
export const runtimes = {
  node: [process.execPath],
  bun: [require.resolve('bun/bin/bun.exe')],
  // The binary itself, not the package's bin.cjs: that wrapper does not pass SIGTERM on, which would orphan a Deno server.
  deno: [join(dirname(require.resolve('deno/package.json')), 'deno')],
  workerd: [require.resolve('workerd/bin/workerd')],
};

/** Builds the SDK, `ferryml/edge` and `ferryml/node` (rollup.config.mjs's builds, as `npm run build`) into a scratch dir under .cache/ (so bare imports resolve from node_modules). */
export async function buildSdk(): Promise<{ dir: string; remove(): Promise<void> }> {
  await mkdir('.cache', { recursive: true });
  const dir = await mkdtemp(join(process.cwd(), '.cache', 'edge-sdk-'));
  const config: string = '../../../rollup.config.mjs'; // untyped .mjs: a non-literal specifier keeps tsc from resolving it
  const [{ rollup }, { sdkBuild, edgeBuild, nodeBuild }] = await Promise.all([import('rollup'), import(config)]);
  for (const b of [sdkBuild, edgeBuild, nodeBuild]) {
    const bundle = await rollup({ ...b, onwarn: () => undefined });
    try {
      await bundle.write({ ...b.output, dir, sourcemap: false });
    } finally {
      await bundle.close();
    }
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * esbuild with the options wrangler bundles a Worker with (wrangler itself is not a dependency):
 * ESM, es2022, browser platform with the `workerd`/`worker`/`browser` conditions,
 * `process.env.NODE_ENV` defined, no minification unless asked.
 */
export const WRANGLER_DEFAULTS: BuildOptions = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  conditions: ['workerd', 'worker', 'browser'],
  define: { 'process.env.NODE_ENV': '"production"' },
  write: false,
  logLevel: 'silent',
};

/**
 * Bundles a Worker module: `ferryml[/sub]` → the built SDK in `sdk`; `edge-test:bundle-files` →
 * `bundleDir`'s files as a Map of bytes; `.wasm` imports stay imports (wrangler makes them
 * modules: give them to {@link startWorkerd} as `wasmModules`).
 */
export async function buildWorker(opts: { entry: string; sdk: string; bundleDir?: string; minify?: boolean }): Promise<{ code: string; inputs: string[] }> {
  const { bundleDir } = opts;
  const out = await build({
    ...WRANGLER_DEFAULTS,
    entryPoints: [opts.entry],
    minify: opts.minify ?? false,
    external: ['*.wasm'],
    metafile: true,
    absWorkingDir: process.cwd(),
    plugins: [
      {
        name: 'edge-test',
        setup(b) {
          b.onResolve({ filter: /^ferryml(\/.*)?$/ }, (args) => ({
            path: resolve(opts.sdk, args.path === 'ferryml' ? 'ferryml.js' : `${args.path.slice('ferryml/'.length)}.js`),
          }));
          b.onResolve({ filter: /^edge-test:bundle-files$/ }, () => ({ path: 'bundle-files', namespace: 'edge-test' }));
          b.onLoad({ filter: /.*/, namespace: 'edge-test' }, async () => {
            const names = bundleDir ? (await readdir(bundleDir)).sort() : [];
            const entries = await Promise.all(
              names.map(async (n) => `[${JSON.stringify(n)}, b64(${JSON.stringify((await readFile(join(bundleDir!, n))).toString('base64'))})]`),
            );
            return {
              contents: `const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));\nexport default new Map([${entries.join(',\n')}]);\n`,
              loader: 'js',
            };
          });
        },
      },
    ],
  });
  const [file] = out.outputFiles ?? [];
  if (!file) throw new Error(`esbuild wrote no output for ${opts.entry}`);
  return { code: file.text, inputs: Object.keys(out.metafile.inputs) };
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => done(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

export interface Workerd {
  base: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Runs a Worker module (ESM text) in workerd on a loopback port with text `bindings` (`env.NAME`);
 * its outbound fetches may reach loopback (the test's origin). With `cacheDir`, the Worker's Cache
 * API (`caches.open`, `caches.default`) is workerd's own disk cache service in that directory
 * (`cacheApiOutbound`; experimental, so workerd runs with `--experimental`): entries survive a
 * restart, as an edge location's cache outlives an isolate. `wasmModules` (module name → file)
 * become `wasm` modules, what a Worker's `import x from './x.wasm'` gets.
 */
export async function startWorkerd(
  code: string,
  bindings: Record<string, string> = {},
  opts: { cacheDir?: string; wasmModules?: Record<string, string> } = {},
): Promise<Workerd> {
  const dir = await mkdtemp(join(tmpdir(), 'ferryml-workerd-'));
  await writeFile(join(dir, 'worker.js'), code);
  const wasm = Object.entries(opts.wasmModules ?? {});
  for (const [name, file] of wasm) await copyFile(file, join(dir, name));
  const port = await freePort();
  await writeFile(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "origin", network = (allow = ["public", "private", "local"])),${opts.cacheDir ? `\n    (name = "cache", cache = (path = ${JSON.stringify(opts.cacheDir)})),` : ''}
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js")${wasm.map(([name]) => `, (name = ${JSON.stringify(name)}, wasm = embed ${JSON.stringify(name)})`).join('')} ],
  compatibilityDate = "${WORKERD_COMPAT_DATE}",
  bindings = [ ${Object.entries(bindings)
    .map(([name, text]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`)
    .join(', ')} ],
  globalOutbound = "origin",${opts.cacheDir ? '\n  cacheApiOutbound = "cache",' : ''}
);
`,
  );
  const child = spawn(runtimes.workerd[0]!, ['serve', join(dir, 'config.capnp'), '--verbose', ...(opts.cacheDir ? ['--experimental'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`workerd exited with ${child.exitCode}:\n${log}`);
    }
    // A TCP connect, not a request: a request would run the Worker's fetch handler before the test does.
    if (await canConnect(port)) break;
    if (i > 150) {
      await stop();
      throw new Error(`workerd did not listen on ${base} within 15 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, log: () => log, stop };
}

const TYPES: Record<string, string> = { '.json': 'application/json', '.bin': 'application/octet-stream' };

/** A static server of `root` on loopback that counts requests per path (the "origin" of the edge tests); a POST (telemetry) is kept in `posts` and answered 200. */
export async function startOrigin(
  root: string,
): Promise<{ base: string; requests: Map<string, number>; posts: { path: string; body: string }[]; close(): Promise<void> }> {
  const requests = new Map<string, number>();
  const posts: { path: string; body: string }[] = [];
  const top = resolve(root);
  const server: Server = createHttpServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        posts.push({ path, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      return;
    }
    const file = normalize(join(top, path));
    if (!file.startsWith(top + sep)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    posts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Runs a command to its end (with `env` added to this process's) and returns its output (never throws on a non-zero exit). */
export function run(
  cmd: string,
  args: string[],
  timeoutMs = 120_000,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running server process and waits for its `listening on` line; `stop` ends it (SIGTERM). */
export async function startServer(cmd: string, args: string[], env: Record<string, string>): Promise<{ output(): string; stop(): Promise<void> }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...env } });
  let output = '';
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const listening = new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${cmd} did not listen within 30 s:\n${output}`)), 30_000);
    const on = (d: Buffer) => {
      output += d.toString();
      if (output.includes('listening on')) {
        clearTimeout(timer);
        done();
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${cmd} exited with ${code}:\n${output}`));
    });
  });
  try {
    await listening;
  } catch (e) {
    await stop();
    throw e;
  }
  return { output: () => output, stop };
}

/** A counter of `requests` (an origin's, see {@link startOrigin}): each call returns the requests per file name under `/models/` since the last call. */
export function requestCounter(requests: Map<string, number>): () => Record<string, number> {
  let seen = new Map(requests);
  return () => {
    const out: Record<string, number> = {};
    for (const [path, n] of requests) {
      const d = n - (seen.get(path) ?? 0);
      if (d > 0 && path.startsWith('/models/')) out[path.slice(path.lastIndexOf('/') + 1)] = d;
    }
    seen = new Map(requests);
    return out;
  };
}
