/** Which manifest paths a bundle may name (its own module: the SDK core checks them too, ./prefetch-files.ts). */

/** URL of the bundle file at manifest `path` in the version directory `baseUrl`. */
export const fileUrl = (baseUrl: string, path: string) => `${baseUrl}${path.split('/').map(encodeURIComponent).join('/')}`;

/** True for a relative path that stays inside the bundle directory. */
export function isSafeBundlePath(path: string): boolean {
  return (
    path.length > 0 &&
    !path.startsWith('/') &&
    !path.includes('\\') &&
    !/^[a-z][a-z0-9+.-]*:/i.test(path) &&
    path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
  );
}
