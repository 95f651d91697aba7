/**
 * Remembers which backend a measurement chose, per model version, in localStorage: the next load
 * on the same device skips the measurement. The engine checks the device fingerprint, so a
 * changed GPU or browser measures again. Storage failures (private mode, sandboxed iframes,
 * Node) only mean "measure again"; they never throw.
 */
import type { Manifest } from '../model/manifest.js';
import { BACKEND_NAMES } from './types.js';
import type { RememberedChoice } from './types.js';

/** localStorage key of a model version's remembered choice. */
export const rememberKey = (manifest: Pick<Manifest, 'name' | 'version'>) => `ferryml.backend:${manifest.name}@${manifest.version}`;

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // SecurityError where storage is blocked
  }
}

/** The remembered choice for this model version, if any and well-formed. */
export function readRemembered(manifest: Pick<Manifest, 'name' | 'version'>): RememberedChoice | undefined {
  try {
    const raw = storage()?.getItem(rememberKey(manifest));
    if (!raw) return undefined;
    const value = JSON.parse(raw) as Partial<RememberedChoice>;
    if (typeof value.device !== 'string' || !BACKEND_NAMES.includes(value.backend!) || typeof value.measured !== 'object' || typeof value.at !== 'string')
      return undefined;
    return value as RememberedChoice;
  } catch {
    return undefined;
  }
}

/** Stores a measured choice for this model version. */
export function storeRemembered(manifest: Pick<Manifest, 'name' | 'version'>, choice: RememberedChoice): void {
  try {
    storage()?.setItem(rememberKey(manifest), JSON.stringify(choice));
  } catch {
    // Quota or blocked storage: the next load measures again.
  }
}
