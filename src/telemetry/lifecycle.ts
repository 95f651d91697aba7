/**
 * Page lifecycle hooks: flush when the page is hidden (`visibilitychange` → hidden, and
 * `pagehide` for bfcache and browsers that skip visibilitychange on unload) and drain the
 * offline queue on `online`. Never `unload`: it disables the back/forward cache and is not
 * fired reliably on mobile (see web.dev/articles/bfcache, GoogleChrome/web-vitals onHidden).
 */

/** Adds the listeners; returns their removal. Does nothing where there is no event target (Node) or no such events (edge runtimes). */
export function onLifecycle(handlers: { hidden: () => void; online: () => void }): () => void {
  const target = globalThis as unknown as Partial<EventTarget>;
  if (typeof target.addEventListener !== 'function') return () => {};
  const doc = typeof document === 'undefined' ? undefined : document;
  const visibility = () => {
    if (doc?.visibilityState === 'hidden') handlers.hidden();
  };
  const pagehide = () => handlers.hidden();
  const online = () => handlers.online();
  // Only where the events exist: edge runtimes have a global addEventListener too (workerd throws on
  // `capture: true`), but no pages and no online events; telemetry there flushes per request.
  const hasPagehide = 'onpagehide' in target;
  const hasOnline = 'ononline' in target;
  doc?.addEventListener('visibilitychange', visibility, { capture: true });
  if (hasPagehide) target.addEventListener('pagehide', pagehide, { capture: true });
  if (hasOnline) target.addEventListener('online', online);
  return () => {
    doc?.removeEventListener('visibilitychange', visibility, { capture: true });
    if (hasPagehide) target.removeEventListener?.('pagehide', pagehide, { capture: true });
    if (hasOnline) target.removeEventListener?.('online', online);
  };
}
