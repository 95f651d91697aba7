// Key files the CLI reads (--sign, --next-key, verify --key): one that cannot be read, parsed or
// imported as ECDSA P-256 is refused with DATA_INVALID (exit 1) naming the file, before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliError as failure } from './support/cli-in-process.js';

const KEY = 'test/fixtures/bundles/keys/test.pem';

test('bad key files are refused with DATA_INVALID naming the file; a --next-key that is not P-256 is never written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-key-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const models = join(dir, 'models');
  cpSync('test/fixtures/bundles/models', models, { recursive: true });
  const text = () => readFileSync(join(models, 'index.json'), 'utf8');
  const before = text();
  const badPem = join(dir, 'bad.pem');
  writeFileSync(badPem, '-----BEGIN PRIVATE KEY-----\nnot*base64!\n-----END PRIVATE KEY-----\n');
  const badJson = join(dir, 'bad.jwk.json');
  writeFileSync(badJson, '{ "kty": "EC", ');
  const badPoint = join(dir, 'point.jwk.json');
  writeFileSync(badPoint, JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'not base64!', y: 'zz' }));
  const p384 = join(dir, 'p384.jwk.json');
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify']);
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  writeFileSync(p384, JSON.stringify({ kty, crv, x, y }));
  for (const [args, file] of [
    [['publish', 'tiny', '2.0.0', '--models', models, '--sign', badPem], badPem],
    [['publish', 'tiny', '2.0.0', '--models', models, '--sign', join(dir, 'missing.pem')], join(dir, 'missing.pem')],
    [['publish', 'tiny', '2.0.0', '--models', models, '--sign', KEY, '--next-key', badJson], badJson],
    [['publish', 'tiny', '2.0.0', '--models', models, '--sign', KEY, '--next-key', badPoint], badPoint],
    [['publish', 'tiny', '2.0.0', '--models', models, '--sign', KEY, '--next-key', p384], p384],
    [['verify', models, '--key', badJson], badJson],
  ] as const) {
    const f = await failure(...args);
    assert.equal(f.code, 'DATA_INVALID', `${args.join(' ')}: ${f.code} ${f.message}`);
    assert.equal(f.exit, 1);
    assert.ok(f.message.startsWith(`${file}: `), f.message);
    assert.match(f.message, /ferryml keygen/);
  }
  assert.equal(text(), before, 'nothing written');
});
