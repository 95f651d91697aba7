/**
 * The registry (`models/index.json`) and version resolution:
 * explicit pin > named channel > rollout (when asking for `stable`, onto a newer version) > `stable`.
 * A revoked version is never chosen, whichever rule points at it.
 */
import { show } from '../check-options.js';
import { FerryError } from '../errors.js';
import type { Registry, RegistryEntry } from './manifest.js';
import { pickRollout } from './rollout.js';

/** What a client asks for. */
export interface VersionRequest {
  name: string;
  version?: string | undefined;
  /** @default "stable" */
  channel?: string | undefined;
  /** Needed for rollout; without it rollout is skipped. */
  clientId?: string | undefined;
}

/** The chosen version and the rule that chose it. */
export interface Resolution {
  version: string;
  resolvedBy: 'pin' | 'channel' | 'rollout' | 'stable';
  /** The channel followed, when one was. */
  channel?: string;
}

/** Returns `json` as a Registry or throws `REGISTRY_INVALID` naming the problem. */
export function parseRegistry(json: unknown, where: string): Registry {
  // Fetched JSON: every field is checked here, so it is read as `unknown` until then.
  const models = (json as { models?: unknown } | null)?.models;
  const bad = (why: string) =>
    new FerryError('REGISTRY_INVALID', `${where}: invalid registry: ${why}. Rebuild it with \`ferryml pack\`/\`publish\`.`, { details: { url: where, why } });
  if (typeof models !== 'object' || models === null || Array.isArray(models)) throw bad('expected {"models": {...}}');
  const need = (field: string, what: string, v: unknown) => bad(`${field} must be ${what}, got ${show(v)}`);
  const str = (v: unknown) => typeof v === 'string';
  /** Checks that `v` is an array (`list`) or a plain object whose every item passes `ok`, naming the first that does not. */
  const each = (field: string, v: unknown, list: boolean, what: string, ok: (item: unknown) => boolean) => {
    if (typeof v !== 'object' || !v || Array.isArray(v) !== list) throw need(field, list ? 'an array' : 'an object', v);
    for (const [k, item] of Object.entries(v)) if (!ok(item)) throw need(list ? `${field}[${k}]` : `${field}.${k}`, what, item);
  };
  for (const [name, raw] of Object.entries(models)) {
    const e = raw as Partial<Record<keyof RegistryEntry, unknown>> | null | undefined;
    const at = `models.${name}`;
    each(`${at}.versions`, e?.versions, true, 'a version string', str);
    each(`${at}.channels`, e?.channels, false, 'a version string', str);
    if (e?.rollout !== undefined) each(`${at}.rollout`, e.rollout, false, 'a fraction in [0, 1]', (f) => typeof f === 'number' && f >= 0 && f <= 1);
    if (e?.revoked !== undefined) each(`${at}.revoked`, e.revoked, true, 'a version string', str);
    // `files` (optional) only names requests: checked where it is used (./request-listed.ts), a bad one is ignored.
  }
  const top = json as Partial<Record<keyof Registry, unknown>>;
  if (top.registryVersion !== undefined && !(typeof top.registryVersion === 'number' && Number.isSafeInteger(top.registryVersion) && top.registryVersion >= 0))
    throw need('registryVersion', 'a whole number ≥ 0', top.registryVersion);
  // Without a zone, Date.parse reads a date-time in the client's local time: every client would expire it at another moment.
  if (top.expires !== undefined && (typeof top.expires !== 'string' || !/T.*(Z|[+-]\d\d:\d\d)$/i.test(top.expires) || Number.isNaN(Date.parse(top.expires))))
    throw need('expires', 'an ISO 8601 time with Z or an offset', top.expires);
  if (top.nextKey !== undefined && (typeof top.nextKey !== 'object' || top.nextKey === null)) throw need('nextKey', 'a public JWK', top.nextKey);
  return json as Registry;
}

/** The registry entry of `name`, or `MODEL_NOT_FOUND` listing the names there are. */
export function registryEntry(registry: Registry, name: string, where: string): RegistryEntry {
  const entry = registry.models[name];
  if (!entry) {
    throw new FerryError('MODEL_NOT_FOUND', `${where}: no model "${name}" in the registry (it has: ${Object.keys(registry.models).join(', ') || 'none'})`, {
      details: { url: where, name, available: Object.keys(registry.models) },
    });
  }
  return entry;
}

/** True when `version` is listed as revoked for this entry. */
export const isRevoked = (entry: RegistryEntry | undefined, version: string): boolean => entry?.revoked?.includes(version) ?? false;

/** Resolves a request against one registry entry; throws `VERSION_NOT_FOUND` or `VERSION_REVOKED`. */
export function resolveVersion(entry: RegistryEntry, request: VersionRequest, where: string): Resolution {
  const { name } = request;
  const details = { url: where, name, version: request.version, channel: request.channel };
  const checked = (version: string, resolvedBy: Resolution['resolvedBy'], via: string, channel?: string): Resolution => {
    if (!entry.versions.includes(version)) {
      throw new FerryError('VERSION_NOT_FOUND', `${where}: ${via} names ${name}@${version}, which is not among its versions (${entry.versions.join(', ')})`, {
        details: { ...details, version, available: entry.versions },
      });
    }
    if (isRevoked(entry, version)) {
      throw new FerryError(
        'VERSION_REVOKED',
        `${name}@${version} (${via}) is revoked in ${where}; it is never loaded, even from cache. Pin another version or promote one to the channel.`,
        {
          details: { ...details, version, revoked: entry.revoked },
        },
      );
    }
    return channel === undefined ? { version, resolvedBy } : { version, resolvedBy, channel };
  };
  if (request.version !== undefined) return checked(request.version, 'pin', 'the pinned version');
  const channel = request.channel ?? 'stable';
  if (channel === 'stable' && request.clientId !== undefined) {
    // A rollout to a missing, revoked or older version falls through to stable rather than failing clients.
    const picked = pickRollout(entry, name, request.clientId);
    if (picked !== undefined) return { version: entry.channels[picked]!, resolvedBy: 'rollout', channel: picked };
  }
  const target = entry.channels[channel];
  if (target === undefined) {
    throw new FerryError(
      'VERSION_NOT_FOUND',
      `${where}: model "${name}" has no channel "${channel}" (channels: ${Object.keys(entry.channels).join(', ') || 'none'})`,
      {
        details: { ...details, channels: entry.channels },
      },
    );
  }
  return checked(target, channel === 'stable' ? 'stable' : 'channel', `channel "${channel}"`, channel);
}
