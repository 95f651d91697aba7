// `ferryml verify`: check a bundle (or every bundle of a models directory) on disk.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../bundle/args.js';
import { loadPublicKeys } from '../bundle/keys.js';
import { verifyBundleDir, verifyModelsDir, type BundleReport } from '../bundle/verify.js';

/** `ferryml verify --help` text. */
export const usage = `Usage: ferryml verify <bundle-dir|models-dir> [--key KEY.pub.jwk.json|KEY.pub.pem]… [--allow-unverified] [--quiet]

Checks every file the manifest lists (size and sha256, as a browser does before caching),
model.json's weight paths, schema and golden shape, and with --key the signature. Given a
models directory (with index.json), checks every listed version and the registry itself (with
--key also its signature and expiry). Exits 1 when anything is wrong, and when a signature is
present but could not be checked (no --key) unless --allow-unverified. Repeat --key during a key
rotation: a signature by any of the keys given is accepted, as by publicKey: [newKey, oldKey].`;

const PASS_KEY = 'pass --key KEY.pub.jwk.json (or --allow-unverified)';

/**
 * One line per bundle (`ok`/`FAIL`, name@version, directory, signature), then its files and problems.
 * A signature present but not checked fails the line unless `allow` (--allow-unverified): "signed"
 * proves nothing until someone checks it.
 */
function print(r: BundleReport, quiet: boolean, allow: boolean): boolean {
  const m = r.manifest;
  const unchecked = r.signature === 'unchecked';
  const sig = {
    valid: 'signature valid',
    unchecked: `signed by ${m?.signature?.keyId}, not checked: ${allow ? 'allowed by --allow-unverified' : PASS_KEY}`,
    unsigned: 'unsigned',
    invalid: 'signature INVALID',
  }[r.signature];
  const failed = r.problems.length > 0 || (unchecked && !allow);
  console.log(`${failed ? 'FAIL' : 'ok  '} ${m ? `${m.name}@${m.version}` : r.dir} (${r.dir}) · ${sig}`);
  if (!quiet) for (const line of r.ok) console.log(`     ok  ${line}`);
  for (const w of r.warnings) console.log(`     warn ${w}`);
  for (const p of r.problems) console.log(`     FAIL ${p}`);
  return failed;
}

/** Runs the command; resolves to the exit code (0 ok, 1 a problem found, 2 usage). */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { key: { type: 'string', multiple: true }, quiet: { type: 'boolean' }, 'allow-unverified': { type: 'boolean' } },
    usage,
  );
  const dir = positionals[0];
  if (!dir) {
    console.error(usage);
    return 2;
  }
  const key = await loadPublicKeys(values.key);
  const quiet = values.quiet ?? false;
  // A signature nobody checked proves nothing: it fails (exit 1) unless told it is fine.
  const allow = values['allow-unverified'] ?? false;
  if (existsSync(join(dir, 'index.json')) && !existsSync(join(dir, 'manifest.json'))) {
    const { registry, bundles, registrySignature } = await verifyModelsDir(dir, key);
    for (const p of registry) console.log(`FAIL ${p}`);
    let failed = registry.length;
    if (registrySignature === 'unchecked') {
      console.log(`${allow ? 'ok  ' : 'FAIL'} ${join(dir, 'index.json')} · signed, not checked: ${allow ? 'allowed by --allow-unverified' : PASS_KEY}`);
      if (!allow) failed++;
    }
    for (const b of bundles) if (print(b, quiet, allow)) failed++;
    console.log(failed ? `${failed} problem(s)` : `all ${bundles.length} bundle(s) verified`);
    return failed ? 1 : 0;
  }
  return print(await verifyBundleDir(dir, key), quiet, allow) ? 1 : 0;
}
