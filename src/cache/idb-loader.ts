/** How the browser entries load their IndexedDB code (./idb-slot.ts): lazily, with the plain-path chunk. */
import type { IdbCode } from './idb-slot.js';

export const IDB_CODE = (): Promise<IdbCode> => import('./idb-code.js').then((m) => m.IDB);
