// The servers we ship, probed as an attacker would: an undecodable path (`GET /%` used to throw
// in scripts/serve.mjs and take `npm start` down, leaving the collector orphaned with its token),
// a foreign Host header (DNS rebinding's precondition), the admin token in /runtime/config.json
// or on the collector's command line, and the parent of `npm start` killed with SIGKILL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { serveStatic } = (await import(new URL('../../scripts/serve.mjs', import.meta.url).href)) as {
  serveStatic: (o: { port: number; routes: Record<string, string>; allowedHosts?: string[] | true }) => Promise<Server>;
};

/** A raw GET: the path goes out byte for byte (fetch would normalise `/%`), with any Host header. */
function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (c: string) => (body += c))
        .on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('scripts/serve.mjs (demo and bench server)', () => {
  let dir: string;
  let server: Server;
  let port: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferryml-serve-'));
    writeFileSync(join(dir, 'index.html'), '<p>hi</p>');
    server = await serveStatic({ port: 0, routes: { '/': dir } });
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 400 to paths that do not decode, and keeps serving', async () => {
    for (const path of ['/%', '/%C0', '/%E0%A4%A', '/a%ZZ']) {
      const r = await get(port, path);
      assert.equal(r.status, 400, `${path}: ${r.body}`);
      assert.match(r.body, /percent-encoded/);
    }
    assert.equal((await get(port, '/')).status, 200);
    assert.notEqual((await get(port, '/%2e%2e/%2e%2e/etc/passwd')).status, 200);
    assert.notEqual((await get(port, '/..%2f..%2fetc%2fpasswd')).status, 200);
  });

  it('answers only loopback Host names', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST']) assert.equal((await get(port, '/', host)).status, 200, host);
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `localhost.evil.example:${port}`]) {
      const r = await get(port, '/', host);
      assert.equal(r.status, 403, `${host}: ${r.body}`);
    }
  });
});

describe('scripts/start.mjs (npm start)', { timeout: 120_000 }, () => {
  let dir: string;
  let start: ChildProcess;
  let output = '';
  let demoPort: number;
  let collectorUrl: string;
  let collectorPid: number;
  const TOKEN = 'servers-test-admin-token';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferryml-start-'));
    writeFileSync(join(dir, 'index.html'), '<p>demo</p>');
    start = spawn(process.execPath, ['scripts/start.mjs'], {
      env: {
        ...process.env,
        PORT: '0',
        COLLECTOR_PORT: '0',
        COLLECTOR_DB: join(dir, 't.sqlite'),
        FERRYML_ADMIN_TOKEN: TOKEN,
        FERRYML_DEMO_DIR: dir,
        TMPDIR: dir,
      },
      // TMPDIR: start.mjs's own runtime dir lands in `dir`, so it goes with `dir` even after the SIGKILL below.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`start.mjs printed no URL in 60 s:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/ferryml demo: \S+/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      start.stdout!.on('data', onData);
      start.stderr!.on('data', onData);
      start.once('exit', (code) => reject(new Error(`start.mjs exited (${code}):\n${output}`)));
    });
    demoPort = Number(/ferryml demo: http:\/\/localhost:(\d+)/.exec(output)![1]);
    collectorUrl = /collector:\s+(\S+)/.exec(output)![1]!;
    const ps = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(start.pid)], { encoding: 'utf8' });
    collectorPid = Number(/^\s*(\d+)/.exec(ps.stdout.split('\n').find((l) => l.includes('collector/main.ts')) ?? '')?.[1]);
    assert.ok(collectorPid > 0, `no collector child in:\n${ps.stdout}`);
  });
  after(() => {
    if (start.exitCode === null && start.signalCode === null) start.kill('SIGKILL');
    if (collectorPid && alive(collectorPid)) process.kill(collectorPid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the admin token out of config.json and off the collector command line', async () => {
    const config = await get(demoPort, '/runtime/config.json', `localhost:${demoPort}`);
    assert.equal(config.status, 200);
    assert.doesNotMatch(config.body, new RegExp(TOKEN));
    assert.equal(JSON.parse(config.body).dashboard, `${collectorUrl}/dashboard`);
    const args = spawnSync('ps', ['-o', 'args=', '-p', String(collectorPid)], { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(args, new RegExp(TOKEN), `collector argv: ${args}`);
  });

  it('refuses config.json to a foreign Host', async () => {
    const r = await get(demoPort, '/runtime/config.json', `rebind.example:${demoPort}`);
    assert.equal(r.status, 403);
    assert.doesNotMatch(r.body, new RegExp(TOKEN));
  });

  it('survives GET /%, and its collector stops when start.mjs is killed', async () => {
    assert.equal((await get(demoPort, '/%')).status, 400);
    assert.equal((await get(demoPort, '/')).status, 200, 'the demo server still answers');
    assert.equal(start.exitCode, null, 'start.mjs is still running');
    start.kill('SIGKILL');
    const deadline = Date.now() + 30_000;
    while (alive(collectorPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(collectorPid), false, 'the collector must stop when its parent dies (its stdin pipe closes)');
  });
});
