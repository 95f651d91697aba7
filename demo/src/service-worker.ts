/**
 * Registers the demo's service worker (demo/sw.ts) and asks it what it has cached, for the
 * offline indicator. Registration failing (e.g. a non-secure origin other than localhost) only
 * means the page itself will not reload offline; the models still work from IndexedDB.
 */
import type { ShellCacheStatus } from '../sw.js';

export type { ShellCacheStatus };

/** Where the page shell stands. */
export type ShellState = { kind: 'unsupported' } | { kind: 'failed'; reason: string } | { kind: 'installing' } | { kind: 'ready'; status: ShellCacheStatus };

/** Registers `sw.js` next to the page; resolves once it controls the page or failed. */
export async function registerShellCache(onChange: (state: ShellState) => void): Promise<void> {
  if (!('serviceWorker' in navigator)) return void onChange({ kind: 'unsupported' });
  try {
    onChange({ kind: 'installing' });
    await navigator.serviceWorker.register(new URL('./sw.js', location.href), { type: 'module', scope: './' });
    await navigator.serviceWorker.ready;
    // The first load is not controlled until the worker claims it (clients.claim in activate).
    if (!navigator.serviceWorker.controller)
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    onChange({ kind: 'ready', status: await askStatus() });
  } catch (error) {
    onChange({ kind: 'failed', reason: error instanceof Error ? error.message : String(error) });
  }
}

/** Asks the controlling worker how many of its files are cached. */
function askStatus(): Promise<ShellCacheStatus> {
  return new Promise((resolve, reject) => {
    const controller = navigator.serviceWorker.controller;
    if (!controller) return reject(new Error('no service worker controls this page'));
    const channel = new MessageChannel();
    const timer = setTimeout(() => reject(new Error('the service worker did not answer')), 5000);
    channel.port1.onmessage = (event: MessageEvent<ShellCacheStatus>) => {
      clearTimeout(timer);
      resolve(event.data);
    };
    controller.postMessage({ type: 'status' }, [channel.port2]);
  });
}
