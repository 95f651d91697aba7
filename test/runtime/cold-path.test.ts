// The cold path of issue 15, seen from Chromium's network log (test/server/network.mjs): a load
// from the registry with a pinned version sends each request once — the registry and the manifest
// side by side (the SDK core starts the registry before the plain-path chunk arrives; the manifest
// of a pinned version goes with it), then the files — and a second load from the cache fetches no
// bundle file. No tfjs in this file.
import { expect } from 'chai';
import { fault, fixtureKey, REGISTRY as FIXTURE_REGISTRY, requestCount, requestsDuring, unique } from '../model/helpers.js';
import { loadModel } from '../../src/load-model.js';

const REGISTRY = '/models/index.json';
const FILES = ['model.json', 'group1-shard1of1.bin', 'schema.json', 'golden.json'];

const count = (urls: string[], end: string) => urls.filter((u) => u.endsWith(end)).length;

describe('loadModel: the cold path', () => {
  const dbName = `ferryml-cold-path-${Math.random().toString(36).slice(2)}`;
  after(() => indexedDB.deleteDatabase(dbName));

  it('registry, manifest and every file are requested once; a second load serves the version from IndexedDB and fetches no bundle file', async function () {
    this.timeout(60_000);
    // Before the log starts: this request must not count as the SDK's.
    const golden = (await (await fetch('/models/penguins/1.1.0/golden.json')).json()) as { rows: Array<Record<string, unknown>> };
    const options = { registry: REGISTRY, name: 'penguins', version: '1.1.0', cache: { dbName }, remember: false };
    const cold = await requestsDuring(async () => {
      const model = await loadModel(options);
      await model.predict(golden.rows[0]!);
      return model;
    });
    const list = cold.urls.join('\n');
    expect(count(cold.urls, REGISTRY), list).to.equal(1);
    expect(count(cold.urls, '/penguins/1.1.0/manifest.json'), list).to.equal(1);
    for (const f of FILES) expect(count(cold.urls, `/penguins/1.1.0/${f}`), `${f}\n${list}`).to.equal(1);
    expect(cold.result.info).to.include({ source: 'network', engine: 'js', version: '1.1.0' });
    // The write is off the critical path: wait for it before the second load looks.
    while (cold.result.info.cache.pending) await new Promise((resolve) => setTimeout(resolve, 20));
    await cold.result.dispose();

    const warm = await requestsDuring(() => loadModel(options));
    const warmList = warm.urls.join('\n');
    expect(warm.result.info).to.include({ source: 'cache', engine: 'js', version: '1.1.0' });
    expect(count(warm.urls, REGISTRY), warmList).to.equal(1);
    // A returning visitor's load asks IndexedDB before requesting anything but the registry (src/cache/stored-hint.ts).
    expect(count(warm.urls, '/penguins/1.1.0/manifest.json'), warmList).to.equal(0);
    for (const f of FILES) expect(count(warm.urls, `/penguins/1.1.0/${f}`), `${f}\n${warmList}`).to.equal(0);
    await warm.result.dispose();
  });

  it('a load that starts while a fresh profile’s first write is still pending waits for it and serves the version from IndexedDB', async function () {
    this.timeout(60_000);
    const db = `ferryml-cold-path-again-${Math.random().toString(36).slice(2)}`;
    try {
      const golden = (await (await fetch('/models/penguins/1.1.0/golden.json')).json()) as { rows: Array<Record<string, unknown>> };
      const options = { registry: REGISTRY, name: 'penguins', version: '1.1.0', cache: { dbName: db }, remember: false };
      const first = await loadModel(options);
      expect(first.info.cache.pending, 'the first write is behind the answer').to.equal(true);
      // Right after the answer: the database is not even created yet, and the hint still says "fresh".
      const second = await loadModel(options);
      expect(first.info.source).to.equal('network');
      expect(second.info.source, 'the second load read what the first one stored').to.equal('cache');
      expect(second.info.bundleId).to.equal(first.info.bundleId);
      const [a, b] = await Promise.all([first.predict(golden.rows[0]!), second.predict(golden.rows[0]!)]);
      expect(b.raw).to.deep.equal(a.raw);
      await first.dispose();
      await second.dispose();
    } finally {
      indexedDB.deleteDatabase(db);
    }
  });

  it('a slow registry does not hold up the pinned version: its manifest and files are requested before it answers, each once, and used once it resolves', async function () {
    this.timeout(60_000);
    const scope = unique('cold-slow-registry');
    const registry = fault(`scope=${scope},on=index.json,delay=400`, REGISTRY);
    const model = await loadModel({ registry, name: 'penguins', version: '1.1.0', cache: { dbName: unique('cold-slow') }, remember: false });
    const t = model.info.timings;
    expect(model.info).to.include({ source: 'network', engine: 'js', version: '1.1.0' });
    expect(t.registryAt, JSON.stringify(t)).to.be.at.least(400);
    expect(t.manifestAt, JSON.stringify(t)).to.be.below(t.registryAt!);
    expect(t.filesRequestedAt, JSON.stringify(t)).to.be.below(t.registryAt!);
    expect(t.verifiedAt, JSON.stringify(t)).to.be.at.least(t.resolvedAt!).and.at.most(t.bundleMs);
    // A fresh profile's database is created once the download is verified, not while it is on the wire.
    expect(t.cacheOpenAt ?? Infinity, JSON.stringify(t)).to.be.at.least(t.verifiedAt!);
    expect(await requestCount(scope, 'manifest.json')).to.equal(1);
    for (const f of FILES) expect(await requestCount(scope, f), f).to.equal(1);
    await model.dispose();
  });

  it('a returning visitor (a version stored before) asks IndexedDB first, then requests the version it lacks without waiting for the registry', async function () {
    this.timeout(60_000);
    const cache = { dbName: unique('cold-returning') };
    const first = await loadModel({ registry: REGISTRY, name: 'penguins', version: '1.0.0', cache, remember: false });
    while (first.info.cache.pending) await new Promise((resolve) => setTimeout(resolve, 20));
    await first.dispose();
    const scope = unique('cold-returning');
    const registry = fault(`scope=${scope},on=index.json,delay=400`, REGISTRY);
    const model = await loadModel({ registry, name: 'penguins', version: '1.1.0', cache, remember: false });
    const t = model.info.timings;
    expect(model.info).to.include({ source: 'network', version: '1.1.0' });
    expect(t.cacheReadAt, JSON.stringify(t)).to.be.below(t.filesRequestedAt!);
    expect(t.filesRequestedAt, JSON.stringify(t)).to.be.below(t.registryAt!);
    expect(await requestCount(scope, 'manifest.json')).to.equal(1);
    await model.dispose();
  });

  it('on a fresh profile whose IndexedDB is slow to open, the download answers first and the version is stored once it opens', async function () {
    this.timeout(60_000);
    const dbName = unique('cold-slow-idb');
    // Hold the database in an upgrade for ~800 ms (a request chain keeps its transaction alive): every
    // other open of it waits, as a fresh profile's first open does while it creates the database.
    const until = performance.now() + 800;
    const held = new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(dbName, 1);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore('bundles');
        const spin = () => {
          if (performance.now() < until) store.count().onsuccess = spin;
        };
        spin();
      };
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error ?? new Error(`indexedDB.open(${dbName}) failed`));
    });
    const model = await loadModel({ registry: REGISTRY, name: 'penguins', version: '1.1.0', cache: { dbName }, remember: false });
    const t = model.info.timings;
    expect(model.info).to.include({ source: 'network', version: '1.1.0' });
    expect(t.verifiedAt, JSON.stringify(t)).to.be.below(t.cacheOpenAt ?? Infinity);
    expect(model.info.cache.pending, JSON.stringify(model.info.cache)).to.equal(true);
    await held;
    while (model.info.cache.pending) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(model.info.cache, JSON.stringify(model.info.cache)).to.include({ memoryOnly: false });
    await model.dispose();
    const again = await loadModel({ registry: REGISTRY, name: 'penguins', version: '1.1.0', cache: { dbName }, remember: false });
    expect(again.info.source).to.equal('cache');
    await again.dispose();
    indexedDB.deleteDatabase(dbName);
  });

  it('a registry that lists the version’s files (`ferryml pack` writes them): they are requested with the registry’s answer, before the manifest is in, each once', async function () {
    this.timeout(60_000);
    // Unpinned, the registry resolves `stable` or, for 10 % of loads (`rollout.canary`), the canary
    // (a tree model with other files): the files to count are the ones it lists for that version.
    const index = (await (await fetch(REGISTRY, { cache: 'no-store' })).json()) as { models: { penguins: { files: Record<string, string[]> } } };
    for (const version of ['1.1.0', undefined]) {
      const scope = unique('cold-listed');
      // The manifest answers 400 ms late; /models/index.json lists each version's files.
      const registry = fault(`scope=${scope},on=manifest.json,delay=400`, REGISTRY);
      const options = { registry, name: 'penguins', cache: { dbName: unique('cold-listed') }, remember: false };
      const model = await loadModel(version ? { ...options, version } : options);
      const t = model.info.timings;
      const what = `${version ?? 'unpinned'}: ${JSON.stringify(t)}`;
      expect(model.info, what).to.include({ source: 'network', engine: 'js' });
      expect(t.manifestAt, what).to.be.at.least(400);
      expect(t.filesRequestedAt, what).to.be.below(t.manifestAt!);
      expect(t.filesRequestedAt, what).to.be.at.least(t.registryAt!);
      expect(await requestCount(scope, 'manifest.json'), what).to.equal(1);
      const listed = index.models.penguins.files[model.info.version]!;
      expect(listed, `${model.info.version} ${what}`).to.be.an('array').that.is.not.empty;
      for (const f of listed) expect(await requestCount(scope, `/${model.info.version}/${f}`), `${f} ${what}`).to.equal(1);
      await model.dispose();
    }
  });

  it('on a fresh profile the database is not created while the version downloads, nor before loadModel answered; it is stored after the answer', async function () {
    this.timeout(60_000);
    const dbName = unique('cold-fresh-db');
    const scope = unique('cold-fresh-db');
    // Whether loadModel had resolved when each open of this database was asked for.
    let answered = false;
    const opens: boolean[] = [];
    const original = Object.getOwnPropertyDescriptor(IDBFactory.prototype, 'open')!;
    const open = indexedDB.open.bind(indexedDB);
    IDBFactory.prototype.open = function (name: string, version?: number) {
      if (name === dbName) opens.push(answered);
      return version === undefined ? open(name) : open(name, version);
    };
    // The weights arrive 600 ms late: the registry, manifest and other files are in long before.
    const registry = fault(`scope=${scope},on=group1-shard1of1.bin,delay=600`, REGISTRY);
    const loading = loadModel({ registry, name: 'penguins', version: '1.1.0', cache: { dbName }, remember: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const names = async () => (await indexedDB.databases()).map((d) => d.name);
    let model;
    try {
      expect(await names(), 'created while the download was on the wire').not.to.include(dbName);
      model = await loading.then((m) => ((answered = true), m));
      while (model.info.cache.pending) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      Object.defineProperty(IDBFactory.prototype, 'open', original);
    }
    // Creating the database costs the browser tens of ms of CPU: not while the schema, engine and first answer need it.
    expect(opens, 'opens of the database, each: had loadModel answered?').to.deep.equal([true]);
    expect(model.info).to.include({ source: 'network', engine: 'js', version: '1.1.0' });
    expect(model.info.cache, JSON.stringify(model.info.cache)).to.include({ memoryOnly: false });
    expect(await names()).to.include(dbName);
    await model.dispose();
    const again = await loadModel({ registry: REGISTRY, name: 'penguins', version: '1.1.0', cache: { dbName }, remember: false });
    expect(again.info.source).to.equal('cache');
    await again.dispose();
    indexedDB.deleteDatabase(dbName);
  });

  it('with a publicKey no file is requested before the registry and the manifest verified', async function () {
    this.timeout(60_000);
    const scope = unique('cold-signed');
    const registry = fault(`scope=${scope},on=index.json,delay=300`, FIXTURE_REGISTRY);
    const publicKey = await fixtureKey();
    const model = await loadModel({ registry, name: 'tiny', version: '1.1.0', publicKey, cache: { dbName: unique('cold-signed') }, remember: false });
    const t = model.info.timings;
    expect(t.filesRequestedAt, JSON.stringify(t)).to.be.at.least(t.resolvedAt!);
    expect(await requestCount(scope, 'group1-shard1of1.bin')).to.equal(1);
    await model.dispose();
  });
});
