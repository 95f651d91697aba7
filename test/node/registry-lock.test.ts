// index.json.lock: a lock records its holder; a killed command's lock (dead pid on this host, or
// older than 10 minutes) is taken over and said on stderr; a live holder's lock is waited for and
// then named with its pid, host and age. Two takers of one stale lock never both hold it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cli } from './support/cli-in-process.js';
import { tempDir } from './support/temp-dir.js';
import type { Registry } from '../../src/entries/bundle.js';
import { acquireLock } from '../../src/node/bundle/registry-lock.js';

/** The fixture registry is signed by this key: every write signs with it. */
const KEY = 'test/fixtures/bundles/keys/test.pem';

function models(): { dir: string; lock: string; channels: () => Record<string, string> } {
  const dir = join(tempDir('ferryml-lock-'), 'models');
  cpSync('test/fixtures/bundles/models', dir, { recursive: true });
  const channels = () => (JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Registry).models.tiny!.channels;
  return { dir, lock: join(dir, 'index.json.lock'), channels };
}

/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;
const owner = (pid: number, host: string, agoMs: number) =>
  JSON.stringify({ pid, hostname: host, createdAt: new Date(Date.now() - agoMs).toISOString(), token: 'test' });

test('a lock whose pid is not running on this host is taken over, and stderr says so', async () => {
  const m = models();
  writeFileSync(m.lock, owner(deadPid(), hostname(), 1000));
  // Loads the publish command first, so the timed span is the lock's, not a cold module load's.
  await cli('publish', '--help');
  const started = Date.now();
  const r = await cli('publish', 'tiny', '1.0.0', '--channel', 'beta', '--models', m.dir, '--sign', KEY);
  assert.equal(r.code, 0, r.out);
  assert.ok(Date.now() - started < 8000, 'no 10 s wait');
  assert.match(r.out, /took over the stale lock .*index\.json\.lock \(held by pid \d+ on .*; pid \d+ is not running on this host\)/);
  assert.equal(m.channels().beta, '1.0.0');
  assert.equal(existsSync(m.lock), false, 'released');
});

test('a lock older than 10 minutes is taken over (a pid on another host cannot be checked); so is an old lock with no holder recorded', async () => {
  const m = models();
  writeFileSync(m.lock, owner(process.pid, 'elsewhere.example', 11 * 60_000));
  let r = await cli('publish', 'tiny', '1.0.0', '--channel', 'beta', '--models', m.dir, '--sign', KEY);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /took over the stale lock .*held by pid \d+ on elsewhere\.example, taken 66[01] s ago; older than 600 s/);
  // An empty lock file (as ferryml wrote before it recorded holders), last written 11 minutes ago.
  writeFileSync(m.lock, '');
  const old = new Date(Date.now() - 11 * 60_000);
  utimesSync(m.lock, old, old);
  r = await cli('publish', 'tiny', '1.0.0', '--channel', 'gamma', '--models', m.dir, '--sign', KEY);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /took over the stale lock .*no holder recorded/);
  assert.equal(m.channels().gamma, '1.0.0');
});

test('a live holder is waited for, then named with its pid, host and age and what to do; nothing is written', async () => {
  const m = models();
  writeFileSync(m.lock, owner(process.pid, hostname(), 2000));
  const index = readFileSync(join(m.dir, 'index.json'), 'utf8');
  const r = await cli('publish', 'tiny', '1.0.0', '--channel', 'beta', '--models', m.dir, '--sign', KEY); // waits the CLI's 10 s
  assert.equal(r.code, 1);
  assert.ok(r.out.includes(m.lock), r.out);
  assert.match(r.out, new RegExp(`held by pid ${process.pid} on ${hostname().replace(/[.]/g, '\\.')}, taken 1[0-3] s ago; waited 10 s`));
  assert.match(r.out, /retry when it is done/);
  assert.doesNotMatch(r.out, /took over/);
  assert.equal(readFileSync(join(m.dir, 'index.json'), 'utf8'), index);
  assert.ok(existsSync(m.lock), "another's live lock is left alone");
});

test('acquireLock: a fresh lock with no holder recorded yet (being written) is waited for, not taken over', async () => {
  const m = models();
  writeFileSync(m.lock, '');
  await assert.rejects(acquireLock(m.lock, { waitMs: 200, warn: () => assert.fail('taken over') }), /no holder recorded.*waited 0 s/);
});

test('acquireLock: many takers of one stale lock in one process hold it one at a time, and it is taken over once', async () => {
  const m = models();
  writeFileSync(m.lock, owner(deadPid(), hostname(), 0));
  let inside = 0;
  let most = 0;
  const takeovers: string[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      const release = await acquireLock(m.lock, { warn: (s) => takeovers.push(s) });
      most = Math.max(most, ++inside);
      await new Promise((r) => setTimeout(r, 10));
      inside--;
      await release();
    }),
  );
  assert.equal(most, 1);
  assert.equal(takeovers.length, 1, takeovers.join('\n'));
  assert.equal(existsSync(m.lock), false);
});

test('acquireLock: processes started together on one stale lock hold it one at a time, and it is taken over once', async () => {
  const m = models();
  writeFileSync(m.lock, owner(deadPid(), hostname(), 0));
  const log = join(m.dir, 'holders.log');
  writeFileSync(log, '');
  const startAt = String(Date.now() + 3000); // after every child has loaded
  const children = Array.from({ length: 4 }, () =>
    spawn(process.execPath, ['--import', 'tsx', 'test/node/support/lock-holder.ts', m.lock, log, startAt, '50'], { stdio: ['ignore', 'ignore', 'pipe'] }),
  );
  try {
    const codes = await Promise.all(children.map((c) => new Promise<number | null>((ok) => c.on('exit', ok))));
    assert.deepEqual(codes, [0, 0, 0, 0]);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(lines.filter((l) => l.startsWith('takeover')).length, 1, lines.join('\n'));
  const holds = lines.filter((l) => !l.startsWith('takeover'));
  assert.equal(holds.length, 8);
  for (let i = 0; i < holds.length; i += 2) {
    const [enter, exit] = [holds[i]!.split(' '), holds[i + 1]!.split(' ')];
    assert.deepEqual([enter[0], exit[0], exit[1]], ['enter', 'exit', enter[1]], `one holder at a time:\n${lines.join('\n')}`);
  }
  assert.equal(existsSync(m.lock), false);
});
