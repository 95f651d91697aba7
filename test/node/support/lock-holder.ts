// A child process for test/node/registry-lock.test.ts: at `startAt` (ms since epoch) it takes the
// lock, logs "enter"/"exit" around `holdMs` of holding it and "takeover" when it took over a stale one.
import { appendFileSync } from 'node:fs';
import { acquireLock } from '../../../src/node/bundle/registry-lock.js';

const [lock, log, startAt, holdMs] = process.argv.slice(2) as [string, string, string, string];
const line = (what: string) => appendFileSync(log, `${what} ${process.pid}\n`);
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
const release = await acquireLock(lock, { waitMs: 30_000, warn: () => line('takeover') });
line('enter');
await new Promise((r) => setTimeout(r, Number(holdMs)));
line('exit');
await release();
