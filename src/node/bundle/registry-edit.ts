/**
 * Registry edits behind `publish`, `promote` and `revoke`: pure functions on one entry that
 * return what they changed, in words, and throw on anything that would strand clients
 * (a channel on a revoked or unknown version, stable without a version).
 */
import { compareVersions } from '../../model/compare-versions.js';
import type { RegistryEntry } from '../../model/manifest.js';

function checkFraction(f: number | undefined, channel: string): void {
  if (f === undefined) return;
  if (!(f >= 0 && f <= 1)) throw new Error(`--rollout ${f}: a fraction in [0, 1]`);
  if (channel === 'stable') throw new Error('--rollout applies to a non-stable channel (the fraction of stable clients that get it)');
}

/** Points `channel` at `version` (and sets its rollout fraction). */
export function publish(entry: RegistryEntry, name: string, version: string, channel: string, rollout?: number): string[] {
  checkFraction(rollout, channel);
  if (entry.revoked?.includes(version)) throw new Error(`${name}@${version} is revoked; publish another version`);
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
  if (version === undefined) throw new Error(`${name} has no channel "${opts.from}" to promote (channels: ${Object.keys(entry.channels).join(', ')})`);
  if (!entry.versions.includes(version)) throw new Error(`${name}@${version} is not among its versions (${entry.versions.join(', ')})`);
  const changes = publish(entry, name, version, opts.to, opts.rollout);
  if (opts.to === 'stable' && entry.rollout?.[opts.from] !== undefined && entry.channels[opts.from] === version) {
    const { [opts.from]: _stable, ...rollout } = entry.rollout;
    entry.rollout = rollout;
    changes.push(`${name} rollout "${opts.from}" removed (its version is stable now)`);
  }
  return changes;
}

/** Revokes `version`; channels on it roll back to the newest earlier version that is not revoked. */
export function revoke(entry: RegistryEntry, name: string, version: string): string[] {
  if (!entry.versions.includes(version)) throw new Error(`${name}@${version} is not among its versions (${entry.versions.join(', ')})`);
  const changes: string[] = [];
  if (!entry.revoked?.includes(version)) {
    (entry.revoked ??= []).push(version);
    changes.push(`revoked ${name}@${version}: clients never load it again, even from cache`);
  }
  for (const [channel, v] of Object.entries(entry.channels)) {
    if (v !== version) continue;
    const previous = entry.versions
      .filter((x) => !entry.revoked!.includes(x) && compareVersions(x, version) < 0)
      .sort(compareVersions)
      .pop();
    if (previous === undefined) {
      throw new Error(
        `channel "${channel}" of ${name} is on ${version} and no earlier version is left to roll back to; publish a fixed version to "${channel}" first`,
      );
    }
    entry.channels[channel] = previous;
    changes.push(`${name} channel "${channel}": ${version} → ${previous} (rolled back)`);
  }
  return changes;
}
