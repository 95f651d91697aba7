// `ferryml keygen`: an ECDSA P-256 key pair for signing bundle manifests.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../bundle/args.js';
import { prettyJson, writeFileAtomic } from '../bundle/files.js';
import { generateKeys } from '../bundle/keys.js';

/** `ferryml keygen --help` text. */
export const usage = `Usage: ferryml keygen [--out DIR] [--name NAME] [--force]

Writes an ECDSA P-256 key pair for \`ferryml pack --sign\`:
  DIR/NAME.pem           private key (PKCS#8 PEM, mode 600): keep it out of the web root and git
  DIR/NAME.pub.pem       public key (SPKI PEM), for \`ferryml verify --key\`
  DIR/NAME.pub.jwk.json  public key as a JWK: pass it to openBundle({ publicKey })
Options: --out DIR (default: .), --name NAME (default: ferryml), --force (overwrite)`;

/** Runs the command; resolves to the exit code (0 ok, 1 a problem found, 2 usage). */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { out: { type: 'string', default: '.' }, name: { type: 'string', default: 'ferryml' }, force: { type: 'boolean' } }, usage);
  const base = join(values.out, values.name);
  if (existsSync(`${base}.pem`) && !values.force) {
    console.error(`ferryml keygen: ${base}.pem exists; refusing to overwrite a signing key (pass --force)`);
    return 1;
  }
  const keys = await generateKeys();
  await writeFileAtomic(`${base}.pem`, keys.privatePem, 0o600);
  await writeFileAtomic(`${base}.pub.pem`, keys.publicPem);
  await writeFileAtomic(`${base}.pub.jwk.json`, prettyJson(keys.publicJwk));
  console.log(`key ${keys.keyId}\n  private ${base}.pem\n  public  ${base}.pub.pem, ${base}.pub.jwk.json`);
  return 0;
}
