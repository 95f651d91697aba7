// `pack` never gives one name@version two bundles: a version the registry lists is refused with or
// without --force (also when its directory is gone), the check is repeated under the registry lock,
// and the version directory is created exclusively, so of two packs of one version one wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from '../../src/model/manifest.js';
import { packBundle } from '../../src/node/bundle/pack.js';
import type { PackOptions } from '../../src/node/bundle/pack.js';
import { acquireLock } from '../../src/node/bundle/registry-lock.js';
import { verifyBundleDir } from '../../src/node/bundle/verify.js';

const SRC = 'test/fixtures/bundles/models/tiny/1.0.0';

function setup(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-pack-immutable-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const model = join(dir, 'src');
  for (const f of ['model.json', 'group1-shard1of1.bin', 'schema.json', 'golden.json']) cpSync(join(SRC, f), join(model, f));
  const models = join(dir, 'models');
  const options = (version: string, more: Partial<PackOptions> = {}): PackOptions => ({
    model,
    name: 'm',
    version,
    schema: join(model, 'schema.json'),
    golden: join(model, 'golden.json'),
    out: models,
    check: false,
    createdAt: '2027-01-01T00:00:00.000Z',
    ...more,
  });
  const index = join(models, 'index.json');
  return { models, index, options, read: () => JSON.parse(readFileSync(index, 'utf8')) as Registry };
}

test('pack refuses a version the registry lists even when its directory is gone, with or without --force', async (t) => {
  const { models, index, options } = setup(t);
  await packBundle(options('1.0.0'));
  rmSync(join(models, 'm', '1.0.0'), { recursive: true }); // a checkout that keeps only index.json, a deleted directory
  const before = readFileSync(index, 'utf8');
  for (const force of [false, true]) {
    await assert.rejects(packBundle(options('1.0.0', { force, goldenTolerance: 0.5 })), (e: { code?: string; message: string }) => {
      assert.equal(e.code, 'VERSION_EXISTS', e.message);
      assert.match(e.message, /m@1\.0\.0 is published .* never replaces a listed one, with or without --force; pack a new --version/);
      return true;
    });
    assert.equal(existsSync(join(models, 'm', '1.0.0')), false, `force ${force}: no second bundle of m@1.0.0`);
    assert.equal(readFileSync(index, 'utf8'), before, `force ${force}: registry untouched`);
  }
});

test('pack checks again under the registry lock: a version listed meanwhile is refused and its bundle removed', async (t) => {
  const { models, index, options, read } = setup(t);
  await packBundle(options('1.0.0'));
  const release = await acquireLock(`${index}.lock`);
  let releasedEarly = false;
  try {
    const pending = packBundle(options('1.1.0'));
    pending.catch(() => undefined); // judged below
    // Its early checks are done once its directory exists; another writer lists the version now.
    for (let i = 0; i < 2000 && !existsSync(join(models, 'm', '1.1.0', 'manifest.json')); i++) await sleep(5);
    const other = read();
    other.models.m!.versions.push('1.1.0');
    writeFileSync(index, JSON.stringify(other));
    await release();
    releasedEarly = true;
    await assert.rejects(pending, (e: { code?: string; message: string }) => {
      assert.equal(e.code, 'VERSION_EXISTS', e.message);
      assert.match(e.message, /m@1\.1\.0 is published/);
      return true;
    });
  } finally {
    if (!releasedEarly) await release();
  }
  assert.equal(existsSync(join(models, 'm', '1.1.0')), false, 'the refused bundle is removed');
  assert.deepEqual(read().models.m!.versions, ['1.0.0', '1.1.0'], "the other writer's registry stays");
});

test('two packs of one new version at once: one registers it, the other is refused, and the bundle on disk is the winner’s', async (t) => {
  const { models, options, read } = setup(t);
  await packBundle(options('1.0.0'));
  const results = await Promise.allSettled([packBundle(options('2.0.0', { goldenTolerance: 0.01 })), packBundle(options('2.0.0', { goldenTolerance: 0.02 }))]);
  const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code?: string; message: string }] : []));
  assert.equal(won.length, 1, JSON.stringify(lost.map((e) => e.message)));
  assert.equal(lost[0]!.code, 'VERSION_EXISTS', lost[0]!.message);
  const dir = join(models, 'm', '2.0.0');
  const report = await verifyBundleDir(dir);
  assert.deepEqual(report.problems, []);
  assert.equal(report.manifest?.goldenTolerance, won[0]!.manifest.goldenTolerance);
  assert.deepEqual(read().models.m!.versions, ['1.0.0', '2.0.0']);
  assert.deepEqual(readdirSync(join(models, 'm')).sort(), ['1.0.0', '2.0.0']);
});
