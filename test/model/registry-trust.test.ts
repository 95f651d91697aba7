// The signed registry against an attacker who controls the CDN but not the release key
// (test/server/registry.mjs swaps index.json at one URL): a replayed older registry (rollback),
// a frozen expired one, and a registry edited to revoke everything. Each time the client keeps
// serving its last verified cached version, says why, and keeps its cache.
import { expect } from 'chai';
import { clear } from '../../src/cache/manage.js';
import { createIdbStore } from '../../src/cache/idb-store.js';
import { loadModel } from '../../src/index.js';
import { openBundle } from '../../src/entries/bundle.js';
import type { Registry } from '../../src/model/manifest.js';
import { registrySignedBytes, trustId, verifyRegistry } from '../../src/model/registry-trust.js';
import { keyIdOf } from '../../src/model/signature.js';
import { sha256Hex } from '../../src/model/digest.js';
import { collector, readApi, unique as uniqueName } from '../telemetry/helpers.js';
import { expectFerryError, expectVerifiedCache, fixtureKey, unique } from './helpers.js';

const serve = (scope: string, variant: string) => fetch(`/__registry-control/${scope}?serve=${variant}`, { cache: 'no-store' });

describe('signed registry: rollback, freeze and mass revocation (Chromium, IndexedDB)', () => {
  it('keeps serving the last verified version through each attack, reports why, and deletes nothing', async () => {
    const publicKey = await fixtureKey();
    const scope = unique('trust');
    const registry = `/__registry/${scope}/index.json`;
    const cache = { dbName: unique('trust') };
    const first = await openBundle({ registry, name: 'tiny', publicKey, cache, clientId: 'client-outside' });
    const version = first.manifest.version;
    expect(['1.1.0', '2.0.0'], 'stable or the canary rollout').to.include(version);

    for (const [variant, code] of [
      ['rollback', 'REGISTRY_ROLLBACK'],
      ['expired', 'REGISTRY_EXPIRED'],
      ['revoke-all', 'REGISTRY_SIGNATURE_INVALID'],
      ['unsigned', 'REGISTRY_SIGNATURE_INVALID'],
    ] as const) {
      await serve(scope, variant);
      const b = await openBundle({ registry, name: 'tiny', publicKey, cache, clientId: 'client-outside' });
      expect([b.manifest.version, b.source, b.resolvedBy], variant).to.deep.equal([version, 'offline', 'offline-fallback']);
      expect(b.fallback?.error.code, variant).to.equal(code);
      if (variant === 'rollback') expect(b.fallback?.error.details.registryVersion).to.be.below(b.fallback?.error.details.highestSeen as number);
      // Never on the word of an unverified registry: the cached version is still there.
      expect((await expectVerifiedCache(cache.dbName)).versions, variant).to.include(`tiny@${version}`);
    }

    // The rolled-back registry would have pointed stable at 0.9.0; no client with no cache takes it either
    // once it has seen the genuine one: with nothing cached, the error itself surfaces.
    await serve(scope, 'rollback');
    const empty = { dbName: unique('trust-empty') };
    await serve(scope, 'current');
    await openBundle({ registry, name: 'tiny', version: '1.0.0', publicKey, cache: empty });
    await serve(scope, 'rollback');
    const e = await expectFerryError(openBundle({ registry, name: 'tiny', version: '0.9.0', publicKey, cache: empty }), 'REGISTRY_ROLLBACK');
    expect(e.message).to.contain('older than');

    // Back to the genuine registry: verified, served fresh from the cache as before.
    await serve(scope, 'current');
    const again = await openBundle({ registry, name: 'tiny', publicKey, cache, clientId: 'client-outside' });
    expect([again.manifest.version, again.source]).to.deep.equal([version, 'cache']);
  });

  it('remembers the highest registryVersion per registry origin + path and root key in IndexedDB, and clear() keeps it', async () => {
    const publicKey = await fixtureKey();
    const scope = unique('trust-idb');
    const registry = `/__registry/${scope}/index.json`;
    const cache = { dbName: unique('trust-idb') };
    // A cache-busting query is the same registry.
    await openBundle({ registry: `${registry}?v=${Date.now()}`, name: 'tiny', version: '1.0.0', publicKey, cache });
    const { createStore, get } = await import('idb-keyval');
    const key = `trust:${location.origin}${registry}#${(await keyIdOf(publicKey))!}`;
    expect(key).to.equal(`trust:${await trustId(new URL(`${registry}?x#y`, location.href).href, [publicKey])}`);
    const state = (await get(key, createStore(cache.dbName, 'bundles'))) as { highest: number; digest: string };
    const genuine = (await (await fetch(registry, { cache: 'no-store' })).json()) as Registry;
    expect(state.highest).to.equal(genuine.registryVersion);
    expect(state.digest).to.equal(await sha256Hex(registrySignedBytes(genuine)));
    await clear(cache);
    const kept = (await get(key, createStore(cache.dbName, 'bundles'))) as { highest: number };
    expect(kept.highest).to.equal(genuine.registryVersion);
  });

  it('two checks of one URL at once never lower the remembered registryVersion (the genuine v1 and a replayed v0 in flight together)', async () => {
    const publicKey = await fixtureKey();
    const [genuine, replayed] = await Promise.all(
      ['models/index.json', 'registries/rollback.json'].map(async (f) => (await (await fetch(`/test/fixtures/bundles/${f}`)).json()) as Registry),
    );
    expect(replayed!.registryVersion).to.be.below(genuine!.registryVersion!);
    const url = new URL(`/__registry/${unique('trust-race')}/index.json`, location.href).href;
    const dbName = unique('trust-race');
    const store = createIdbStore(dbName);
    // Two models from one registry while CDN edges disagree: both checks read the state before either writes.
    const [a, b] = await Promise.allSettled([verifyRegistry(genuine!, url, publicKey, store), verifyRegistry(replayed!, url, publicKey, store)]);
    expect(a.status).to.equal('fulfilled');
    // Refused as a rollback when the genuine one was recorded first (as if checked in turn); accepted when it finished first.
    if (b.status === 'rejected') expect((b.reason as { code: string }).code).to.equal('REGISTRY_ROLLBACK');
    const { createStore, get } = await import('idb-keyval');
    const state = (await get(`trust:${await trustId(url, [publicKey])}`, createStore(dbName, 'bundles'))) as { highest: number };
    expect(state.highest).to.equal(genuine!.registryVersion);
    // So the replayed registry stays refused from now on.
    await expectFerryError(verifyRegistry(replayed!, url, publicKey, store), 'REGISTRY_ROLLBACK');
  });

  it('loadModel says why on model.info.fallback and in the load record it sends', async () => {
    const publicKey = await fixtureKey();
    const scope = unique('trust-model');
    const registry = `/__registry/${scope}/index.json`;
    const cache = { dbName: unique('trust-model') };
    const { url } = await collector();
    const serviceName = uniqueName('registry-trust');
    const options = { registry, name: 'tiny', version: '1.0.0', publicKey, cache, backend: 'cpu' as const, remember: false };
    await (await loadModel(options)).dispose();
    await serve(scope, 'rollback');
    const model = await loadModel({ ...options, telemetry: { endpoint: url, offline: false, serviceName } });
    expect([model.info.version, model.info.source, model.info.fallback?.code]).to.deep.equal(['1.0.0', 'offline', 'REGISTRY_ROLLBACK']);
    expect(model.info.fallback?.message).to.contain('older than');
    await model.telemetry!.flush();
    const all = await readApi(`/api/records?model=tiny&event=ferryml.model.load&limit=100`);
    const load = all.records.find((r: any) => r.resource['service.name'] === serviceName);
    expect(load.attributes['ferryml.load.fallback']).to.equal('REGISTRY_ROLLBACK');
    expect(load.attributes['ferryml.load.source']).to.equal('offline');
    await model.dispose();
  });

  it('without a publicKey nothing is checked (the CDN is trusted, as before)', async () => {
    const scope = unique('trust-off');
    await serve(scope, 'unsigned');
    const b = await openBundle({ registry: `/__registry/${scope}/index.json`, name: 'tiny', version: '1.0.0', cache: false });
    expect(b.source).to.equal('network');
  });
});
