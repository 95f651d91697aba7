/** The IndexedDB code the browser entries offer (./idb-slot.ts), loaded with the plain-path chunk (rollup.config.mjs). */
import type { IdbCode } from './idb-slot.js';
import { createIdbStore } from './idb-store.js';
import { openBucket } from './storage-bucket.js';
import { noteStored, storedBefore } from './stored-hint.js';
import { prefetchFiles } from '../model/prefetch-files.js';
import { requestListed } from '../model/request-listed.js';
import { checkEarlyRead } from '../model/read-cached-version.js';
import { sendAhead } from '../model/send-ahead.js';
import { registryDeadline } from '../model/registry-deadline.js';

export const IDB: IdbCode = {
  createStore: createIdbStore,
  openBucket,
  storedBefore,
  noteStored,
  prefetchFiles,
  requestListed,
  checkEarlyRead,
  sendAhead,
  registryDeadline,
};
