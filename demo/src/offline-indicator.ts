/**
 * The offline indicator: whether the browser is online, whether the page shell is in the service
 * worker's cache (so a reload works without network), and where each model came from on this
 * load (network, IndexedDB cache, or the cache because the network failed).
 */
import { byId } from './dom.js';
import type { ModelSlot } from './model-slot.js';
import { registerShellCache } from './service-worker.js';
import type { ShellState } from './service-worker.js';

const FROM: Record<string, string> = { network: 'the network', cache: 'IndexedDB', offline: 'IndexedDB (network down)', local: 'local files' };

function shellText(shell: ShellState): string {
  switch (shell.kind) {
    case 'unsupported':
      return 'no service worker here: the page needs the network to reload, models still load from IndexedDB';
    case 'failed':
      return `page shell not cached (${shell.reason})`;
    case 'installing':
      return 'caching the page shell…';
    case 'ready':
      return `page shell cached (${shell.status.cached} files)`;
  }
}

/** Mounts the indicator and registers the service worker. */
export function mountOfflineIndicator(slots: readonly ModelSlot[]): void {
  const box = byId('net');
  const text = byId('net-text');
  const detail = byId('net-detail');
  const footer = byId('sw-status');
  let shell: ShellState = { kind: 'installing' };

  const render = () => {
    const online = navigator.onLine;
    box.dataset['state'] = online ? 'online' : 'offline';
    box.dataset['shell'] = shell.kind;
    const loaded = slots.filter((s) => s.model);
    const offlineLoads = loaded.filter((s) => s.model!.info.source === 'offline' || s.model!.info.source === 'cache');
    text.textContent = online ? 'Online' : offlineLoads.length === loaded.length && loaded.length > 0 ? 'Offline: still predicting' : 'Offline';
    const models = loaded.map((s) => `${s.name} from ${FROM[s.model!.info.source] ?? s.model!.info.source}`).join(', ');
    detail.textContent = `${shellText(shell)}${models ? ` · models: ${models}` : ''}`;
    footer.textContent = shell.kind === 'ready' ? `Offline-ready: service worker build ${shell.status.version}.` : '';
  };
  window.addEventListener('online', render);
  window.addEventListener('offline', render);
  for (const slot of slots) slot.subscribe(render);
  render();
  void registerShellCache((state) => {
    shell = state;
    render();
  });
}
