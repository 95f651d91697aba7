/** Checks one file's bytes against its manifest entry: size first (cheap, names truncation), then sha256. */
import { FerryError } from '../errors.js';
import { sha256Hex } from './digest.js';
import type { BundleFile } from './manifest.js';

/**
 * Throws `SIZE_MISMATCH` or `INTEGRITY_MISMATCH` unless `bytes` are exactly the file `entry` lists.
 * @param where the file's URL or path, for the message.
 * @param digest the sha256 of these very `bytes`, when already being computed (../cache/early-idb.ts).
 */
export async function verifyFile(entry: BundleFile, bytes: Uint8Array, where: string, digest?: Promise<string>): Promise<void> {
  if (bytes.byteLength !== entry.bytes) {
    throw new FerryError(
      'SIZE_MISMATCH',
      `${where}: got ${bytes.byteLength} bytes, the manifest lists ${entry.bytes}${bytes.byteLength < entry.bytes ? ' (truncated download?)' : ''}; the file was not stored`,
      { details: { url: where, path: entry.path, expectedBytes: entry.bytes, gotBytes: bytes.byteLength } },
    );
  }
  const got = await (digest ?? sha256Hex(bytes));
  if (got !== entry.sha256) {
    throw new FerryError(
      'INTEGRITY_MISMATCH',
      `${where}: sha256 ${got} does not match the manifest's ${entry.sha256}; the file is corrupt or was changed after packing, and was not stored`,
      {
        details: { url: where, path: entry.path, expected: entry.sha256, got },
      },
    );
  }
}
