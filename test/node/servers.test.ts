// The servers we ship, probed as an attacker would: an undecodable path (`GET /%` used to throw
// in scripts/serve.mjs and take `npm start` down, leaving the collector orphaned with its token),
// a foreign Host header (DNS rebinding's precondition), the admin token in /runtime/config.json
// or on the collector's command line, and the parent of `npm start` killed with SIGKILL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
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

/** Any request, with its response headers: for the conditional GET/HEAD tests. */
function send(
  port: number,
  path: string,
  { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (c: string) => (body += c))
        .on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
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

  it('sends validators and answers a conditional GET or HEAD of an unchanged file with 304 and no body', async () => {
    writeFileSync(join(dir, 'index.json'), '{"v":1}');
    const first = await send(port, '/index.json');
    assert.equal(first.status, 200);
    assert.equal(first.body, '{"v":1}');
    const etag = first.headers.etag!;
    const lastModified = first.headers['last-modified']!;
    assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/, 'a strong ETag');
    assert.ok(Number.isFinite(Date.parse(lastModified)), lastModified);
    // no-cache (not max-age): every use revalidates, so a changed registry is never served stale.
    assert.equal(first.headers['cache-control'], 'no-cache');
    for (const method of ['GET', 'HEAD']) {
      for (const headers of [
        { 'If-None-Match': etag },
        { 'If-None-Match': `"other", W/${etag}` },
        { 'If-None-Match': '*' },
        { 'If-Modified-Since': lastModified },
      ]) {
        const r = await send(port, '/index.json', { method, headers });
        assert.equal(r.status, 304, `${method} ${JSON.stringify(headers)}`);
        assert.equal(r.body, '');
        assert.equal(r.headers.etag, etag);
        assert.equal(r.headers['last-modified'], lastModified);
        assert.equal(r.headers['cache-control'], 'no-cache');
        assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
        assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
        assert.equal(r.headers['cross-origin-resource-policy'], 'same-origin');
      }
    }
    // If-None-Match decides when present, even where If-Modified-Since alone would say 304.
    const mismatch = await send(port, '/index.json', { headers: { 'If-None-Match': '"other"', 'If-Modified-Since': lastModified } });
    assert.equal(mismatch.status, 200);
    assert.equal(mismatch.body, '{"v":1}');
    // A date that does not parse, an older date, or one in the future: the full body.
    for (const since of ['yesterday', new Date(Date.parse(lastModified) - 1000).toUTCString(), new Date(Date.now() + 86_400_000).toUTCString()]) {
      const r = await send(port, '/index.json', { headers: { 'If-Modified-Since': since } });
      assert.equal(r.status, 200, since);
      assert.equal(r.body, '{"v":1}');
    }
    const head = await send(port, '/index.json', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], '7');
    assert.equal(head.headers.etag, etag);
  });

  it('changes the ETag when a file changes, so the old validator gets the new body', async () => {
    writeFileSync(join(dir, 'index.json'), '{"v":1}');
    const before = await send(port, '/index.json');
    // Same size, mtime moved (a rewrite within the same second keeps Last-Modified but not the ETag).
    writeFileSync(join(dir, 'index.json'), '{"v":2}');
    const t = new Date(Date.now() + 5);
    utimesSync(join(dir, 'index.json'), t, t);
    const after = await send(port, '/index.json', { headers: { 'If-None-Match': before.headers.etag! } });
    assert.equal(after.status, 200);
    assert.equal(after.body, '{"v":2}');
    assert.notEqual(after.headers.etag, before.headers.etag);
    assert.equal((await send(port, '/index.json', { headers: { 'If-None-Match': after.headers.etag! } })).status, 304);
  });

  it('keeps the path and Host checks ahead of any validator', async () => {
    const { headers } = await send(port, '/index.html');
    const foreign = await send(port, '/index.html', { headers: { Host: 'evil.example', 'If-None-Match': headers.etag! } });
    assert.equal(foreign.status, 403);
    const escape = await send(port, '/..%2f..%2fetc%2fpasswd', { headers: { 'If-None-Match': '*' } });
    assert.notEqual(escape.status, 304);
    assert.notEqual(escape.status, 200);
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
