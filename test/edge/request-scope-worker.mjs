// A Worker whose Cache API writes may take a while — a wrapper delays each put by the request's
// `putDelayMs`, as a busy cache can — run by test/node/edge-cache.test.ts in workerd. workerd ends a
// request's I/O once its response is sent: a write still running then never settles, and a later
// request that waits on it would fail. GET /?name=N&version=V loads N@V from the registry
// `env.REGISTRY` and answers at once; with `list`, it answers modelCache.list() first too.
import { loadModel, modelCache } from 'ferryml/edge';

/** How long each put waits first: set by the request running. */
let putDelayMs = 0;
let wrapped = false;
/** Replaces `caches`, once per isolate, with one whose caches delay every put by `putDelayMs`. */
function slowPuts() {
  if (wrapped) return;
  wrapped = true;
  const real = globalThis.caches;
  const open = async (name) => {
    const c = await real.open(name);
    return {
      match: (...a) => c.match(...a),
      delete: (...a) => c.delete(...a),
      keys: (...a) => c.keys(...a),
      put: async (...a) => {
        await new Promise((r) => setTimeout(r, putDelayMs));
        return c.put(...a);
      },
    };
  };
  Object.defineProperty(globalThis, 'caches', { value: { open }, configurable: true });
}

export default {
  async fetch(request, env) {
    slowPuts();
    const url = new URL(request.url);
    putDelayMs = Number(url.searchParams.get('putDelayMs') ?? 0);
    try {
      const q = url.searchParams;
      const listed = q.has('list') ? (await modelCache.list()).map((c) => `${c.name}@${c.version}`) : undefined;
      const model = await loadModel({ registry: env.REGISTRY, name: q.get('name'), version: q.get('version') });
      return Response.json({ listed, source: model.info.source, version: model.info.version, cache: model.info.cache });
    } catch (e) {
      return Response.json({ code: e?.code ?? null, message: String(e?.message ?? e), stack: String(e?.stack ?? '') }, { status: 500 });
    }
  },
};
