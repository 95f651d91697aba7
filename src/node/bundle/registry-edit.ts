/**
 * Registry edits behind `publish`, `promote` and `revoke`: pure functions on one entry that
 * return what they changed, in words, and throw on anything that would strand clients
 * (a channel on a revoked or unknown version, stable without a version, a release channel
 * rolled back onto a prerelease).
 */
import { FerryError } from '../../errors.js';
import { compareVersions } from '../../model/compare-versions.js';
import type { RegistryEntry } from '../../model/manifest.js';

/** True for a semver prerelease (`2.0.0-rc.1`): a `-` in the version before any `+build`, as ../../model/compare-versions.ts reads it. */
export const isPrerelease = (version: string): boolean => (version.replace(/^v/, '').split('+')[0] ?? '').includes('-');

function checkFraction(f: number | undefined, channel: string): void {
  if (f === undefined) return;
  const bad = (why: string) => new FerryError('INVALID_OPTIONS', why, { details: { option: '--rollout', got: f, channel } });
  if (!(f >= 0 && f <= 1)) throw bad(`--rollout ${f}: pass a fraction in [0, 1]`);
  if (channel === 'stable') throw bad('--rollout applies to a non-stable channel (the fraction of stable clients that get it); leave it out for stable');
}

function notListed(entry: RegistryEntry, name: string, version: string): FerryError {
  return new FerryError('VERSION_NOT_FOUND', `${name}@${version} is not among its versions (${entry.versions.join(', ')}); run \`ferryml pack\` first`, {
    details: { name, version, available: entry.versions },
  });
}

/** Points `channel` at `version` (and sets its rollout fraction). */
export function publish(entry: RegistryEntry, name: string, version: string, channel: string, rollout?: number): string[] {
  checkFraction(rollout, channel);
  if (entry.revoked?.includes(version))
    throw new FerryError('VERSION_REVOKED', `${name}@${version} is revoked; publish another version`, { details: { name, version, revoked: entry.revoked } });
  const changes: string[] = [];
  if (!entry.versions.includes(version)) {
    entry.versions.push(version);
    changes.push(`added ${name}@${version} to versions`);
  }
  if (entry.channels[channel] !== version) changes.push(`${name} channel "${channel}": ${entry.channels[channel] ?? '(none)'} → ${version}`);
  entry.channels[channel] = version;
  if (rollout !== undefined) {
    changes.push(`${name} rollout "${channel}": ${entry.rollout?.[channel] ?? 0} → ${rollout}`);
    (entry.rollout ??= {})[channel] = rollout;
  }
  return changes;
}

/** Moves `to` onto `from`'s version (or `version`); when `to` is stable, `from`'s rollout has served its purpose and is removed. */
export function promote(
  entry: RegistryEntry,
  name: string,
  opts: { version?: string | undefined; from: string; to: string; rollout?: number | undefined },
): string[] {
  const version = opts.version ?? entry.channels[opts.from];
  if (version === undefined) {
    throw new FerryError(
      'VERSION_NOT_FOUND',
      `${name} has no channel "${opts.from}" to promote (channels: ${Object.keys(entry.channels).join(', ')}); pass --from CHANNEL or a version`,
      { details: { name, channel: opts.from, channels: entry.channels } },
    );
  }
  if (!entry.versions.includes(version)) throw notListed(entry, name, version);
  const changes = publish(entry, name, version, opts.to, opts.rollout);
  if (opts.to === 'stable' && entry.rollout?.[opts.from] !== undefined && entry.channels[opts.from] === version) {
    const { [opts.from]: _stable, ...rollout } = entry.rollout;
    entry.rollout = rollout;
    changes.push(`${name} rollout "${opts.from}" removed (its version is stable now)`);
  }
  return changes;
}

/**
 * Revokes `version`; channels on it roll back to the newest earlier version that is not revoked,
 * and a channel on a release only to a release (stable never lands on a prerelease by a revoke).
 */
export function revoke(entry: RegistryEntry, name: string, version: string): string[] {
  if (!entry.versions.includes(version)) throw notListed(entry, name, version);
  const changes: string[] = [];
  if (!entry.revoked?.includes(version)) {
    (entry.revoked ??= []).push(version);
    changes.push(`revoked ${name}@${version}: clients never load it again, even from cache`);
  }
  const releasesOnly = !isPrerelease(version);
  for (const [channel, v] of Object.entries(entry.channels)) {
    if (v !== version) continue;
    const previous = entry.versions
      .filter((x) => !entry.revoked!.includes(x) && compareVersions(x, version) < 0 && !(releasesOnly && isPrerelease(x)))
      .sort(compareVersions)
      .pop();
    if (previous === undefined) {
      throw new FerryError(
        'VERSION_NOT_FOUND',
        `channel "${channel}" of ${name} is on ${version} and no earlier version is left to roll back to${releasesOnly ? ' (a channel on a release rolls back only to a release, never a prerelease)' : ''}; publish a fixed version to "${channel}" first`,
        { details: { name, version, channel, versions: entry.versions, revoked: entry.revoked } },
      );
    }
    entry.channels[channel] = previous;
    changes.push(`${name} channel "${channel}": ${version} → ${previous} (rolled back)`);
  }
  return changes;
}
