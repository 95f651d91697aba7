// Runs test/edge/conformance.mjs in the runtime that executes this file (node, bun or deno):
//   <runtime> test/edge/run-conformance.mjs <sdk-dir> <bundle-url> <bundle-dir> [telemetry-endpoint]
// and prints one line `CONFORMANCE <json>` (or `CONFORMANCE-ERROR <json>` and exit 1).
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { conformance } from './conformance.mjs';

const [sdkDir, bundleUrl, bundleDir, telemetryEndpoint] = process.argv.slice(2);
const runtime =
  typeof globalThis.Bun !== 'undefined'
    ? { name: 'bun', version: globalThis.Bun.version }
    : typeof globalThis.Deno !== 'undefined'
      ? { name: 'deno', version: globalThis.Deno.version.deno }
      : { name: 'node', version: process.versions.node };
try {
  const sdk = await import(pathToFileURL(resolve(sdkDir, 'ferryml.js')).href);
  const files = async (path) => new Uint8Array(await readFile(join(bundleDir, path)));
  const result = await conformance(sdk, { bundleUrl, files, runtime, telemetryEndpoint });
  console.log(`CONFORMANCE ${JSON.stringify(result)}`);
} catch (e) {
  console.log(`CONFORMANCE-ERROR ${JSON.stringify({ runtime, code: e?.code ?? null, message: String(e?.message ?? e), stack: String(e?.stack ?? '') })}`);
  process.exitCode = 1;
}
