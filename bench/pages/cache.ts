// Page for item 4, `cache`: opening a bundle cold (IndexedDB cleared, every file fetched from the
// loopback server, verified and stored) against warm (served from IndexedDB, every file's
// sha256 verified again), alternating cold/warm and warm/cold so drift hits both.
import { clear } from '../../src/cache/manage.js';
import { openBundle } from '../../src/entries/bundle.js';
import { type OpenBundleOptions } from '../../src/index.js';
import { yieldToLoop } from './timing.js';

/** Where the bundle comes from: the registry (pinned to one version) or a bundle URL. */
export type CacheSource = { registry: string; name: string; version: string } | { bundle: string };

const DB = 'ferryml-bench-cache';

async function open(source: CacheSource) {
  const options: OpenBundleOptions = { ...source, cache: { dbName: DB } };
  const t0 = performance.now();
  const b = await openBundle(options);
  return { ms: performance.now() - t0, source: b.source, downloadedBytes: b.downloadedBytes, bytes: b.bytes, memoryOnly: b.cache.memoryOnly };
}

/** `rounds` cold and warm opens; returns ms per open and what each reported. */
async function rounds(source: CacheSource, n: number) {
  const cold: number[] = [];
  const warm: number[] = [];
  const seen = { cold: new Set<string>(), warm: new Set<string>(), memoryOnly: false, bytes: 0 };
  const runCold = async () => {
    await clear({ dbName: DB });
    await yieldToLoop();
    const r = await open(source);
    cold.push(r.ms);
    seen.cold.add(r.source);
    seen.bytes = r.bytes;
    seen.memoryOnly ||= r.memoryOnly;
  };
  const runWarm = async () => {
    await yieldToLoop();
    const r = await open(source);
    warm.push(r.ms);
    seen.warm.add(r.source);
  };
  await runCold(); // warm-up: code paths, IndexedDB connection
  await runWarm();
  cold.length = 0;
  warm.length = 0;
  for (let r = 0; r < n; r++) {
    if (r % 2 === 0) {
      await runCold();
      await runWarm();
    } else {
      await runWarm();
      await runCold();
    }
  }
  return { cold, warm, coldSources: [...seen.cold], warmSources: [...seen.warm], memoryOnly: seen.memoryOnly, bytes: seen.bytes };
}

Object.assign(window, { bench: { rounds } });
