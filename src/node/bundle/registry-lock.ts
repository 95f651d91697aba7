/**
 * `index.json.lock`: the lock every registry write holds. It records its holder (pid, hostname,
 * time, a random token), so that a lock left by a killed command is taken over instead of being
 * deleted by hand: stale when its pid is not running on this host, or when it is older than
 * `staleMs` (a pid on another host cannot be checked, and a pid can be reused).
 */
import { randomUUID } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { FerryError } from '../../errors.js';

/** What the lock file holds. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  createdAt: string;
  /** Random per acquisition: tells this lock from a later one of the same pid. */
  token: string;
}

/** How {@link acquireLock} waits and when it calls a lock stale. */
export interface LockOptions {
  /** How long to wait for a live holder. @default 10_000 */
  waitMs?: number | undefined;
  /** A lock older than this is stale even when its pid runs (or cannot be checked). @default 600_000 (10 min) */
  staleMs?: number | undefined;
  /** Where "took over a stale lock" is said. @default console.error */
  warn?: ((message: string) => void) | undefined;
}

const DEFAULTS = { waitMs: 10_000, staleMs: 600_000 };
/** A takeover holds `<lock>.takeover` for a few milliseconds; one older than this was left by a killed taker. */
const TAKEOVER_STALE_MS = 30_000;

/** A lock as found on disk: its owner (absent while being written, or from an older ferryml), inode and age. */
interface Held {
  owner?: LockOwner | undefined;
  ino: number;
  bornMs: number;
}

async function readHeld(path: string): Promise<Held | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { ino, mtimeMs } = await fh.stat();
    let owner: LockOwner | undefined;
    try {
      const o = JSON.parse(await fh.readFile('utf8')) as Partial<LockOwner> | null;
      if (typeof o?.pid === 'number' && typeof o.hostname === 'string' && typeof o.createdAt === 'string' && typeof o.token === 'string')
        owner = o as LockOwner;
    } catch {
      // Empty (being written, or an older ferryml's lock): judged by its age alone.
    }
    const created = owner ? Date.parse(owner.createdAt) : NaN;
    return { owner, ino, bornMs: Number.isFinite(created) ? created : mtimeMs };
  } finally {
    await fh.close();
  }
}

/** Whether `pid` runs on this host: signal 0 checks without signalling; EPERM means it runs as another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

function describe(h: Held, now: number): string {
  const age = `taken ${seconds(now - h.bornMs)} ago`;
  return h.owner ? `held by pid ${h.owner.pid} on ${h.owner.hostname}, ${age}` : `no holder recorded (an older ferryml, or being written), ${age}`;
}

/** Why `h` is stale, or undefined while its holder may still be writing. */
function staleReason(h: Held, staleMs: number, now: number): string | undefined {
  if (h.owner && h.owner.hostname === hostname() && !isRunning(h.owner.pid)) return `pid ${h.owner.pid} is not running on this host`;
  if (now - h.bornMs > staleMs) return `older than ${seconds(staleMs)}`;
  return undefined;
}

const sameLock = (a: Held, b: Held) => a.ino === b.ino && a.bornMs === b.bornMs && a.owner?.token === b.owner?.token;

/** Creates the lock with `owner` in it, exclusively; false when it exists. */
async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await fh.writeFile(JSON.stringify(owner));
  } finally {
    await fh.close();
  }
  return true;
}

/**
 * Removes the stale lock `seen`, unless another process got there first; false while another
 * takeover is in progress. Two takers must not both
 * remove a lock (the second would remove the first one's new, live lock), so a takeover holds
 * `<lock>.takeover` (created exclusively) and removes the lock only while it is still `seen`.
 */
async function takeOver(path: string, seen: Held, why: string, warn: (m: string) => void): Promise<boolean> {
  const mutex = `${path}.takeover`;
  let fh;
  try {
    fh = await open(mutex, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another taker is at work; one left behind by a killed taker goes after TAKEOVER_STALE_MS.
    const left = await stat(mutex).catch(() => undefined);
    if (left && Date.now() - left.mtimeMs > TAKEOVER_STALE_MS) await rm(mutex, { force: true });
    return false;
  }
  try {
    await fh.close();
    const now = await readHeld(path);
    if (!now || !sameLock(now, seen)) return true; // released or taken over meanwhile: compete again
    await rm(path, { force: true });
    warn(`ferryml: took over the stale lock ${path} (${describe(seen, Date.now())}; ${why})`);
    return true;
  } finally {
    await rm(mutex, { force: true });
  }
}

/**
 * Takes the lock at `path`, waiting up to `waitMs` for a live holder and taking over a stale one
 * (said through `warn`); resolves to the function that releases it. Throws naming the lock, its
 * holder and what to do when a live holder keeps it; ENOENT when the directory is missing.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const waitMs = options.waitMs ?? DEFAULTS.waitMs;
  const staleMs = options.staleMs ?? DEFAULTS.staleMs;
  const warn = options.warn ?? ((m: string) => console.error(m));
  const me: LockOwner = { pid: process.pid, hostname: hostname(), createdAt: '', token: randomUUID() };
  for (const deadline = Date.now() + waitMs; ;) {
    me.createdAt = new Date().toISOString();
    if (await tryCreate(path, me)) break;
    const held = await readHeld(path);
    if (!held) continue; // released between the two calls
    const why = staleReason(held, staleMs, Date.now());
    if (why && (await takeOver(path, held, why, warn))) continue;
    if (Date.now() > deadline) {
      throw new FerryError(
        'TIMEOUT',
        `${path}: ${describe(held, Date.now())}; waited ${seconds(waitMs)}. Another ferryml command is writing the registry: ` +
          `retry when it is done. A lock whose pid is not running on its host, or older than ${seconds(staleMs)}, is taken over by the next command; ` +
          `delete the file only if you are sure no ferryml command is writing this registry`,
        { details: { path, holder: held.owner, waitMs } },
      );
    }
    await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
  }
  return async () => {
    // Only our own lock: after a takeover (this holder was judged stale) the file is another's.
    const now = await readHeld(path);
    if (now?.owner?.token === me.token) await rm(path, { force: true });
  };
}
