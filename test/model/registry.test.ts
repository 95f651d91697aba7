// Version resolution and rollout buckets, as plain functions (no network).
import { expect } from 'chai';
import { parseRegistry, resolveVersion, rolloutBucket, type RegistryEntry } from '../../src/entries/bundle.js';
import { pickRolloutChannel } from '../../src/model/rollout.js';
import { compareVersions } from '../../src/model/compare-versions.js';

const entry: RegistryEntry = {
  versions: ['1.0.0', '1.1.0', '1.2.0', '2.0.0-rc.1'],
  channels: { stable: '1.1.0', canary: '1.2.0', beta: '2.0.0-rc.1', old: '1.0.0' },
  rollout: { canary: 0.1 },
  revoked: ['1.0.0'],
};
const resolve = (request: Parameters<typeof resolveVersion>[1]) => resolveVersion(entry, request, 'index.json');

function ids(n: number): string[] {
  return Array.from({ length: n }, () => crypto.randomUUID());
}

describe('registry: resolution', () => {
  it('pin beats channel; channel beats rollout; rollout applies only to stable requests', () => {
    const inCanary = ids(1000).find((id) => rolloutBucket(id, 'm') < 0.1)!;
    expect(resolve({ name: 'm', version: '1.2.0', channel: 'beta', clientId: inCanary })).to.deep.equal({ version: '1.2.0', resolvedBy: 'pin' });
    expect(resolve({ name: 'm', channel: 'beta', clientId: inCanary })).to.deep.equal({ version: '2.0.0-rc.1', resolvedBy: 'channel', channel: 'beta' });
    expect(resolve({ name: 'm', clientId: inCanary })).to.deep.equal({ version: '1.2.0', resolvedBy: 'rollout', channel: 'canary' });
    expect(resolve({ name: 'm' })).to.deep.equal({ version: '1.1.0', resolvedBy: 'stable', channel: 'stable' });
  });

  it('a revoked version is never chosen: pinned or via a channel it throws, via rollout it falls through to stable', () => {
    expect(() => resolve({ name: 'm', version: '1.0.0' }))
      .to.throw()
      .with.property('code', 'VERSION_REVOKED');
    expect(() => resolve({ name: 'm', channel: 'old' }))
      .to.throw()
      .with.property('code', 'VERSION_REVOKED');
    const e2: RegistryEntry = { ...entry, channels: { ...entry.channels, canary: '1.0.0' }, rollout: { canary: 1 } };
    expect(resolveVersion(e2, { name: 'm', clientId: 'x' }, 'i')).to.deep.include({ version: '1.1.0', resolvedBy: 'stable' });
  });

  it('rejects malformed registries with REGISTRY_INVALID', () => {
    expect(() => parseRegistry({ models: { m: { versions: '1.0.0', channels: {} } } }, 'r'))
      .to.throw()
      .with.property('code', 'REGISTRY_INVALID');
    expect(() => parseRegistry({ models: { m: { versions: [], channels: {}, rollout: { canary: 2 } } } }, 'r')).to.throw(/rollout/);
    expect(() => parseRegistry([], 'r'))
      .to.throw()
      .with.property('code', 'REGISTRY_INVALID');
  });

  it('orders versions semver-like for the offline fallback', () => {
    expect(['1.10.0', '1.2.0', '2.0.0-rc.1', '2.0.0', '1.2.0-beta.2', '1.2.0-beta.10'].sort(compareVersions)).to.deep.equal([
      '1.2.0-beta.2',
      '1.2.0-beta.10',
      '1.2.0',
      '1.10.0',
      '2.0.0-rc.1',
      '2.0.0',
    ]);
  });
});

describe('registry: rollout buckets', () => {
  it('are stable per client and model, and independent across models', () => {
    const id = crypto.randomUUID();
    expect(rolloutBucket(id, 'm')).to.equal(rolloutBucket(id, 'm'));
    const sample = ids(2000);
    const same = sample.filter((x) => rolloutBucket(x, 'a') < 0.5 === rolloutBucket(x, 'b') < 0.5).length;
    // Independent halves agree about half the time (sd ≈ 22 over 2,000).
    expect(same).to.be.within(850, 1150);
  });

  for (const fraction of [0.01, 0.1, 0.25, 0.5]) {
    it(`put ${fraction * 100}% of 10,000 random client ids in the canary (within 5 standard deviations)`, () => {
      const n = 10_000;
      const hits = ids(n).filter((id) => pickRolloutChannel(rolloutBucket(id, 'penguins'), { canary: fraction }) === 'canary').length;
      const sd = Math.sqrt(n * fraction * (1 - fraction));
      expect(Math.abs(hits - n * fraction)).to.be.below(5 * sd);
    });
  }

  it('split sequential ids (client-0, client-1, …) as evenly as random ones', () => {
    const hits = Array.from({ length: 10_000 }, (_, i) => rolloutBucket(`client-${i}`, 'penguins')).filter((b) => b < 0.1).length;
    expect(Math.abs(hits - 1000)).to.be.below(5 * 30);
  });

  it('give several channels disjoint slices; growing one fraction only adds clients to it', () => {
    const sample = ids(10_000);
    const before = sample.map((id) => pickRolloutChannel(rolloutBucket(id, 'm'), { a: 0.1, b: 0.2 }));
    const after = sample.map((id) => pickRolloutChannel(rolloutBucket(id, 'm'), { a: 0.1, b: 0.3 }));
    const count = (xs: Array<string | undefined>, c: string | undefined) => xs.filter((x) => x === c).length;
    expect(Math.abs(count(before, 'a') - 1000)).to.be.below(150);
    expect(Math.abs(count(before, 'b') - 2000)).to.be.below(200);
    before.forEach((c, i) => {
      if (c !== undefined) expect(after[i]).to.equal(c);
    });
  });
});
