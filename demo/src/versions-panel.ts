/**
 * The versions panel: the registry's versions and channels, what is cached (sizes, last use),
 * the origin's storage estimate, the channel to follow, a one-click rollback (pin any version),
 * evicting a version and clearing the cache. Everything goes through the SDK's public API.
 */
import { modelCache, parseRegistry } from './sdk.js';
import type { CachedBundleInfo, Registry } from './sdk.js';
import { byId, facts, h, replace } from './dom.js';
import { ago, bytes } from './format.js';
import type { ModelSlot } from './model-slot.js';

/** Mounts the panel; returns a refresh function. */
export function mountVersionsPanel(slots: readonly ModelSlot[], registryUrl: string): () => Promise<void> {
  const info = byId('versions-info');
  const channel = byId<HTMLSelectElement>('channel');
  const penguins = slots.find((s) => s.name === 'penguins');
  let registry: Registry | undefined;
  let registryError: string | undefined;
  let busy = false;
  let again = false;

  async function fetchRegistry(): Promise<void> {
    try {
      const response = await fetch(registryUrl, { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      registry = parseRegistry(await response.json(), registryUrl);
      registryError = undefined;
    } catch (error) {
      registryError = `registry unreachable (${error instanceof Error ? error.message : String(error)}): showing what is cached`;
    }
    const channels = Object.keys(registry?.models['penguins']?.channels ?? { stable: '' });
    const current = penguins?.request.channel ?? 'stable';
    replace(channel, ...channels.map((c) => h('option', { value: c, selected: c === current }, c)));
  }

  function versionRows(slot: ModelSlot, cached: readonly CachedBundleInfo[]): HTMLElement[] {
    const entry = registry?.models[slot.name];
    const mine = cached.filter((c) => c.name === slot.name);
    const versions = [...new Set([...(entry?.versions ?? []), ...mine.map((c) => c.version)])];
    const inUse = slot.model?.info.version;
    return versions.map((version) => {
      const hit = mine.find((c) => c.version === version);
      const channels = Object.entries(entry?.channels ?? {})
        .filter(([, v]) => v === version)
        .map(([c]) => `${c}${entry?.rollout?.[c] ? ` ${Math.round(entry.rollout[c] * 100)}%` : ''}`);
      const revoked = entry?.revoked?.includes(version) ?? false;
      const use = h(
        'button',
        { type: 'button', class: 'small secondary', disabled: version === inUse || revoked, 'aria-label': `Use ${slot.name} ${version}` },
        version === inUse ? 'in use' : 'use',
      );
      use.addEventListener('click', () => void slot.reload({ version }).then(refresh));
      const drop = h(
        'button',
        { type: 'button', class: 'small danger', disabled: !hit, 'aria-label': `Evict ${slot.name} ${version} from the cache` },
        'evict',
      );
      drop.addEventListener('click', () => void modelCache.evict(slot.name, version).then(refresh));
      return h(
        'tr',
        { 'data-version': `${slot.name}@${version}` },
        h('th', { scope: 'row' }, `${slot.name}@${version}`),
        h('td', {}, [channels.join(', '), revoked ? 'revoked' : ''].filter(Boolean).join(' · ') || '—'),
        h('td', {}, hit ? `${bytes(hit.bytes)}, used ${ago(hit.lastUsed)}` : 'not cached'),
        h('td', {}, use, ' ', drop),
      );
    });
  }

  async function refresh(): Promise<void> {
    // One refresh at a time; a request during one runs once more after it, so the last state wins.
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      await fetchRegistry();
      const [cached, estimate] = await Promise.all([modelCache.list().catch(() => [] as CachedBundleInfo[]), modelCache.estimate()]);
      const total = cached.reduce((s, c) => s + c.bytes, 0);
      replace(
        info,
        registryError ? h('p', { class: 'muted' }, registryError) : null,
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Version'),
              h('th', { scope: 'col' }, 'Channel'),
              h('th', { scope: 'col' }, 'Cache'),
              h('th', { scope: 'col' }, h('span', { class: 'muted' }, 'Actions')),
            ),
          ),
          h('tbody', {}, ...slots.flatMap((s) => versionRows(s, cached))),
        ),
        facts([
          ['cached', `${cached.length} version${cached.length === 1 ? '' : 's'}, ${bytes(total)} (content-addressed: shared files stored once)`],
          ['origin storage', estimate ? `${bytes(estimate.usage)} used of ${bytes(estimate.quota)}` : 'not reported by this browser'],
        ]),
      );
    } finally {
      busy = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  }

  channel.addEventListener('change', () => void penguins?.reload({ channel: channel.value }).then(refresh));
  byId('cache-refresh').addEventListener('click', () => void refresh());
  byId('cache-clear').addEventListener('click', () => {
    // Loaded models keep running from memory; the next load downloads again.
    void modelCache.clear().then(refresh);
  });
  for (const slot of slots) slot.subscribe(() => slot.state.kind === 'ready' && void refresh());
  // The registry becomes reachable (or not) with the network.
  window.addEventListener('online', () => void refresh());
  window.addEventListener('offline', () => void refresh());
  return refresh;
}
