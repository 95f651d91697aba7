// Version resolution and rollout buckets, as plain functions (no network).
import { expect } from 'chai';
import { parseRegistry, resolveVersion, rolloutBucket, type RegistryEntry } from '../../src/entries/bundle.js';
import { compareVersions } from '../../src/model/compare-versions.js';

const entry: RegistryEntry = {
  versions: ['1.0.0', '1.1.0', '1.2.0', '2.0.0-rc.1'],
  channels: { stable: '1.1.0', canary: '1.2.0', beta: '2.0.0-rc.1', old: '1.0.0' },
  rollout: { canary: 0.1 },
  revoked: ['1.0.0'],
};
const resolve = (request: Parameters<typeof resolveVersion>[1]) => resolveVersion(entry, request, 'index.json');

/** `n` distinct UUID-shaped client ids, the same on every run (a test that draws random ids can fail by chance). */
function ids(n: number, seed = 1): string[] {
  let h = seed;
  const hex = () => ((h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0).toString(16).padStart(8, '0');
  return Array.from({ length: n }, (_, i) => `${hex()}-${hex().slice(0, 4)}-4${hex().slice(0, 3)}-${i.toString(16).padStart(12, '0')}`);
}

describe('registry: resolution', () => {
  it('pin beats channel; channel beats rollout; rollout applies only to stable requests', () => {
    const inCanary = ids(1000).find((id) => rolloutBucket(id, 'm', 'canary') < 0.1)!;
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

  it('a rollout never moves a client to a version older than (or equal to) stable', () => {
    const e: RegistryEntry = { versions: ['1.1.0', '1.2.0'], channels: { stable: '1.2.0', canary: '1.1.0', same: '1.2.0' }, rollout: { canary: 1, same: 1 } };
    for (const id of ids(100))
      expect(resolveVersion(e, { name: 'm', clientId: id }, 'i')).to.deep.equal({ version: '1.2.0', resolvedBy: 'stable', channel: 'stable' });
  });

  it('rejects malformed registries with REGISTRY_INVALID naming the field, what it must be and what it is', () => {
    const invalid = (models: unknown, field: RegExp) =>
      expect(() => parseRegistry({ models }, 'r'))
        .to.throw(field)
        .with.property('code', 'REGISTRY_INVALID');
    invalid({ m: { versions: '1.0.0', channels: {} } }, /models\.m\.versions must be an array, got "1\.0\.0"/);
    invalid({ m: { versions: ['1.0.0', 1], channels: {} } }, /models\.m\.versions\[1\] must be a version string, got 1\b/);
    invalid({ m: { versions: [], channels: {}, rollout: { canary: 2 } } }, /models\.m\.rollout\.canary must be a fraction in \[0, 1\], got 2\b/);
    invalid({ m: { versions: [], channels: {}, rollout: { beta: -0.1 } } }, /models\.m\.rollout\.beta .* got -0\.1/);
    invalid({ m: { versions: [], channels: {}, rollout: [0.5] } }, /models\.m\.rollout must be an object, got \[0\.5\]/);
    invalid({ m: { versions: ['1'], channels: { stable: 1 } } }, /models\.m\.channels\.stable must be a version string, got 1\b/);
    invalid({ m: { versions: ['1'], channels: ['1'] } }, /models\.m\.channels must be an object/);
    invalid({ m: { versions: ['1'], channels: { stable: '1' }, revoked: ['1', 2] } }, /models\.m\.revoked\[1\] must be a version string, got 2\b/);
    invalid({ m: { versions: ['1'], channels: { stable: '1' }, revoked: '1' } }, /models\.m\.revoked must be an array/);
    expect(() => parseRegistry([], 'r'))
      .to.throw()
      .with.property('code', 'REGISTRY_INVALID');
  });

  it('rejects an expires time without Z or an offset (clients would read it in their own time zones)', () => {
    const at = (expires: string) => () => parseRegistry({ models: {}, expires }, 'r');
    for (const bad of ['2027-01-05T06:00:00', '2027-01-05T06:00:00.000', '2027-01-05', 'soon'])
      expect(at(bad), bad)
        .to.throw(/expires must be an ISO 8601 time with Z or an offset/)
        .with.property('code', 'REGISTRY_INVALID');
    for (const good of ['2027-01-05T06:00:00.000Z', '2027-01-05T06:00:00+02:00', '2027-01-05T06:00:00-05:30']) expect(at(good), good).not.to.throw();
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
  // Deterministic ids: every count below is the same on every run; the bounds are what any fair
  // hash meets (5 standard deviations), so they document the distribution, not one draw of it.
  const N = 100_000;
  const sample = ids(N);
  const within5sd = (hits: number, p: number) => expect(Math.abs(hits - N * p), `${hits} of ${N} for p=${p}`).to.be.below(5 * Math.sqrt(N * p * (1 - p)));
  const entryOf = (channels: Record<string, string>, rollout: Record<string, number>): RegistryEntry => ({
    versions: Object.values(channels),
    channels,
    rollout,
  });
  const picks = (e: RegistryEntry) => sample.map((id) => resolveVersion(e, { name: 'm', clientId: id }, 'i').channel);
  const count = (xs: Array<string | undefined>, c: string) => xs.filter((x) => x === c).length;

  it('are stable per client, model and channel, and independent across models and channels', () => {
    const [id] = ids(1, 7);
    expect(rolloutBucket(id!, 'm', 'canary')).to.equal(rolloutBucket(id!, 'm', 'canary'));
    const agree = (f: (x: string) => boolean, g: (x: string) => boolean) => sample.filter((x) => f(x) === g(x)).length;
    within5sd(
      agree(
        (x) => rolloutBucket(x, 'a', 'canary') < 0.5,
        (x) => rolloutBucket(x, 'b', 'canary') < 0.5,
      ),
      0.5,
    );
    within5sd(
      agree(
        (x) => rolloutBucket(x, 'm', 'alpha') < 0.5,
        (x) => rolloutBucket(x, 'm', 'beta') < 0.5,
      ),
      0.5,
    );
  });

  for (const fraction of [0.01, 0.1, 0.25, 0.5]) {
    it(`put ${fraction * 100}% of ${N} client ids in the canary`, () => {
      within5sd(count(picks(entryOf({ stable: '1.0.0', canary: '1.1.0' }, { canary: fraction })), 'canary'), fraction);
    });
  }

  it('split sequential ids (client-0, client-1, …) as evenly as random ones', () => {
    within5sd(Array.from({ length: N }, (_, i) => rolloutBucket(`client-${i}`, 'penguins', 'canary')).filter((b) => b < 0.1).length, 0.1);
  });

  it('raising one channel only adds clients to it: no client moves between other channels or back to stable', () => {
    const channels = { stable: '1.0.0', beta: '1.1.0', alpha: '1.2.0' };
    const before = picks(entryOf(channels, { alpha: 0.1, beta: 0.1 }));
    const after = picks(entryOf(channels, { alpha: 0.2, beta: 0.1 }));
    within5sd(count(before, 'alpha'), 0.1);
    within5sd(count(after, 'alpha'), 0.2);
    // alpha (the newer) wins where both claim a client: beta keeps the 90% of its claim alpha does not take.
    within5sd(count(before, 'beta'), 0.1 * 0.9);
    within5sd(count(after, 'beta'), 0.1 * 0.8);
    const moved = before.flatMap((c, i) => (c === after[i] ? [] : [`${c ?? 'stable'}→${after[i] ?? 'stable'}`]));
    expect(new Set(moved)).to.deep.equal(new Set(['stable→alpha', 'beta→alpha']));
    // Raising the older channel moves nobody out of the newer one.
    const beta2 = picks(entryOf(channels, { alpha: 0.1, beta: 0.3 }));
    before.forEach((c, i) => {
      if (c === 'alpha') expect(beta2[i]).to.equal('alpha');
      if (c !== beta2[i]) expect(beta2[i]).to.equal('beta');
    });
  });

  it('fractions summing above 1 are not cut: each channel claims its own fraction, the newer version wins a client both claim', () => {
    const after = picks(entryOf({ stable: '1.0.0', a: '1.2.0', b: '1.1.0' }, { a: 0.7, b: 0.7 }));
    within5sd(count(after, 'a'), 0.7);
    within5sd(count(after, 'b'), 0.7 * 0.3);
    within5sd(after.filter((c) => c === 'stable').length, 0.3 * 0.3);
    // The same version on two channels: the first channel by name, for every client, on every run.
    const tie = picks(entryOf({ stable: '1.0.0', y: '1.1.0', x: '1.1.0' }, { y: 1, x: 1 }));
    expect(count(tie, 'x')).to.equal(N);
  });
});
