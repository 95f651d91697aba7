// openBundle outside the browser: Node's fetch and WebCrypto against a plain HTTP server.
// No IndexedDB here, so the cache says why it kept the bundle in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { openBundle } from '../../src/entries/bundle.js';

test('openBundle resolves and verifies over HTTP in Node, memory-only without IndexedDB', async (t) => {
  const server = createServer(async (req, res) => {
    try {
      const body = await readFile(join('test/fixtures/bundles', decodeURIComponent(new URL(req.url!, 'http://x').pathname)));
      res.writeHead(200, { 'Content-Type': req.url!.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const publicKey = JSON.parse(await readFile('test/fixtures/bundles/keys/test.pub.jwk.json', 'utf8')) as JsonWebKey;
  const bundle = await openBundle({ registry: `${base}/models/index.json`, name: 'tiny', clientId: 'node-client', publicKey });
  assert.equal(bundle.source, 'network');
  assert.ok(['1.1.0', '2.0.0'].includes(bundle.manifest.version));
  assert.deepEqual({ memoryOnly: bundle.cache.memoryOnly, code: bundle.cache.code }, { memoryOnly: true, code: 'CACHE_UNAVAILABLE' });
  assert.match(bundle.cache.reason ?? '', /indexedDB is not defined/);
  const noCache = await openBundle({ registry: `${base}/models/index.json`, name: 'tiny', version: '1.0.0', cache: false });
  assert.equal(noCache.cache.code, 'CACHE_DISABLED');
  await assert.rejects(openBundle({ registry: `${base}/models/index.json`, name: 'tiny', version: '0.9.0', cache: false }), { code: 'VERSION_REVOKED' });
});
